"""Demo coordination meetings in 延长居民区, one in every state, through the services.

Idempotent: a meeting whose subject already exists in the committee is left as it is. The
demo ``resident`` (陈静) has an agreement and a record waiting for confirmation; the property
firm signs on paper (it has no account); the police station's contact (``agency_contact``)
is a party of the escalated matter.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from coordination import services
from coordination.models import CoordinationDocument, CoordinationMeeting, CoordinationParticipant
from members.models import Agency, Committee, Role, User

COMMITTEE = "延长居民区"
STAGES = ["requested", "declined", "scheduling", "noticed", "in_session", "concluding", "follow_up", "escalated",
          "closed", "cancelled"]
Kind = CoordinationParticipant.Kind


@dataclass
class Plan:
    stage: str
    subject: str
    request_text: str
    requester: str | None  # demo username, or None when the organizer opens it
    other: str = "firm"  # "firm", "police" or a demo username
    statements: list[tuple[int, str]] = field(default_factory=list)  # (party index, text)
    record: str = ""
    points: str = ""
    agreement: str = ""
    actions: list[tuple[int | str, str, int]] = field(default_factory=list)  # (party index or agency, what, days)
    reason: str = ""


PLANS = [
    Plan("requested", "楼下餐馆油烟扰民", "1号楼底商餐馆排烟管道正对居民窗户，请居委会组织餐馆和物业协调。",
         "resident_rep", other="firm"),
    Plan("declined", "邻居装修噪音", "2号楼302室周末早上八点前施工。", "floor_leader", other="firm",
         reason="装修时间已由物业按装修管理规定处理，请先向物业投诉；如仍未解决可再次申请。"),
    Plan("scheduling", "延长中路公寓非机动车棚改造", "车棚顶棚破损，电动车充电桩不够。", None, other="party_member"),
    Plan("noticed", "3号楼外墙渗水", "雨天外墙渗水到室内，请物业查明原因并维修。", "floor_leader"),
    Plan("in_session", "垃圾分类投放点位置", "投放点离2号楼太近，夏天有异味。", "resident_rep",
         statements=[(0, "投放点紧挨2号楼窗户，夏天异味严重，希望挪到小区东侧空地。"),
                     (1, "东侧空地是消防通道，不能设置投放点；可以增加清运次数。")]),
    Plan("concluding", "1号楼顶楼漏水维修", "顶楼漏水三个月，物业一直没有修。", "resident",
         statements=[(0, "顶楼漏水三个月，墙面发霉。"), (1, "屋面防水已过保修期，需要动用维修资金。")],
         points="维修费用由谁承担；维修时间。", record="双方同意先行维修，费用按维修资金使用规定办理。",
         agreement="物业负责修复1号楼屋面防水层；居民配合入户查看。",
         actions=[(1, "修复1号楼屋面防水层", 21), (0, "配合物业入户查看漏水点", 5)]),
    Plan("follow_up", "楼道堆物清理", "1号楼楼道堆放杂物，存在消防隐患。", "resident",
         statements=[(0, "楼道里堆了旧家具，晚上看不清容易绊倒。"), (1, "物业可以统一清运，需要居民先认领。")],
         points="杂物归属；清运费用。", record="双方同意限期认领，逾期由物业统一清运。",
         agreement="居民一周内认领并搬走个人物品；物业随后统一清运并张贴消防提示。",
         actions=[(0, "通知楼内居民认领个人物品", -10), (1, "统一清运楼道杂物并张贴消防提示", -3)]),
    Plan("escalated", "小区门口占道经营", "早市摊贩占用小区出入口，救护车进不来。", "resident_rep", other="police",
         statements=[(0, "早上六点到九点出入口全被摊位堵住。"), (1, "派出所可以配合劝离，但需要城管执法。")],
         points="执法主体；摊贩安置。", record="派出所配合劝离；城管中队负责执法。居委会无权处理摊贩安置。",
         agreement="派出所早高峰巡逻劝离；城管中队负责执法取缔。",
         actions=[(1, "早高峰巡逻劝离占道摊贩", -7), ("city_management", "对占道经营依法执法", -5)],
         reason="摊贩安置涉及街道市场规划，居民区无法解决，请街道协调城管和市场监管。"),
    Plan("closed", "电动车楼道充电", "有居民把电动车推进楼道充电。", "resident",
         statements=[(0, "楼道充电有火灾隐患。"), (1, "物业将在车棚增加充电桩。")],
         record="物业增设充电桩，居民不再在楼道充电。", agreement="物业在车棚增设10个充电桩。",
         actions=[(1, "在车棚增设10个充电桩", -20)]),
    Plan("cancelled", "停车位分配纠纷", "地面停车位分配不公平。", None, other="resident_rep",
         reason="小区停车管理办法将提交听证会讨论，本协调会取消。"),
]


def _people() -> dict[str, User]:
    return {u.username: u for u in User.objects.filter(
        username__in=["resident", "resident_rep", "floor_leader", "party_member", "agency_contact"])}


def seed(stdout=None) -> None:
    committee = Committee.objects.filter(name=COMMITTEE).select_related("street").first()
    if committee is None:
        return
    organizer = (Role.objects.filter(kind=Role.Kind.ORGANIZER, committee=committee).select_related("user")
                 .order_by("pk").first())
    compound = committee.compounds.filter(property_firm__isnull=False).select_related("property_firm").first()
    if organizer is None or compound is None:
        return
    existing = set(CoordinationMeeting.objects.filter(committee=committee).values_list("subject", flat=True))
    context = {"committee": committee, "by": organizer.user, "firm": compound.property_firm,
               "people": _people(), "agencies": {a.kind: a for a in Agency.objects.filter(street=committee.street)}}
    made = [plan.subject for plan in PLANS if plan.subject not in existing and _make(plan, **context)]
    if stdout is not None and made:
        stdout.write(f"Coordination meetings: {len(made)} created in {committee.name}.")


def _make(plan: Plan, *, committee, by, firm, people, agencies) -> CoordinationMeeting:
    step = STAGES.index(plan.stage)
    if plan.requester:
        meeting = services.coordination_request(committee=committee, by=people[plan.requester], subject=plan.subject,
                                                request_text=plan.request_text,
                                                agency=firm if plan.other == "firm" else None)
        if plan.stage == "requested":
            return meeting
        if plan.stage == "declined":
            return services.coordination_decline(meeting=meeting, by=by, reason=plan.reason)
        services.coordination_accept(meeting=meeting, by=by)
    else:
        meeting = services.coordination_open(committee=committee, by=by, subject=plan.subject,
                                             request_text=plan.request_text)
        services.participant_add(meeting=meeting, by=by, kind=Kind.PROPERTY_FIRM, agency=firm)
    if plan.other == "police":
        services.participant_add(meeting=meeting, by=by, kind=Kind.AGENCY, agency=agencies[Agency.Kind.POLICE])
    elif plan.other != "firm":
        services.participant_add(meeting=meeting, by=by, kind=Kind.RESIDENT, user=people[plan.other])
    services.coordination_schedule(meeting=meeting, by=by, place="居委会会议室（延长路149弄12号）",
                                   scheduled_at=(timezone.now() + timedelta(days=9 + step)).replace(
                                       hour=14, minute=0, second=0, microsecond=0))
    if plan.stage == "scheduling":
        return meeting
    if plan.stage == "cancelled":
        return services.coordination_cancel(meeting=meeting, by=by, reason=plan.reason)
    services.coordination_give_notice(meeting=meeting, by=by)
    if plan.stage == "noticed":
        return meeting
    # The demo holds today meetings noticed for a later day, so it records why, as an organizer must.
    services.coordination_start(meeting=meeting, by=by, reason="各方均已到场，经各方同意提前开会")
    parties = list(meeting.participants.filter(is_party=True).order_by("id"))
    for index, text in plan.statements:
        services.statement_add(meeting=meeting, by=by, participant=parties[index], text=text)
    if plan.stage == "in_session":
        return meeting
    services.coordination_conclude(meeting=meeting, by=by, points_in_dispute=plan.points, record_text=plan.record,
                                   agreement_reached=True, agreement_text=plan.agreement,
                                   early_reason="各方当场达成一致，无需等到通知所载日期")
    today = timezone.localdate()
    for owner, what, days in plan.actions:
        owner_kwargs = ({"owner_agency": agencies[owner]} if isinstance(owner, str)
                        else {"owner_participant": parties[owner]})
        services.action_add(meeting=meeting, by=by, description=what, due_date=today + timedelta(days=days),
                            **owner_kwargs)
    for document in meeting.documents.order_by("kind"):
        services.document_submit(document=document, by=by)
        if plan.stage != "concluding":
            _confirm_all(document, parties, by, people)
        elif document.kind == CoordinationDocument.Kind.RECORD:
            services.document_record_paper(document=document, by=by, participant=parties[1])
    if plan.stage == "concluding":
        return meeting
    actions = list(meeting.actions.order_by("number"))
    services.action_progress(action=actions[0], by=by, text="已在楼道张贴通知，并逐户上门告知。"
                             if plan.stage == "follow_up" else "已完成。", done=True)
    if plan.stage == "closed":
        return services.coordination_close(meeting=meeting, by=by)
    if plan.stage == "escalated":
        return services.coordination_escalate(meeting=meeting, by=by, reason=plan.reason)
    return meeting


def _confirm_all(document, parties, by, people) -> None:
    """Residents and agency contacts confirm online; a property firm without an account signs on paper."""
    required = parties if document.kind == CoordinationDocument.Kind.AGREEMENT else list(
        document.meeting.participants.order_by("id"))
    for row in required:
        if row.user_id:
            services.document_confirm(document=document, by=row.user)
        elif row.agency_id and row.agency.kind == Agency.Kind.POLICE and "agency_contact" in people:
            services.document_confirm(document=document, by=people["agency_contact"])
        else:
            services.document_record_paper(document=document, by=by, participant=row)
