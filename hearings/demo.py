"""Demo hearings in every state, in 延长居民区, through the services (called by ``seed_demo``).

Idempotent: a hearing whose title already exists in the committee is left as it is. Hearings
that are over were held weeks ago: their steps run under a moved clock (time-machine), so the
notice periods, the public notice and every timestamp and history row read as they would have.
The Chinese texts are demo content.
"""

from __future__ import annotations

import random
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.utils import timezone

from decisions import services as ballot_services
from decisions.models import Ballot, Voice
from hearings import services
from hearings.models import Hearing, HearingPanelMember, HearingRegistration
from members.models import Agency, Building, Committee, Compound, Membership, Role, User

COMMITTEE = "延长居民区"


@contextmanager
def _at(moment: datetime | None):
    """Run the block as if it were ``moment`` (now when None)."""
    if moment is None:
        yield
        return
    import time_machine

    with time_machine.travel(moment, tick=True):
        yield


def _residents(*, building: Building | None = None, compound: Compound | None = None,
               committee: Committee | None = None) -> list[User]:
    qs = Membership.objects.filter(status=Membership.Status.VERIFIED)
    if building is not None:
        qs = qs.filter(household__building=building)
    elif compound is not None:
        qs = qs.filter(household__building__compound=compound)
    else:
        qs = qs.filter(household__building__compound__committee=committee)
    seen, people = set(), []
    for membership in qs.select_related("user").order_by("household__door_number", "pk"):
        if membership.user_id not in seen:
            seen.add(membership.user_id)
            people.append(membership.user)
    return people


def _draft(committee, organizer, *, title, background, place, starts_at, scope=Hearing.Scope.COMMITTEE,
           compounds=(), buildings=(), previous=None, units=()) -> Hearing:
    hearing = services.hearing_create(
        committee=committee, by=organizer, title=title, background=background, place=place, starts_at=starts_at,
        opinion_opens_at=timezone.now(), opinion_closes_at=starts_at - timedelta(hours=2), scope=scope,
        compounds=list(compounds), buildings=list(buildings), observer_quota=15, previous=previous)
    services.hearing_panel_add(hearing=hearing, by=organizer, role=HearingPanelMember.Role.CHAIR, user=organizer)
    for agency in units:
        services.hearing_panel_add(hearing=hearing, by=organizer, role=HearingPanelMember.Role.UNIT, agency=agency)
    reps = Role.objects.filter(kind=Role.Kind.RESIDENT_REPRESENTATIVE, committee=committee).select_related("user")
    for role in reps.order_by("pk")[:2]:
        services.hearing_panel_add(hearing=hearing, by=organizer, role=HearingPanelMember.Role.RESIDENT_REP,
                                   user=role.user)
    return hearing


def _take_part(hearing: Hearing, people: list[User], rng: random.Random, opinions: list[str],
               skip: set[int]) -> None:
    """A few registrations and written opinions from the affected residents."""
    for i, person in enumerate(p for p in people if p.pk not in skip):
        if i >= len(opinions):
            break
        services.hearing_opinion_save(hearing=hearing, user=person, text=opinions[i], hide_name=rng.random() < 0.3)
        if i < 4:
            services.hearing_register(hearing=hearing, user=person, kind="speaker" if i < 2 else "observer",
                                      topic=opinions[i][:60] if i < 2 else "")


def _hold_session(hearing: Hearing, organizer: User, statements: list[str], attendee: User | None = None) -> Hearing:
    # The demo holds today hearings announced for a later day, so it records why, as an organizer must.
    hearing = services.hearing_session_start(hearing=hearing, by=organizer,
                                             reason="陈述人和代表均已到齐，经主持人同意提前开会")
    services.hearing_check_in(hearing=hearing, by=organizer, role="panel", user=organizer)
    for registration in hearing.registrations.select_related("user"):
        services.hearing_registration_decide(registration=registration, by=organizer, confirm=True)
        services.hearing_check_in(hearing=hearing, by=organizer, role=registration.kind, user=registration.user)
    if attendee is not None and not hearing.attendance.filter(user=attendee).exists():
        services.hearing_check_in(hearing=hearing, by=organizer, role="observer", user=attendee)
    speakers = list(hearing.registrations.filter(kind=HearingRegistration.Kind.SPEAKER).select_related("user"))
    for i, text in enumerate(statements):
        speaker = speakers[i % len(speakers)].user if speakers else None
        services.hearing_statement_add(hearing=hearing, by=organizer, text=text, speaker=speaker,
                                       speaker_name="" if speaker else "居民", kind="statement")
    return hearing


def _minutes(hearing: Hearing, organizer: User, summary: str, *, skip: set[int], finalize: bool = True):
    record = "\n".join(f"{s.speaker_name}：{s.text}" for s in hearing.statements.order_by("pk"))
    minutes = services.hearing_minutes_save(hearing=hearing, by=organizer, record=record or "会议记录", summary=summary)
    minutes = services.hearing_minutes_circulate(minutes=minutes, by=organizer)
    for attendance in hearing.attendance.exclude(user=None).exclude(user=organizer).exclude(user__in=skip)[:3]:
        services.hearing_minutes_confirm(minutes=minutes, user=attendance.user)
    if finalize:
        minutes = services.hearing_minutes_finalize(minutes=minutes, by=organizer)
    return minutes


def _household_vote(hearing: Hearing, organizer: User, rng: random.Random, skip: set[int]) -> Ballot:
    ballot = services.hearing_vote_create(hearing=hearing, by=organizer, question="是否同意在本楼加装电梯？",
                                          households=True, rule=Ballot.Rule.ART278)
    # A secret vote with no scrutineer named: the organizer who opens it is the only one, and her
    # card (returned once, here) opens the box after the close.
    card = ballot_services.ballot_open(ballot=ballot, by=organizer).new_cards[organizer.pk]
    question = ballot.questions.get()
    options = {o.meaning: o.pk for o in question.options.all()}
    for voice in Voice.objects.filter(ballot=ballot).prefetch_related("holders").order_by("key"):
        holder = voice.holders.order_by("user_id").first()
        if holder is None or holder.user_id in skip or rng.random() > 0.9:
            continue
        meaning = rng.choices(["yes", "no", "abstain"], weights=(8, 2, 1))[0]
        ballot_services.vote_cast(ballot=ballot, voter=holder.user, choices={question.pk: [options[meaning]]})
    ballot_services.ballot_close(ballot=ballot, by=organizer)
    ballot_services.box_present(ballot=ballot, by=organizer, code=card)
    return ballot_services.ballot_publish(ballot=ballot, by=organizer)


def seed(stdout=None) -> None:
    committee = Committee.objects.filter(name=COMMITTEE).first()
    organizer_role = Role.objects.filter(kind=Role.Kind.ORGANIZER, committee=committee).select_related("user") \
        .order_by("pk").first() if committee else None
    if organizer_role is None:
        return
    organizer = organizer_role.user
    existing = set(Hearing.objects.filter(committee=committee).values_list("title", flat=True))
    compounds = {c.name: c for c in Compound.objects.filter(committee=committee)}
    xincun, zhonglu = compounds.get("延长新村"), compounds.get("延长中路公寓")
    if xincun is None or zhonglu is None:
        return
    buildings = {b.name: b for b in Building.objects.filter(compound=xincun)}
    firm = xincun.property_firm
    housing = Agency.objects.filter(street=committee.street, kind=Agency.Kind.HOUSING).first()
    demo = {u.username: u for u in User.objects.filter(username__in=["resident", "resident_rep"])}
    # The demo resident and representative keep something to do themselves.
    skip = {u.pk for u in demo.values()}
    rng = random.Random(278)
    now = timezone.now().replace(second=0, microsecond=0)
    day = timedelta(days=1)
    made = []

    # Archived: a pilot lift in 1号楼, decided by the households under art. 278; one objection answered.
    pilot_title = "延长新村1号楼加装电梯试点听证"
    pilot = Hearing.objects.filter(committee=committee, title=pilot_title).first()
    if pilot is None and "1号楼" in buildings:
        start = now - 60 * day
        with _at(start - 12 * day):
            pilot = _draft(committee, organizer, title=pilot_title, place="延长路149弄12号 居委会会议室",
                           starts_at=start.replace(hour=19, minute=0),
                           background="1号楼部分业主申请加装电梯。设计方案、费用分摊和施工期间的出行安排见附件说明。",
                           scope=Hearing.Scope.BUILDINGS, buildings=[buildings["1号楼"]],
                           units=[u for u in (firm, housing) if u])
            pilot = services.hearing_announce(hearing=pilot, by=organizer)
            _take_part(pilot, _residents(building=buildings["1号楼"]), rng, [
                "支持加装，家里老人上下楼很困难。", "一楼住户担心采光和噪音，希望电梯井避开窗户。",
                "费用按楼层分摊比较公平。", "希望施工期间保留一个出入口。"], skip)
        with _at(start.replace(hour=19, minute=0)):
            pilot = _hold_session(pilot, organizer, [
                "高层住户代表：老人多，电梯是刚需。", "一楼住户代表：请设计单位说明采光影响。",
                "物业：施工期间安排临时通道。"])
            _household_vote(pilot, organizer, rng, skip=set())
            pilot = services.hearing_session_end(hearing=pilot, by=organizer)
        with _at(start + 3 * day):
            _minutes(pilot, organizer, "多数业主支持加装电梯；电梯井位置调整以减少对一楼采光的影响。", skip=skip)
            pilot = services.hearing_publish_outcome(
                hearing=pilot, by=organizer, decision="同意1号楼加装电梯试点，按调整后的方案实施。",
                reasons="听证会上多数陈述人支持；按《民法典》第二百七十八条的户表决通过；一楼住户的采光意见已纳入方案调整。")
            objector = next((p for p in _residents(building=buildings["1号楼"]) if p.pk not in skip), None)
            objection = services.hearing_objection_file(hearing=pilot, user=objector,
                                                        text="施工时间应避开午休。") if objector else None
        with _at(start + 5 * day):
            if objection:
                services.hearing_objection_answer(objection=objection, by=organizer,
                                                  answer="施工时间定为工作日 8:30–12:00 和 14:00–17:30，午休不施工。")
        with _at(start + 11 * day):
            services.hearing_archive(hearing=pilot, by=organizer)
        made.append(pilot_title)

    # Draft: the follow-up round, full implementation in the other buildings.
    title = "延长新村加装电梯全面实施听证"
    if title not in existing:
        _draft(committee, organizer, title=title, place="延长路149弄12号 居委会会议室", starts_at=now + 30 * day,
               background="试点成功后，在延长新村其他楼栋推广加装电梯。", scope=Hearing.Scope.COMPOUNDS,
               compounds=[xincun], previous=pilot, units=[u for u in (firm,) if u])
        made.append(title)

    # Announced: parking fees for the whole committee; registration and opinions are open.
    title = "居民区停车收费标准调整听证"
    if title not in existing:
        hearing = _draft(committee, organizer, title=title, place="延长路149弄12号 居委会会议室",
                         starts_at=(now + 12 * day).replace(hour=14, minute=0),
                         background="物业公司提出将月租车位费由150元调整为200元，临时停车首小时免费。",
                         units=[u for u in (firm,) if u])
        hearing = services.hearing_announce(hearing=hearing, by=organizer)
        _take_part(hearing, _residents(committee=committee), rng, [
            "涨幅太大，希望分步调整。", "支持调整，但要先把车位划线和照明做好。",
            "外来车辆太多，应该提高临时停车费。"], skip)
        made.append(title)

    # In session, announced late with a reason shown publicly.
    title = "延长中路公寓垃圾分类投放点调整听证"
    if title not in existing:
        with _at(now - 3 * day):
            hearing = _draft(committee, organizer, title=title, place="延长中路公寓 会所一楼",
                             starts_at=now - timedelta(hours=1),
                             background="街道要求年底前完成投放点改造，拟将投放点从3号楼旁移至小区北门。",
                             scope=Hearing.Scope.COMPOUNDS, compounds=[zhonglu])
            hearing = services.hearing_announce(hearing=hearing, by=organizer,
                                                late_reason="街道要求本月底前完成投放点改造，无法提前十天公告。")
            _take_part(hearing, _residents(compound=zhonglu), rng, [
                "北门附近是老人活动区，不合适。", "支持移走，现在的位置夏天味道很大。", "请增加洗手池。"], skip)
        hearing = _hold_session(hearing, organizer, ["投放点离住户太近的问题必须解决。", "建议设置定时定点投放。"])
        made.append(title)

    # Minutes: written and sent to the attendees; the demo representative still has to confirm.
    title = "延长新村2号楼绿化改造听证"
    if title not in existing and "2号楼" in buildings:
        with _at(now - 20 * day):
            hearing = _draft(committee, organizer, title=title, place="延长新村 2号楼 楼前空地",
                             starts_at=(now - 6 * day).replace(hour=18, minute=30),
                             background="2号楼楼前绿地改造：保留大树，增加座椅和晾晒区。",
                             scope=Hearing.Scope.BUILDINGS, buildings=[buildings["2号楼"]])
            hearing = services.hearing_announce(hearing=hearing, by=organizer)
            _take_part(hearing, _residents(building=buildings["2号楼"]), rng, [
                "晾晒区要远离停车位。", "请保留现有的桂花树。"], skip)
        with _at((now - 6 * day).replace(hour=18, minute=30)):
            hearing = _hold_session(hearing, organizer, ["座椅放在树荫下。", "晾晒区放在东侧。"],
                                    attendee=demo.get("resident_rep"))
            hearing = services.hearing_session_end(hearing=hearing, by=organizer)
        _minutes(hearing, organizer, "保留大树；东侧设晾晒区；树荫下设座椅。", skip=skip, finalize=False)
        made.append(title)

    # Public notice: the use of the common room; one objection answered, one waiting.
    title = "社区活动室使用规则听证"
    if title not in existing:
        with _at(now - 25 * day):
            hearing = _draft(committee, organizer, title=title, place="延长路149弄12号 社区活动室",
                             starts_at=(now - 10 * day).replace(hour=15, minute=0),
                             background="活动室开放时间、预约办法和收费（水电）规则。")
            hearing = services.hearing_announce(hearing=hearing, by=organizer)
            _take_part(hearing, _residents(committee=committee), rng, [
                "晚上开放到九点。", "棋牌活动要控制音量。", "预约要公开透明。"], skip)
        with _at((now - 10 * day).replace(hour=15, minute=0)):
            hearing = _hold_session(hearing, organizer, ["支持延长开放时间。", "希望周末也开放。"])
            hearing = services.hearing_session_end(hearing=hearing, by=organizer)
        with _at(now - 2 * day):
            _minutes(hearing, organizer, "活动室每天 8:00–21:00 开放，线上预约，周末开放。", skip=skip)
            hearing = services.hearing_publish_outcome(
                hearing=hearing, by=organizer, decision="活动室每天 8:00–21:00 开放，实行线上预约。",
                reasons="听证会陈述人和书面意见多数支持延长开放时间；预约公开可避免争议。")
            people = [p for p in _residents(committee=committee) if p.pk not in skip][:2]
            objections = [services.hearing_objection_file(hearing=hearing, user=p, text=t)
                          for p, t in zip(people, ["21点太晚，会影响楼上住户休息。", "收费标准没有公布。"],
                                          strict=False)]
        if objections:
            services.hearing_objection_answer(objection=objections[0], by=organizer,
                                              answer="20:00 以后只开放阅读区，不安排棋牌和文体活动。")
        made.append(title)

    # Cancelled.
    title = "延长中路公寓外墙清洗听证"
    if title not in existing:
        hearing = _draft(committee, organizer, title=title, place="延长中路公寓 会所一楼", starts_at=now + 20 * day,
                         background="外墙清洗费用由维修资金列支的方案。", scope=Hearing.Scope.COMPOUNDS,
                         compounds=[zhonglu])
        services.hearing_cancel(hearing=hearing, by=organizer,
                                reason="业委会决定改由年度维修计划统一安排，本次听证取消。")
        made.append(title)

    if stdout is not None and made:
        stdout.write(f"Demo hearings: {len(made)} created ({', '.join(made)}).")
