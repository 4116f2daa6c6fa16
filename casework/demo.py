"""Demo residents' requests in 延长居民区, one or more in every state, through the services.

Idempotent: a request whose description already exists in the committee is left as it is. The
demo ``resident`` (陈静) has an answer waiting for her rating; the property firm's contact
(``property_contact``) has a request to accept and one to answer; one request was escalated.
"""

from dataclasses import dataclass

from django.db import transaction

from casework import services
from casework.models import Case, Category
from members.models import Agency, Committee, Role, User

COMMITTEE = "延长居民区"


@dataclass(frozen=True)
class Plan:
    stage: str  # new, answered_at_once, routed, accepted, answered, closed, reopened, escalated
    category: str
    description: str
    spot: str
    requester: str | None  # demo username, or None: taken by phone by the organizer for (name, phone)
    handler: str = "firm"  # "firm" or an Agency.Kind
    named: bool = False


PLANS = [
    Plan("new", Category.LIFT, "2号楼电梯上午停在5楼不动，老人下不了楼。", "2号楼电梯", "resident", named=True),
    Plan("answered_at_once", Category.OTHER, "想了解高龄津贴怎么申请。", "", None),
    Plan("routed", Category.LEAK, "楼上卫生间漏水，渗到我家天花板。", "101室", "resident"),
    Plan("accepted", Category.SANITATION, "垃圾厢房三天没有清运，气味很大。", "垃圾厢房", "resident_rep"),
    Plan("answered", Category.GREENERY, "楼前大树树枝碰到三楼窗户，台风天危险。", "1号楼南侧", "resident",
         named=True),
    Plan("closed", Category.FACILITIES, "单元门门禁坏了，陌生人随便进出。", "1号楼单元门", "resident"),
    Plan("reopened", Category.NOISE, "楼下空调外机夜里噪音很大，睡不着。", "3号楼301室", "floor_leader"),
    Plan("escalated", Category.PARKING, "小区门口每天早上有车乱停，救护车进不来。", "小区大门", None,
         handler=Agency.Kind.POLICE),
]


def seed(stdout=None) -> None:
    committee = Committee.objects.filter(name=COMMITTEE).select_related("street").first()
    if committee is None:
        return
    organizer = (Role.objects.filter(kind=Role.Kind.ORGANIZER, committee=committee).select_related("user")
                 .order_by("pk").first())
    compound = committee.compounds.filter(property_firm__isnull=False).select_related("property_firm").first()
    if organizer is None or compound is None:
        return
    people = {u.username: u for u in User.objects.filter(
        username__in=["resident", "resident_rep", "floor_leader", "agency_contact", "property_contact"])}
    existing = set(Case.objects.filter(committee=committee).values_list("description", flat=True))
    agencies = {a.kind: a for a in Agency.objects.filter(street=committee.street)}
    made = 0
    for plan in PLANS:
        if plan.description in existing:
            continue
        with transaction.atomic():
            _make(plan, committee=committee, compound=compound, by=organizer.user, people=people,
                  handler=compound.property_firm if plan.handler == "firm" else agencies[plan.handler])
        made += 1
    if stdout is not None and made:
        stdout.write(f"Residents' requests: {made} created in {committee.name}.")


def _contact(handler: Agency, people: dict[str, User]) -> User | None:
    username = "property_contact" if handler.kind == Agency.Kind.PROPERTY_FIRM else "agency_contact"
    user = people.get(username)
    return user if user is not None and Role.objects.filter(user=user, agency=handler).exists() else None


def _make(plan: Plan, *, committee, compound, by, people, handler) -> Case:
    requester = people.get(plan.requester) if plan.requester else None
    building = compound.buildings.order_by("name").first()
    if requester is not None and plan.requester != "floor_leader":
        case = services.case_file(by=requester, committee=committee, compound=compound, building=building,
                                  category=plan.category, description=plan.description, spot=plan.spot,
                                  named_to_handler=plan.named)
    else:
        case = services.case_file(by=by, committee=committee, compound=compound, building=building,
                                  category=plan.category, description=plan.description, spot=plan.spot,
                                  channel=Case.Channel.PHONE, requester_name="王阿姨", requester_phone="13800219999")
    if plan.stage == "new":
        return case
    if plan.stage == "answered_at_once":
        return services.case_answer(case=case, by=by, text="已当场答复：带身份证和户口簿到社区事务受理中心办理，"
                                                          "居委会可以帮助预约。")
    services.case_route(case=case, by=by, handler=handler, days=5, note="请尽快上门查看。")
    contact = _contact(handler, people)
    if plan.stage == "routed" or contact is None:
        return case
    services.case_accept(case=case, by=contact)
    if plan.stage == "accepted":
        services.case_progress(case=case, by=contact, text="已联系环卫所，明天上午加派清运车。")
        return case
    if plan.stage == "escalated":
        services.case_progress(case=case, by=contact, text="已安排早高峰民警巡逻，但需要城管配合设置禁停标志。")
        return services.case_escalate(case=case, by=by, reason="疑难问题：需要街道协调城管、交警。")
    services.case_answer(case=case, by=contact, text="已上门查看并处理完毕。")
    if plan.stage == "answered":
        return case
    rater = requester or by
    if plan.stage == "closed":
        return services.case_rate(case=case, by=rater, rating=Case.Rating.SATISFIED)
    return services.case_rate(case=case, by=by, rating=Case.Rating.DISSATISFIED, comment="夜里还是很吵。")
