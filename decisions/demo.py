"""Demo ballots for `seed_demo`: one in every state, in 延长居民区, through the services.

Idempotent: a ballot whose title already exists in the committee is left as it is.

Secret ballots are sealed like real ones: their boxes are opened with the card codes the services
returned when the cards were made. The open secret ballot's box is left for the developer: its
card code is printed once, by the run that creates it (development data only).
"""

import random
from datetime import timedelta
from decimal import Decimal

from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from decisions import services
from decisions.models import Ballot, Voice
from members.models import Building, Committee, Role, User

COMMITTEE = "延长居民区"


def _organizer(committee: Committee) -> User:
    return Role.objects.filter(kind=Role.Kind.ORGANIZER, committee=committee).select_related("user") \
        .order_by("pk").first().user


def _vote_some(ballot: Ballot, rng: random.Random, share: float, weights: tuple[int, int, int],
               skip: set[int] = frozenset()) -> None:
    """Let a share of the electorate vote, choosing yes/no/abstain with the given weights."""
    question = ballot.questions.get()
    options = {o.meaning: o.pk for o in question.options.all()}
    for voice in Voice.objects.filter(ballot=ballot).prefetch_related("holders").order_by("key"):
        holder = voice.holders.order_by("user_id").first()
        if holder is None or holder.user_id in skip or rng.random() > share:
            continue
        meaning = rng.choices(["yes", "no", "abstain"], weights=weights)[0]
        services.vote_cast(ballot=ballot, voter=holder.user, choices={question.pk: [options[meaning]]})


def seed(*, stdout=None) -> None:
    committee = Committee.objects.filter(name=COMMITTEE).first()
    if committee is None:
        return
    existing = set(Ballot.objects.filter(committee=committee).values_list("title", flat=True))
    organizer = _organizer(committee)
    rng = random.Random(2026)
    demo_resident = User.objects.filter(username="resident").first()
    rep = User.objects.filter(username="resident_rep").first()  # the demo's second scrutineer
    skip = {demo_resident.pk} if demo_resident else set()
    now = timezone.now()
    made = []
    cards = []  # (scrutineer, ballot, card code) of the boxes left for the developer to open

    title = "2026年居民区停车管理办法"
    if title not in existing:
        ballot = services.ballot_create(
            committee=committee, by=organizer, title=title, secrecy=Ballot.Secrecy.NAMED,
            electorate=Ballot.Electorate.RESIDENT_REPS, rule=Ballot.Rule.SIMPLE_MAJORITY,
            description="居民代表会议表决：小区内车辆停放时间、收费标准和临时停车办法。")
        services.ballot_open(ballot=ballot, by=organizer)
        _vote_some(ballot, rng, 0.9, (7, 2, 1))
        services.ballot_close(ballot=ballot, by=organizer)
        services.ballot_publish(ballot=ballot, by=organizer)
        made.append(title)

    building = Building.objects.filter(compound__committee=committee, compound__name="延长新村",
                                       name="1号楼").first()
    title = "延长新村1号楼加装电梯"
    if building is not None and title not in existing:
        ballot = services.ballot_create(
            committee=committee, by=organizer, title=title, secrecy=Ballot.Secrecy.SECRET,
            electorate=Ballot.Electorate.HOUSEHOLDS, building=building, rule=Ballot.Rule.ART278,
            closes_at=now + timedelta(days=10),
            description="按《民法典》第二百七十八条，由本楼业主按专有面积和人数表决。"
                        "费用分摊方案见居委会公告栏。")
        # No scrutineer named: the organizer who opens it is the only one, and gets her card now.
        ballot = services.ballot_open(ballot=ballot, by=organizer)
        cards.append((organizer, ballot, ballot.new_cards[organizer.pk]))
        _vote_some(ballot, rng, 0.8, (6, 2, 1), skip=skip)  # the demo resident still has to vote
        made.append(title)

    title = "社区活动室开放时间"
    if title not in existing and rep is not None:
        ballot = services.ballot_create(
            committee=committee, by=organizer, title=title, secrecy=Ballot.Secrecy.SECRET,
            electorate=Ballot.Electorate.RESIDENT_REPS, rule=Ballot.Rule.TWO_THIRDS, quorum=Decimal("0.5"),
            description="活动室是否延长开放到晚上九点。")
        # Two scrutineers, both needed: each takes a card before opening, and presents it after the close.
        services.scrutineers_set(ballot=ballot, by=organizer, users=[organizer, rep], threshold=2)
        codes = {user: services.scrutineer_take_card(ballot=ballot, user=user) for user in (organizer, rep)}
        services.ballot_open(ballot=ballot, by=organizer)
        _vote_some(ballot, rng, 0.8, (5, 3, 1))
        services.ballot_close(ballot=ballot, by=organizer)
        for user, code in codes.items():
            services.box_present(ballot=ballot, by=user, code=code)  # counted; the result waits to be published
        made.append(title)

    title = "小区快递柜选址"
    if title not in existing:
        ballot = services.ballot_create(
            committee=committee, by=organizer, title=title, secrecy=Ballot.Secrecy.SECRET,
            electorate=Ballot.Electorate.RESIDENT_REPS, description="快递柜设在南门还是北门。")
        services.ballot_open(ballot=ballot, by=organizer)
        _vote_some(ballot, rng, 0.7, (4, 4, 1))
        # A box whose scrutineers never opened it: closed with no days left to open it, then expired
        # by the scheduled job's own service, so the ballot ends "not counted".
        with override_settings(BALLOT_BOX_DAYS=0):
            services.ballot_close(ballot=ballot, by=organizer)
        services.boxes_expire()
        made.append(title)

    title = "小区绿化改造方案"
    if title not in existing:
        ballot = services.ballot_create(
            committee=committee, by=organizer, title=title, secrecy=Ballot.Secrecy.SECRET,
            electorate=Ballot.Electorate.HOUSEHOLDS, rule=Ballot.Rule.SIMPLE_MAJORITY,
            opens_at=now + timedelta(days=3), closes_at=now + timedelta(days=13),
            description="绿化改造的两个方案，听证会后表决。")
        if rep is not None:
            # Opened by the schedule, so its scrutineers are named now; each takes a card on their own
            # phone before the opening (the schedule will not open it while a card is missing).
            services.scrutineers_set(ballot=ballot, by=organizer, users=[organizer, rep], threshold=2)
        made.append(title)

    title = "垃圾分类投放时间调整"
    if title not in existing:
        ballot = services.ballot_create(
            committee=committee, by=organizer, title=title, secrecy=Ballot.Secrecy.NAMED,
            electorate=Ballot.Electorate.RESIDENT_REPS, description="早晚各两小时的投放时间。")
        services.ballot_cancel(ballot=ballot, by=organizer, reason="街道统一调整投放时间，本次表决取消。")
        made.append(title)

    if stdout is not None and made:
        stdout.write(f"Demo ballots: {len(made)} created ({', '.join(made)}).")
    if stdout is not None:
        for user, ballot, code in cards:
            _print_card(stdout, user, ballot, code)
    _seed_notifications(committee)


def _print_card(stdout, user: User, ballot: Ballot, code: str) -> None:
    """Print a scrutineer's card code: development data only, and shown this once, like the real card."""
    stdout.write("")
    stdout.write(f"Scrutineer card of {user.username} ({user.full_name}) for the open secret ballot "
                 f"“{ballot.title}”: {code}")
    stdout.write(f"  Shown only now (the server keeps no copy). After closing the ballot, sign in as "
                 f"{user.username} and present it at {reverse('decisions:ballot_box', args=[ballot.pk])}.")
    stdout.write("")


DEMO_ANNOUNCEMENT = ("社区活动室开放时间调整", "延长居民区居委会：自下月起，社区活动室每天开放到晚上九点。"
                     "活动室开放时间的表决结果已经结束计票，公布后会再通知大家。")


def _seed_notifications(committee: Committee) -> None:
    """An announcement for the demo residents, besides the opening and result notices the ballots sent."""
    from members.models import Notification
    from members.notifications import notify

    people = User.objects.filter(username__in=["resident", "resident_rep", "floor_leader", "party_member",
                                               "party_rep"])
    ballot = Ballot.objects.filter(committee=committee, title="社区活动室开放时间").first()
    title, body = DEMO_ANNOUNCEMENT
    notify(users=people, kind=Notification.Kind.ANNOUNCEMENT, title=title, body=body,
           url=ballot.get_absolute_url() if ballot else "", dedupe_key="demo:announcement:activity-room")
