"""Demo party topics and floor consultations in 延长居民区, in several states, through the services.

Called from ``decisions.demo.seed``. Idempotent: a topic or consultation whose title already
exists is left as it is. The demo organizer 赵敏 is made a party member too, so that she acts for
the party organization (a party member who organizes the committee).
"""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone, translation

from decisions.models import Ballot, Voice
from deliberation.models import Consultation, PartyMeeting, PartySettings, Topic
from deliberation.services import floor as floor_services
from deliberation.services import followups
from deliberation.services import party as party_services
from members import services as member_services
from members.models import Building, Committee, Membership, Role, User

COMMITTEE = "延长居民区"


def _users(committee: Committee, kind: str) -> list[User]:
    return [r.user for r in Role.objects.filter(committee=committee, kind=kind).select_related("user").order_by("pk")]


def _vote_all(ballot: Ballot, cast, rng: random.Random, share: float,
              weights=(8, 1, 1), skip=frozenset()) -> None:
    question = ballot.questions.order_by("position").first()
    options = {o.meaning: o.pk for o in question.options.all()}
    for voice in Voice.objects.filter(ballot=ballot).prefetch_related("holders__user").order_by("key"):
        holder = sorted(voice.holders.all(), key=lambda h: h.user_id)[0]
        if holder.user.username in skip or rng.random() > share:
            continue
        cast(holder.user, options[rng.choices(["yes", "no", "abstain"], weights=weights)[0]])


def seed(*, stdout=None) -> None:
    committee = Committee.objects.filter(name=COMMITTEE).first()
    organizer = User.objects.filter(username="organizer").first()
    if committee is None or organizer is None:
        return
    member_services.role_grant(user=organizer, kind=Role.Kind.PARTY_MEMBER, committee=committee, by=None)
    rng = random.Random(2027)
    # Questions and notifications written by the services are stored in the demo's language.
    with translation.override("zh-hans"):
        made = _party(committee, organizer, rng) + _floors(committee, rng)
    if stdout is not None and made:
        stdout.write(f"Demo party topics and floor consultations: {len(made)} created ({', '.join(made)}).")


def _party(committee: Committee, secretary: User, rng: random.Random) -> list[str]:
    existing = set(Topic.objects.filter(committee=committee).values_list("title", flat=True))
    members = [u for u in _users(committee, Role.Kind.PARTY_MEMBER) if u.pk != secretary.pk]
    demo_member = next((u for u in members if u.username == "party_member"), members[0])
    others = [u for u in members if u.username not in ("party_member", "party_rep")]
    if not PartySettings.objects.filter(committee=committee).exists():
        party_services.party_settings_update(committee=committee, by=secretary, seconds_needed=2,
                                             electorate=Ballot.Electorate.PARTY_REPS, quorum=Decimal("0.5"))
    made = []

    def cast_for(topic):
        return lambda user, option: party_services.topic_vote_cast(topic=topic, by=user, option_id=option)

    title = "社区党群服务站延长开放时间"
    if title not in existing:
        topic = party_services.topic_propose(
            committee=committee, by=secretary, title=title, as_organization=True,
            material="党群服务站目前 **周一至周五 9:00–17:00** 开放。\n\n建议：\n\n- 周六上午增开半天\n"
                     "- 工作日延长到 19:00，方便上班族党员参加活动")
        party_services.topic_comment_add(topic=topic, by=others[0], body="支持，周六上午最好安排志愿者值班。")
        party_services.topic_comment_add(topic=topic, by=demo_member, body="同意，建议先试行三个月。")
        topic = party_services.topic_vote_open(topic=topic, by=secretary)
        _vote_all(topic.ballot, cast_for(topic), rng, 1.0)
        party_services.topic_vote_close(topic=topic, by=secretary)
        topic = party_services.topic_resolve(
            topic=topic, by=secretary,
            resolution="党员代表会议表决通过：党群服务站自下月起工作日开放至19:00，周六上午9:00–12:00开放，试行三个月。")
        item = followups.follow_up_add(parent=topic, by=secretary, what="张贴新的开放时间公告", owner="党总支办公室",
                                       due_on=date.today() + timedelta(days=7))
        followups.follow_up_note_add(follow_up=item, by=secretary, text="公告已张贴在各小区宣传栏。", status="done")
        item = followups.follow_up_add(parent=topic, by=secretary, what="排定周六志愿者值班表", owner="党员志愿服务队",
                                       due_on=date.today() + timedelta(days=14))
        followups.follow_up_note_add(follow_up=item, by=secretary, text="已有12名党员报名，正在排班。",
                                     status="in_progress")
        made.append(title)

    title = "老旧小区加装电梯党员带头宣传"
    if title not in existing:
        topic = party_services.topic_propose(
            committee=committee, by=secretary, title=title, as_organization=True,
            material="延长新村多栋楼正在协商加装电梯。请各楼组党员带头做好邻里沟通，特别是一楼住户的意见。")
        party_services.topic_comment_add(topic=topic, by=others[1], body="一楼住户的补偿方案需要先讲清楚。")
        topic = party_services.topic_vote_open(topic=topic, by=secretary,
                                               closes_at=timezone.now() + timedelta(days=7))
        _vote_all(topic.ballot, cast_for(topic), rng, 0.6, skip={"party_rep"})  # party_rep still votes
        made.append(title)

    title = "楼道堆物整治党员包干"
    if title not in existing:
        topic = party_services.topic_propose(
            committee=committee, by=secretary, title=title, as_organization=True,
            material="每名党员包干一个楼道，每月检查一次堆物情况，发现问题及时劝导。")
        first = party_services.topic_comment_add(topic=topic, by=others[2], body="年纪大的党员可以两人一组。")
        party_services.topic_comment_add(topic=topic, by=demo_member, body="赞成两人一组。", parent=first)
        made.append(title)

    title = "增设社区助老食堂"
    if title not in existing:
        proposer = others[3]
        topic = party_services.topic_propose(
            committee=committee, by=proposer, title=title,
            material="社区老人多，建议利用活动室旁的空房开设助老食堂，由街道补贴部分费用。")
        party_services.topic_second(topic=topic, by=others[4])  # one more second needed: party_member can give it
        made.append(title)

    title = "调整党员活动日"
    if title not in existing:
        topic = party_services.topic_propose(committee=committee, by=others[5], title=title,
                                             material="建议把党员活动日从每月5日改为每月第一个周六。")
        party_services.topic_withdraw(topic=topic, by=others[5], reason="街道已统一安排活动日，本议题撤回。")
        made.append(title)

    meeting_title = "2026年第四季度党员代表会议"
    if not PartyMeeting.objects.filter(committee=committee, title=meeting_title).exists():
        topics = list(Topic.objects.filter(committee=committee, title__in=["社区党群服务站延长开放时间",
                                                                          "老旧小区加装电梯党员带头宣传"]))
        meeting = party_services.meeting_create(committee=committee, by=secretary, title=meeting_title,
                                                starts_at=timezone.now() - timedelta(days=3),
                                                place="延长路149弄12号 党群服务站", topics=topics)
        reps = _users(committee, Role.Kind.PARTY_REPRESENTATIVE)
        party_services.meeting_record_attendance(meeting=meeting, by=secretary, present=reps[:-1] + [secretary])
        made.append(meeting_title)
    return made


def _floors(committee: Committee, rng: random.Random) -> list[str]:
    made = []
    leader_role = (Role.objects.filter(kind=Role.Kind.FLOOR_LEADER, user__username="floor_leader")
                   .select_related("user", "building__compound").first())
    if leader_role is None:
        return made
    leader, building = leader_role.user, leader_role.building
    existing = set(Consultation.objects.filter(committee=committee).values_list("title", flat=True))

    def answer(consultation, share, weights=(8, 1, 1), skip=frozenset()):
        def cast(user, option):
            floor_services.consultation_answer(consultation=consultation, by=user, option_id=option,
                                               comment=rng.choice(["", "", "同意", "希望尽快落实"]))
        _vote_all(consultation.ballot, cast, rng, share, weights, skip)

    title = f"{building.name}楼道堆物清理"
    if title not in existing:
        c = floor_services.consultation_open(
            building=building, by=leader, title=title, matter=Consultation.Matter.CORRIDOR,
            description="楼道里堆放的旧家具、纸箱影响消防通道，建议本月底前各户自行清理，无主物品统一处理。")
        answer(c, 0.95, skip={"floor_leader"})
        floor_services.consultation_close(consultation=c, by=leader)
        floor_services.consultation_agree(consultation=c, by=leader,
                                          opinion="各户于本月30日前清理楼道堆物；无主物品由楼组长登记后交物业统一处理。")
        item = followups.follow_up_add(parent=c, by=leader, what="登记并处理无主物品", owner="楼组长、物业",
                                       due_on=date.today() + timedelta(days=10))
        followups.follow_up_note_add(follow_up=item, by=leader, text="已登记5件，物业下周清运。", status="in_progress")
        made.append(title)

    title = f"{building.name}楼组公约"
    convention = ("一、楼道、消防通道不堆放杂物。\n二、垃圾按时分类投放。\n三、晚上十点后不进行装修等噪声作业。\n"
                  "四、邻里互助，关心独居老人。")
    if title not in existing:
        c = floor_services.consultation_open(
            building=building, by=leader, title=title, matter=Consultation.Matter.CONVENTION,
            description="本楼第一份楼组公约，请各户提意见。", proposed_convention=convention)
        answer(c, 1.0, (10, 0, 1))
        floor_services.consultation_close(consultation=c, by=leader)
        floor_services.consultation_agree(consultation=c, by=leader, opinion="楼组公约经全楼协商通过，自即日起施行。")
        made.append(title)

    title = f"{building.name}屋面防水维修费用分摊"
    if title not in existing:
        c = floor_services.consultation_open(
            building=building, by=leader, title=title, matter=Consultation.Matter.REPAIR_COSTS,
            rule=Ballot.Rule.ART278,
            description="顶楼漏水，屋面防水维修报价 **36,000 元**。按《民法典》第二百七十八条，按专有面积分摊，"
                        "需本楼业主表决。",
            question="是否同意按专有面积分摊屋面防水维修费用？")
        answer(c, 0.5, skip={"floor_leader"})  # the floor leader's own household and others still to answer
        made.append(title)

    title = f"{building.name}清洁值班安排"
    if title not in existing:
        c = floor_services.consultation_open(building=building, by=leader, title=title,
                                             matter=Consultation.Matter.CLEANING,
                                             description="每户轮流负责楼道清扫一周。")
        floor_services.consultation_cancel(consultation=c, by=leader, reason="物业已承担楼道保洁，无需轮值。")
        made.append(title)

    # The demo resident's own building: an open consultation waits for their household's opinion.
    home = Membership.objects.filter(user__username="resident", status=Membership.Status.VERIFIED) \
        .select_related("household__building").first()
    if home is not None:
        home_building: Building = home.household.building
        home_leader = Role.objects.filter(kind=Role.Kind.FLOOR_LEADER, building=home_building) \
            .select_related("user").first()
        title = f"{home_building.name}自行车棚清理"
        if home_leader is not None and title not in existing:
            c = floor_services.consultation_open(
                building=home_building, by=home_leader.user, title=title, matter=Consultation.Matter.OTHER,
                description="车棚里有不少僵尸自行车，建议贴告示两周后统一清理。")
            answer(c, 0.4, skip={"resident"})
            made.append(title)
    return made

