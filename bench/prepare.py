"""Load-test data in the bench database, and a manifest the load driver reads (no Django there).

    DJANGO_SETTINGS_MODULE=config.settings .venv/bin/python -m bench.prepare OUT.json --cast-voters 6000 ...

Residents, households and memberships are bulk-inserted; ballots are created and opened through
the real services (the electorate snapshot is the core's own). Voters of the cast and burst phases
are signed in already (a session row each), as people are when a meeting starts voting; the
"flows" residents sign in with a password through the login page, at the production hasher's cost.
The burst's ballot and the sheet burst's evaluation (a committee of its own, 28 questions) each have
3 scrutineers, 2 of whom open the box; their cards' codes are in the manifest for bench/box.py.
"""

import argparse
import json
import secrets
from decimal import Decimal
from importlib import import_module

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.floor import ensure_table  # noqa: E402
from decisions import services  # noqa: E402
from decisions.models import Ballot  # noqa: E402
from members import services as member_services  # noqa: E402
from members.models import Agency, Building, Compound, Household, Membership, Role, Session, User  # noqa: E402
from members.sessions import SessionStore  # noqa: E402

PASSWORD = "bench-pass-2026"
EVALUATION_REPS = 60  # resident representatives who fill the published evaluation's sheets
BOX_THRESHOLD = 2  # of the 3 scrutineers of the boxes bench/box.py opens (the default 2 of 3)
# The stationed agencies and the work station that serve the sheet-burst committee: with the
# committee itself, 7 evaluatees × the 4 default dimensions = a sheet of 28 questions.
SHEET_AGENCIES = [(Agency.Kind.POLICE, "评议派出所"), (Agency.Kind.MARKET, "评议市场监管所"),
                  (Agency.Kind.CITY_MANAGEMENT, "评议城管中队"), (Agency.Kind.HOUSING, "评议房管办"),
                  (Agency.Kind.HEALTH, "评议社区卫生服务中心"), (Agency.Kind.WORK_STATION, "评议社区工作站")]
BATCH = 2000
READERS = 200  # the people who read each page of a voter's path in the bench's "step" phases


def households(building: Building, n: int, *, tag: str, password: str = "!") -> list[User]:  # noqa: S107 - unusable
    """``n`` households, each with one verified representative (bulk inserts, no history rows)."""
    homes = Household.objects.bulk_create(
        [Household(building=building, door_number=str(1001 + i), floor_area=Decimal("80.00")) for i in range(n)],
        batch_size=BATCH)
    users = User.objects.bulk_create(
        [User(username=f"{tag}-{i}", full_name=f"居民{i}", password=password) for i in range(n)], batch_size=BATCH)
    now = timezone.now()
    Membership.objects.bulk_create([Membership(user=u, household=h, status=Membership.Status.VERIFIED,
                                               is_representative=True, verified_at=now)
                                    for u, h in zip(users, homes, strict=True)], batch_size=BATCH)
    return users


def sessions(users: list[User]) -> list[str]:
    """A signed-in session for each user, as after a login, in the store the server reads: the
    database rows of members.sessions, or (with REDIS_URL, as in `make test-cluster`) the rows of
    Django's ``cached_db`` store, which the server reads through to on a cache miss."""
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    model = store_class.get_model_class() if settings.SESSION_ENGINE != "members.sessions" else Session
    store, expire, keys, rows = SessionStore(), timezone.now() + timezone.timedelta(days=1), [], []
    for user in users:
        key = secrets.token_hex(16)
        data = {SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: settings.AUTHENTICATION_BACKENDS[0],
                HASH_SESSION_KEY: user.get_session_auth_hash()}
        extra = {"user": user} if model is Session else {}
        rows.append(model(session_key=key, session_data=store.encode(data), expire_date=expire, **extra))
        keys.append(key)
    model.objects.bulk_create(rows, batch_size=BATCH)
    return keys


def open_ballot(committee, building, organizer, title: str, scrutineers: list[User] = (),
                **extra) -> tuple[Ballot, int, int]:
    """Open a secret ballot (the default).

    Without ``scrutineers`` the organizer is its only one (their card in ``ballot.new_cards``); with
    them, any 2 of them open its box, and the codes of their cards are kept
    (``ballot.cards``: [user id, code], in their order) for bench/box.py to present.
    """
    ballot = services.ballot_create(committee=committee, by=organizer, title=title,
                                    electorate=Ballot.Electorate.HOUSEHOLDS, building=building, **extra)
    cards = []
    if scrutineers:
        services.scrutineers_set(ballot=ballot, by=organizer, users=scrutineers, threshold=BOX_THRESHOLD)
        cards = [[u.pk, services.scrutineer_take_card(ballot=ballot, user=u)] for u in scrutineers]
    ballot = services.ballot_open(ballot=ballot, by=organizer)
    ballot.cards = cards
    question = ballot.questions.get()
    return ballot, question.pk, question.options.get(meaning="yes").pk


def published_evaluation(street, committee, organizer, officer) -> int:
    """A published year-end evaluation of the committee (real services: sheets cast through the core)."""
    from evaluations import services as evaluations
    from evaluations.models import SheetItem

    for kind, name in ((Agency.Kind.POLICE, "压测派出所"), (Agency.Kind.WORK_STATION, "压测社区工作站")):
        member_services.agency_ensure(street=street, kind=kind, name=name, committees=[committee])
    reps = User.objects.bulk_create([User(username=f"evaluator-{i}", full_name=f"居民代表{i}", password="!")
                                     for i in range(EVALUATION_REPS)])
    Role.objects.bulk_create([Role(user=u, kind=Role.Kind.RESIDENT_REPRESENTATIVE, committee=committee)
                              for u in reps])
    campaign = evaluations.campaign_create(committee=committee, by=organizer, settings=evaluations.CampaignSettings(
        year=timezone.localdate().year, title="压测年度评议", include_committee=True))
    campaign = evaluations.campaign_open(campaign=campaign, by=organizer)
    card = campaign.new_card  # no scrutineer named: the organizer who opens is the only one
    items = list(SheetItem.objects.filter(campaign=campaign).prefetch_related("question__options"))
    for i, user in enumerate(reps):
        ratings = {}
        for j, item in enumerate(items):
            options = sorted(item.question.options.all(), key=lambda o: o.position)
            ratings[item.question_id] = options[(i + j) % 3].pk
        evaluations.sheet_submit(campaign=campaign, voter=user, ratings=ratings, comments={})
    evaluations.campaign_close(campaign=campaign, by=officer)
    services.box_present(ballot=campaign.ballot, by=organizer, code=card)
    evaluations.campaign_publish(campaign=campaign, by=officer)
    return campaign.pk


def sheet_campaign(street, organizer, officer, voters: int) -> tuple[dict, list[str], dict]:
    """An open evaluation of its own committee, for the sheet burst: 28 questions, ``voters`` households.

    Its box is opened by 2 of 3 scrutineers, as a secret ballot's is. Returns what the driver posts
    (the campaign, its questions with their levels, its evaluatees), the evaluators' sessions, and
    the box to open (bench/box.py).
    """
    from evaluations import services as evaluations
    from evaluations.models import Campaign, SheetItem

    committee = member_services.committee_ensure(street=street, name="压测评议居民区")
    member_services.role_grant(user=organizer, kind=Role.Kind.ORGANIZER, committee=committee, by=None)
    for kind, name in SHEET_AGENCIES:
        member_services.agency_ensure(street=street, kind=kind, name=name, committees=[committee])
    compound = Compound.objects.create(committee=committee, name="压测评议小区")
    building = Building.objects.create(compound=compound, name="评议楼")
    users = households(building, voters, tag="sheet")
    campaign = evaluations.campaign_create(committee=committee, by=organizer, settings=evaluations.CampaignSettings(
        year=timezone.localdate().year, title="压测评议表", include_committee=True,
        evaluators=Campaign.Evaluators.HOUSEHOLDS))
    scrutineers = [organizer, officer, users[0]]
    evaluations.campaign_scrutineers_set(campaign=campaign, by=organizer, users=scrutineers,
                                         threshold=BOX_THRESHOLD)
    ballot = Campaign.objects.get(pk=campaign.pk).ballot
    cards = [[u.pk, services.scrutineer_take_card(ballot=ballot, user=u)] for u in scrutineers]
    campaign = evaluations.campaign_open(campaign=campaign, by=organizer)
    items = SheetItem.objects.filter(campaign=campaign).select_related("question").order_by("question__position")
    questions = [[item.question_id, list(item.question.options.order_by("position").values_list("pk", flat=True))]
                 for item in items]
    sheet = {"campaign": campaign.pk, "questions": questions,
             "evaluatees": list(campaign.evaluatees.order_by("position").values_list("pk", flat=True))}
    box = {"ballot": ballot.pk, "campaign": campaign.pk, "organizer": organizer.pk, "cards": cards}
    return sheet, sessions(users), box


def requests_year(committee, compound, organizer, n: int = 600) -> None:
    """A year of residents' requests in the bench committee (the committee's queue and heat page):
    most closed, some open with the property firm, a few escalated (rows as the services leave them)."""
    import random
    from datetime import timedelta

    from casework.models import Case, Category

    firm = member_services.agency_ensure(street=committee.street, kind=Agency.Kind.PROPERTY_FIRM, name="压测物业")
    buildings = list(Building.objects.filter(compound=compound).values_list("pk", flat=True))
    rng, now, categories = random.Random(2026), timezone.now(), list(Category.values)
    rows = []
    for i in range(n):
        created = now - timedelta(days=rng.randrange(0, 365), minutes=rng.randrange(0, 600))
        done = i % 10 != 0
        answered = created + timedelta(days=rng.randrange(0, 10)) if done else None
        rows.append(Case(
            committee=committee, compound=compound, building_id=rng.choice(buildings), category=rng.choice(categories),
            description="压测诉求", requester_name="居民", recorded_by=organizer, handler=firm,
            status=Case.Status.CLOSED if done else Case.Status.ACCEPTED,
            level=Case.Level.STREET if i % 50 == 0 else Case.Level.HANDLER, created_at=created, routed_at=created,
            due_on=(created + timedelta(days=7)).date(), answer="已处理" if done else "", answered_at=answered,
            answered_by_handler=done, answer_days=(answered - created).days if done else None,
            answered_on_time=bool(done and (answered - created).days <= 7),
            rating=Case.Rating.SATISFIED if done else "", rated_at=answered, done_at=answered))
    Case.objects.bulk_create(rows, batch_size=BATCH)


def path_steps(readers: list, receipts: list, published: list) -> dict:
    """The steps of a voter's path that bench/load.py's "step" phase repeats, each with the people who
    take it: [session, URL, the form it posts or None]. GETs are weighed against the read floor,
    POSTs against the write floor (bench/run.py)."""
    def get(rows):
        return {"method": "GET", "ok": [200], "rows": rows}

    return {
        "read floor": get([[key, "/bench/page/", None] for _u, key, *_ in readers]),
        "home page": get([[key, "/", None] for _u, key, *_ in readers]),
        "ballot page": get([[key, f"/ballots/{ballot}/", None] for _u, key, ballot, _q, _y in readers]),
        # The choices, posted: the confirmation page comes back; nothing is written yet.
        "choices": {"method": "POST", "ok": [200], "rows": [
            [key, f"/ballots/{ballot}/vote/", {f"q{qid}": str(yes)}] for _u, key, ballot, qid, yes in readers]},
        "receipt": get(receipts),
        "published results": get(published),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--cast-voters", type=int, default=6000)
    parser.add_argument("--cast-ballots", type=int, default=12)
    parser.add_argument("--burst-voters", type=int, default=2000)
    parser.add_argument("--flow-residents", type=int, default=300)
    parser.add_argument("--results-voters", type=int, default=200)
    parser.add_argument("--sheet-voters", type=int, default=2000)
    args = parser.parse_args()

    ensure_table()
    street = member_services.street_ensure(name="压测街道")
    committee = member_services.committee_ensure(street=street, name="压测居民区")
    compound = Compound.objects.create(committee=committee, name="压测小区")
    organizer = User.objects.create(username="bench-organizer", full_name="压测干部", password="!")
    member_services.role_grant(user=organizer, kind=Role.Kind.ORGANIZER, committee=committee, by=None)
    officer = User.objects.create(username="bench-street", full_name="压测街道干部", password="!")
    member_services.role_grant(user=officer, kind=Role.Kind.STREET_OFFICER, street=street, by=None)
    manifest = {"cast": [], "burst": [], "flow_residents": [], "password": PASSWORD}

    per_ballot = max(1, args.cast_voters // args.cast_ballots)
    voters = []  # [user, session, ballot, question, "yes" option] of every cast ballot's voters
    for b in range(args.cast_ballots):
        building = Building.objects.create(compound=compound, name=f"{b + 1}号楼")
        users = households(building, per_ballot, tag=f"cast{b}")
        ballot, qid, yes = open_ballot(committee, building, organizer, f"压测表决 {b + 1}")
        voters += [[user, key, ballot.pk, qid, yes] for user, key in zip(users, sessions(users), strict=True)]
    # From the end of the list: the people each page of a voter's path is read by (READERS who have
    # not voted, READERS who have, with their receipts), the whole votes' voters (a third), and the
    # cast phase's (the rest, from the first ballot on).
    readers, voted = voters[-READERS:], voters[-2 * READERS:-READERS]
    rest = voters[:-2 * READERS]
    manifest["whole"] = [row[1:] for row in rest[-(len(rest) // 3):]]
    manifest["cast"] = [row[1:] for row in rest[:-(len(rest) // 3)]]
    receipts, ballots = [], {}
    for user, key, ballot_id, qid, yes in voted:
        ballot = ballots.setdefault(ballot_id, Ballot.objects.get(pk=ballot_id))
        code = services.vote_cast(ballot=ballot, voter=user, choices={qid: [yes]}).receipt
        receipts.append([key, f"/ballots/{ballot_id}/receipt/{code}/", None])

    # The burst's ballot has 3 scrutineers; bench/box.py opens its box afterwards with 2 of their cards.
    building = Building.objects.create(compound=compound, name="现场会议楼")
    users = households(building, args.burst_voters, tag="burst")
    ballot, qid, yes = open_ballot(committee, building, organizer, "现场表决",
                                   scrutineers=[organizer, officer, users[0]])
    manifest["burst"] = [[key, ballot.pk, qid, yes] for key in sessions(users)]
    manifest["box"] = {"ballot": {"ballot": ballot.pk, "organizer": organizer.pk, "cards": ballot.cards,
                                  "choices": {qid: [yes]}}}

    manifest["sheet"], manifest["sheets"], manifest["box"]["sheets"] = sheet_campaign(
        street, organizer, officer, args.sheet_voters)

    building = Building.objects.create(compound=compound, name="登录楼")
    users = households(building, args.flow_residents, tag="flow", password=make_password(PASSWORD))
    ballot, qid, yes = open_ballot(committee, building, organizer, "登录后表决")
    manifest["flow_residents"] = [[u.username, ballot.pk, qid, yes] for u in users]

    building = Building.objects.create(compound=compound, name="已公布楼")
    published_voters = households(building, args.results_voters, tag="published")
    ballot, qid, yes = open_ballot(committee, building, organizer, "已公布的表决")
    for user in published_voters:
        services.vote_cast(ballot=ballot, voter=user, choices={qid: [yes]})
    services.ballot_close(ballot=ballot, by=organizer)
    services.box_present(ballot=ballot, by=organizer, code=ballot.new_cards[organizer.pk])
    services.ballot_publish(ballot=ballot, by=organizer)

    campaign = published_evaluation(street, committee, organizer, officer)
    requests_year(committee, compound, organizer)

    organizer_session, officer_session = sessions([organizer, officer])
    published = [[key, f"/ballots/{ballot.pk}/results/", None] for key in sessions(published_voters[:READERS])]
    manifest["steps"] = path_steps(readers, receipts, published) | {
        f"{who}: {name}": {"method": "GET", "ok": [200], "rows": [[session, url, None]]}
        for who, session, urls in (
            ("organizer", organizer_session, {"ballots": f"/committees/{committee.pk}/ballots/",
                                               "results": f"/ballots/{ballot.pk}/results/"}),
            ("street office", officer_session, {"street": f"/streets/{street.pk}/",
                                                "dashboard": f"/streets/{street.pk}/evaluations/dashboard/"}))
        for name, url in urls.items()}
    manifest["pages"] = {
        "organizer": {"session": organizer_session, "urls": {
            "results": f"/ballots/{ballot.pk}/results/", "committee_ballots": f"/committees/{committee.pk}/ballots/",
            "requests": f"/committees/{committee.pk}/casework/"}},
        "street": {"session": officer_session, "urls": {"street": f"/streets/{street.pk}/"}},
        "evaluations": {"session": officer_session, "urls": {
            "dashboard": f"/streets/{street.pk}/evaluations/dashboard/",
            "dashboard bars": f"/streets/{street.pk}/evaluations/chart/bars.json",
            "dashboard trend": f"/streets/{street.pk}/evaluations/chart/trend.json",
            "committee results": f"/evaluations/{campaign}/results/"}},
    }
    # Statistics for the planner, as a database in service has them (autovacuum would analyze the
    # new rows only some time into the run, after each connection had planned its prepared statements).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    with open(args.out, "w") as handle:
        json.dump(manifest, handle)


if __name__ == "__main__":
    main()
