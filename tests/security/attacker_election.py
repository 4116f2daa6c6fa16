"""The attacker test's election (tests/security/test_attacker.py): a secret art. 278 ballot voted
through the real pages with known choices — online, changed, assisted, on paper — and what a stolen
server gives: every table read raw, in physical order, and an access log."""

import json
import logging
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db import connection
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from decisions import selectors, services
from decisions.models import Ballot, PaperBatch, Question
from decisions.services import OptionSpec
from members import services as member_services
from tests.decisions.factories import make_floor_leader
from tests.factories import make_building, make_committee, make_compound, make_household, make_organizer, make_user

TICKETS = range(3)
FALLBACK = 0  # what an attack that learns nothing guesses
AREA, UNIQUE_AREA = "80.00", "123.45"  # one household has a floor area no other has
GROUPS = {"online": 6, "changed": 3, "assisted": 3, "paper": 3}  # voters scored; each group has 3 accomplices too


# --- The election ----------------------------------------------------------------------------------------

@dataclass
class Voter:
    user: object
    group: str
    ticket: int  # the final choice
    accomplice: bool
    area: str = AREA
    first: int | None = None  # a changed vote's first ticket


@dataclass
class Election:
    ballot: Ballot
    voters: list[Voter]
    tickets: list[dict[int, list[int]]]  # ticket → {question id: option ids}
    labels: dict[int, str]  # option id → label
    scrutineers: list
    sheet_order: list[int] = field(default_factory=list)  # the tickets of the paper sheets, as typed in
    comments: dict[int, dict[int, str]] = field(default_factory=dict)  # ticket → {evaluatee id: comment}

    def scored(self) -> list[Voter]:
        return [v for v in self.voters if not v.accomplice]

    def truth(self) -> dict[int, int]:
        return {v.user.pk: v.ticket for v in self.voters}

    def ticket_at(self, user_id: int, version: int) -> int:
        voter = next(v for v in self.voters if v.user.pk == user_id)
        return voter.first if voter.first is not None and version == 1 else voter.ticket


def _voter(building, n: int, area: str):
    """A household representative; names, usernames and door numbers of one length (pages show them)."""
    household = make_household(building, door_number=str(101 + n), floor_area=area)
    user = make_user(name=f"Voter {n:02d}", username=f"voter{n:02d}")
    membership = member_services.membership_ensure_verified(user=user, household=household, by=None)
    member_services.membership_set_representative(membership=membership, by=None)
    return user


def _election() -> tuple[Election, dict]:
    """Draft, name three scrutineers (any two open the box), open; the election and the people who run it."""
    committee = make_committee()
    building = make_building(make_compound(committee))
    voters = []
    for group, scored in GROUPS.items():
        for ticket, accomplice in [(i % 3, False) for i in range(scored)] + [(t, True) for t in TICKETS]:
            n = len(voters)
            area = UNIQUE_AREA if n == 1 else AREA
            voters.append(Voter(_voter(building, n, area), group, ticket, accomplice, area,
                                first=(ticket + 1) % 3 if group == "changed" else None))
    organizer, second = make_organizer(committee), make_organizer(committee)
    leader = make_floor_leader(building)
    ballot = services.ballot_create(committee=committee, by=organizer, title="加装电梯",
                                    electorate=Ballot.Electorate.HOUSEHOLDS, building=building,
                                    rule=Ballot.Rule.ART278, allow_change=True)
    times = services.question_add(ballot=ballot, by=organizer, text="哪些时间可以施工（最多两项）",
                                  kind=Question.Kind.MULTIPLE, max_choices=2,
                                  options=[OptionSpec("夜"), OptionSpec("工作日上午八点到十一点半之间"),
                                           OptionSpec("周末")])
    scrutineers = [organizer, voters[-1].user, second]
    services.scrutineers_set(ballot=ballot, by=organizer, users=scrutineers, threshold=2)
    for user in scrutineers:
        services.scrutineer_take_card(ballot=ballot, user=user)
    ballot = services.ballot_open(ballot=ballot, by=organizer)
    first = ballot.questions.get(position=1)
    meaning = {o.meaning: o.pk for o in first.options.all()}
    night, weekday, weekend = times.options.order_by("position").values_list("pk", flat=True)
    # Three tickets unlike in every way: the labels chosen, their lengths, how many boxes are ticked.
    tickets = [{first.pk: [meaning["yes"]], times.pk: [night]},
               {first.pk: [meaning["no"]], times.pk: [weekday, weekend]},
               {first.pk: [meaning["abstain"]], times.pk: [weekday]}]
    labels = {o.pk: o.label for q in ballot.questions.all() for o in q.options.all()}
    return Election(ballot, voters, tickets, labels, scrutineers), {
        "organizer": organizer, "second": second, "leader": leader}


# --- Voting through the pages, with an access log -------------------------------------------------------

class AccessLog:
    """What a front proxy logs of each request: when, which page, the status, the size (no user, no body).

    The size is the body's, as nginx's default "combined" format logs it ($body_bytes_sent). The
    headers are left out: the assisted-vote redirect sets a message cookie, compressed, holding the
    receipt, whose random letters make its size vary by a byte or two — noise, not the choice, but
    noise that would make an attack's score a matter of luck.
    """

    def __init__(self) -> None:
        self.lines: list[dict] = []

    def __call__(self, client: Client, method: str, path: str, data=None):
        start = timezone.now()
        response = getattr(client, method)(path, data or {})
        end = timezone.now()
        self.lines.append({"start": start.timestamp(), "end": end.timestamp(), "method": method.upper(),
                           "view": resolve(path.partition("?")[0]).url_name, "status": response.status_code,
                           "size": len(response.content)})
        return response


def _form(ticket: dict[int, list[int]]) -> dict[str, list[int]]:
    return {f"q{qid}": ids for qid, ids in ticket.items()}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(name: str, *args) -> str:
    return reverse(f"decisions:{name}", args=args)


def _vote_online(log: AccessLog, election: Election, voter: Voter, ticket: int, *, second_thoughts: bool = False):
    """The ballot page, the choices, (other choices, back to the form,) confirm, the receipt."""
    ballot, client = election.ballot, _client(voter.user)
    versions = selectors.voice_history(ballot, voter.user)[1]
    log(client, "get", _url("ballot_detail", ballot.pk))
    if second_thoughts:
        other = _form(election.tickets[(ticket + 2) % 3])
        assert log(client, "post", _url("ballot_vote", ballot.pk), other).status_code == 200
        assert log(client, "post", _url("ballot_vote", ballot.pk), {**other, "action": "change"}).status_code == 200
    form = _form(election.tickets[ticket])
    assert log(client, "post", _url("ballot_vote", ballot.pk), form).status_code == 200
    done = log(client, "post", _url("ballot_vote", ballot.pk),
               {**form, "action": "confirm", "after": versions[0].version if versions else 0})
    assert done.status_code == 302
    assert log(client, "get", done["Location"]).status_code == 200


def _vote_assisted(log: AccessLog, election: Election, voter: Voter, leader) -> None:
    """The floor leader enters the vote: forgets the consent note once (the form comes back), then records it."""
    ballot, client = election.ballot, _client(leader)
    path = _url("assisted_vote", ballot.pk)
    holder = selectors.voice_holders(ballot).get(user=voter.user)
    form = {"holder": holder.pk, **_form(election.tickets[voter.ticket])}
    log(client, "get", path)
    assert log(client, "post", path, {**form, "consent_note": ""}).status_code == 200
    done = log(client, "post", path, {**form, "consent_note": "上门询问，本人口述，邻居在场"})
    assert done.status_code == 302
    assert log(client, "get", done["Location"]).status_code == 200


def _vote_on_paper(log: AccessLog, election: Election, voters: list[Voter], organizer, second) -> None:
    """One organizer records the batch and types its sheets in; another confirms it."""
    ballot = election.ballot
    typist, checker = _client(organizer), _client(second)
    log(typist, "get", _url("paper_batches", ballot.pk))
    created = log(typist, "post", _url("paper_batches", ballot.pk), {
        "issued": len(voters), "returned": len(voters), "void": 0, "note": "", "voters": [v.user.pk for v in voters]})
    assert created.status_code == 302
    batch = PaperBatch.objects.get(ballot=ballot)
    listed = batch.voters.through.objects.filter(paperbatch=batch).order_by("pk").values_list("user_id", flat=True)
    by_user = {v.user.pk: v for v in voters}
    # The sheets come out of the box in an order unrelated to the list of who handed them in: here
    # that list shifted by one, so that typing order matches no voter (the attacker tries it anyway).
    order = [by_user[uid] for uid in [*listed[1:], listed[0]]]
    election.sheet_order = [v.ticket for v in order]
    path = _url("paper_batch", ballot.pk, batch.pk)
    for voter in order:
        typed = log(typist, "post", path, {**_form(election.tickets[voter.ticket]), "floor_area": voter.area})
        assert typed.status_code == 302
        log(typist, "get", path)
    log(checker, "get", _url("paper_batch_confirm", ballot.pk, batch.pk))
    assert log(checker, "post", _url("paper_batch_confirm", ballot.pk, batch.pk)).status_code == 302
    log(checker, "get", _url("paper_batches", ballot.pk))
    batch.refresh_from_db()
    assert batch.status == PaperBatch.Status.CONFIRMED


def _vote(election: Election, staff: dict, log: AccessLog) -> None:
    """Everybody votes, the groups interleaved as a real day would have them."""
    groups = defaultdict(list)
    for voter in election.voters:
        groups[voter.group].append(voter)
    online, changed, assisted = groups["online"], groups["changed"], groups["assisted"]
    for voter in online[: len(online) // 2]:
        _vote_online(log, election, voter, voter.ticket)
    for voter in changed:
        _vote_online(log, election, voter, voter.first)
    for voter in assisted[::2]:
        _vote_assisted(log, election, voter, staff["leader"])
    _vote_on_paper(log, election, groups["paper"], staff["organizer"], staff["second"])
    for voter in online[len(online) // 2:]:
        _vote_online(log, election, voter, voter.ticket)
    for voter in assisted[1::2]:
        _vote_assisted(log, election, voter, staff["leader"])
    for voter in changed:
        _vote_online(log, election, voter, voter.ticket, second_thoughts=True)


# --- What the attacker holds ---------------------------------------------------------------------------------

@dataclass
class World:
    tables: dict[str, dict]  # name → {"rows": rows in physical order, "relations": {column: table}}
    new: dict[str, list[dict]]  # name → rows written (or rewritten) since voting began
    access: list[dict]
    logs: list[logging.LogRecord]
    secret_key: str

    def but(self, **changes) -> "World":
        return World(**{**self.__dict__, **changes})


def _position(value) -> tuple:
    """A row's physical position: SQLite's rowid, PostgreSQL's ctid "(block,offset)"."""
    return (value,) if isinstance(value, int) else tuple(int(n) for n in str(value).strip("()").split(","))


def dump_database() -> dict[str, dict]:
    """Every table, every row, raw, in physical order, with the tables its columns refer to."""
    position = "rowid" if connection.vendor == "sqlite" else "ctid"
    tables = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.get_table_list(cursor):
            if table.type != "t":
                continue
            cursor.execute(f"SELECT {position}, * FROM {connection.ops.quote_name(table.name)}")
            columns = [c[0] for c in cursor.description][1:]
            rows = sorted(((_position(row[0]), [bytes(v) if isinstance(v, memoryview) else v for v in row[1:]])
                           for row in cursor.fetchall()), key=lambda r: r[0])
            relations = connection.introspection.get_relations(cursor, table.name)
            tables[table.name] = {"rows": [dict(zip(columns, values, strict=True)) for _p, values in rows],
                                  "relations": {column: target for column, (_c, target) in relations.items()}}
    return tables


def new_rows(before: dict, after: dict) -> dict[str, list[dict]]:
    """Per table, the rows (in physical order) that were not there, as they are, before voting began."""
    def key(row: dict) -> tuple:
        return tuple(sorted((k, repr(v)) for k, v in row.items()))

    found = {}
    for name, table in after.items():
        old = Counter(key(row) for row in before.get(name, {"rows": []})["rows"])
        found[name] = []
        for row in table["rows"]:
            if old[key(row)]:
                old[key(row)] -= 1
            else:
                found[name].append(row)
    return found


def _text(value) -> str:
    if isinstance(value, bytes):
        try:
            return value.decode()
        except UnicodeDecodeError:
            return value.decode("latin-1")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return "" if value is None else str(value)


TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:?\d\d|Z)?")


def _moment(value) -> float | None:
    """A stored timestamp (a datetime, or ISO text as SQLite keeps it) in seconds; None for anything else."""
    if isinstance(value, str) and TIMESTAMP.fullmatch(value):
        value = parse_datetime(value.replace(" ", "T"))
    if not isinstance(value, datetime):
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()


def _register(world: World, ballot: Ballot) -> list[dict]:
    """The ballot's register rows in physical order."""
    return [r for r in world.tables["deliberation_participation"]["rows"] if r["ballot_id"] == ballot.pk]


def _latest(register: list[dict]) -> dict[int, dict]:
    """Each voter's latest register row."""
    latest = {}
    for row in register:
        if row["user_id"] not in latest or row["version"] > latest[row["user_id"]]["version"]:
            latest[row["user_id"]] = row
    return latest
