"""The acceptance test of the sealed ballot box: play the attacker who holds everything but the cards.

A secret art. 278 ballot is voted through the real pages — online, changed, assisted, a paper batch
typed in by one organizer and confirmed by another — with known choices. Then the attacker takes
what a stolen server gives: every table read raw (in physical order: SQLite rowid, PostgreSQL
ctid), ``SECRET_KEY``, an access log (time, page, status, response size of every request) and the
application log at DEBUG (SQL at INFO, as in production). Each attack guesses every voter's choice;
its score is the fraction it gets right. The choices are balanced over three tickets, so chance is
1/3, and no attack may beat it by more than one voter in fifteen. Runs on SQLite and on PostgreSQL
(``DATABASE_URL``), like the rest of the suite.

The attacker is strong: in each group of voters (online, changed, assisted, paper) three
accomplices vote one ticket each and say which, so any size, length or column that follows the
choice shows in their rows and is looked up for everybody else (a codebook). The attacks are shown
to find planted leaks; the box is shown to hold the choices by opening it with two of the three
scrutineers' cards and counting.
"""

import hashlib
import hmac
import json
import logging
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import escape

from decisions import box, selectors, services
from decisions.models import Ballot, PaperBatch, Question
from decisions.services import OptionSpec
from evaluations import selectors as evaluation_selectors
from evaluations import services as evaluation_services
from evaluations.models import Comment
from members import services as member_services
from tests.decisions.factories import make_floor_leader, open_box
from tests.factories import make_building, make_committee, make_compound, make_household, make_organizer, make_user

pytestmark = pytest.mark.django_db

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


# --- Reading a choice, and a voter, out of bytes ----------------------------------------------------------------

def _stored_forms(label: str) -> set[str]:
    """A label as it may be stored: plain, JSON-escaped, HTML-escaped."""
    return {label, json.dumps(label)[1:-1], escape(label)}


class Reader:
    """Recognises a choice (a ticket) and a voter in any stored or logged value."""

    def __init__(self, election: Election, world: World) -> None:
        owners = defaultdict(set)
        for t, ticket in enumerate(election.tickets):
            for pk in sum(ticket.values(), []):
                owners[pk].add(t)
        # An option of one ticket only gives that ticket away: by its id, its label, or in a paper's text.
        self.telling = {pk: min(ts) for pk, ts in owners.items() if len(ts) == 1}
        self.labels = {form: t for pk, t in self.telling.items()
                       for form in _stored_forms(election.labels[pk])}
        self.papers = {box.paper_text(sorted(sum(ticket.values(), [])), area, None).decode(): t
                       for t, ticket in enumerate(election.tickets) for area in (AREA, UNIQUE_AREA, None)}
        self.comments = {form: t for t, texts in election.comments.items() for text in texts.values()
                         for form in _stored_forms(text)}
        # A voter: their user id in a column that refers to users; in text, their username, name,
        # receipts, voice key, and the voice key's HMAC under SECRET_KEY (every tag the code has made).
        ballot = election.ballot
        voices = {r["id"]: r["key"] for r in world.tables["deliberation_voice"]["rows"] if r["ballot_id"] == ballot.pk}
        self.voters = {v.user.pk for v in election.voters}
        self.tokens = {**{v.user.username: v.user.pk for v in election.voters},
                       **{v.user.full_name: v.user.pk for v in election.voters}}
        self.tags = {}
        for row in _register(world, ballot):
            voice_key = voices[row["voice_id"]]
            self.tokens[row["receipt"]] = self.tokens[voice_key] = row["user_id"]
            for message in (f"sanhui-voice:{ballot.pk}:{voice_key}",
                            f"sanhui-evaluation-comment:{ballot.subject_id}:{voice_key}"):
                tag = hmac.new(world.secret_key.encode(), message.encode(), hashlib.sha256).hexdigest()
                self.tags[tag] = row["user_id"]

    def tickets_in_text(self, text: str) -> set[int]:
        found = {t for form, t in {**self.labels, **self.comments}.items() if form in text}
        found |= {t for paper, t in self.papers.items() if paper in text}
        for ids in re.findall(r'"o":\s*\[([\d,\s]*)\]', text):  # a paper's option list
            found |= {self.telling[int(pk)] for pk in re.findall(r"\d+", ids) if int(pk) in self.telling}
        for pk in re.findall(r"\bq\d+=(\d+)", text):  # a vote form's field
            if int(pk) in self.telling:
                found.add(self.telling[int(pk)])
        return found

    def tickets_in_row(self, table: dict, row: dict) -> set[int]:
        found = set()
        for column, value in row.items():
            if table["relations"].get(column) == "deliberation_option" and value in self.telling:
                found.add(self.telling[value])
            elif isinstance(value, str | bytes | dict | list):
                found |= self.tickets_in_text(_text(value))
        return found

    def voters_in_text(self, text: str) -> set[int]:
        found = {uid for token, uid in self.tokens.items()
                 if re.search(rf"(?<![\w-]){re.escape(token)}(?![\w-])", text)}
        return found | {uid for tag, uid in self.tags.items() if tag in text}

    def voters_in_row(self, table: dict, row: dict) -> set[int]:
        found = set()
        for column, value in row.items():
            if table["relations"].get(column) == "members_user" and value in self.voters:
                found.add(value)
            elif isinstance(value, str | bytes | dict | list):
                found |= self.voters_in_text(_text(value))
        return found


def sightings(world: World, reader: Reader) -> list[str]:
    """Every row written since voting began and every log record that shows a choice in the clear."""
    found = [f"{name}: {row}"[:300] for name, rows in world.new.items() for row in rows
             if reader.tickets_in_row(world.tables.get(name, {"relations": {}}), row)]
    return found + [record.getMessage()[:300] for record in world.logs
                    if reader.tickets_in_text(f"{record.getMessage()} {record.args!r}")]


# --- The attacks: each returns {user id: guessed ticket} -------------------------------------------------------

def codebook(election: Election, feature: dict[int, object]) -> dict[int, int]:
    """Guess a voter's ticket from ``feature`` where the accomplices' values give one ticket only."""
    book = defaultdict(set)
    for voter in election.voters:
        if voter.accomplice and voter.user.pk in feature:
            book[feature[voter.user.pk]].add(voter.ticket)
    guesses = {}
    for voter in election.scored():
        tickets = book.get(feature.get(voter.user.pk), set())
        if len(tickets) == 1:
            guesses[voter.user.pk] = min(tickets)
    return guesses


# The page that casts → the pages of its flow: online votes, assisted votes, evaluation sheets.
FLOWS = {"ballot_vote": {"ballot_detail", "ballot_vote", "ballot_receipt"}, "assisted_vote": {"assisted_vote"},
         "sheet_fill": {"campaign_detail", "sheet_fill"}}


def _windows(world: World, election: Election) -> dict[tuple[int, int], list[dict]]:
    """The access-log lines of each online or assisted cast, found by time: (user, version) → lines.

    The register says when each cast was written (``cast_at``); the request that wrote it is the
    POST answered by a redirect around that moment, and the cast's own requests are those of the
    same pages since the cast before it, up to the page the redirect led to.
    """
    casts = sorted(((_moment(r["cast_at"]), r) for r in _register(world, election.ballot) if r["channel"] != "paper"),
                   key=lambda cast: cast[0])
    posts = [i for i, line in enumerate(world.access)
             if line["method"] == "POST" and line["status"] == 302 and line["view"] in FLOWS]
    windows, previous = {}, -1
    for moment, row in casts:
        anchor = next(i for i in posts if world.access[i]["start"] <= moment <= world.access[i]["end"])
        mine = FLOWS[world.access[anchor]["view"]]
        windows[(row["user_id"], row["version"])] = [line for line in world.access[previous + 1: anchor + 2]
                                                     if line["view"] in mine]
        previous = anchor + 1
    return windows


def attack_response_sizes(world: World, election: Election) -> dict[str, dict[int, int]]:
    """Sizes in the access log, joined to the register by time: the whole cast, each step alone, each step
    less the step before it (which takes away what changes with the hour, such as the turnout shown),
    and whichever of these guesses."""
    windows = _windows(world, election)
    attacks, steps, deltas = {}, defaultdict(dict), defaultdict(dict)
    whole = {}
    for uid, row in _latest(_register(world, election.ballot)).items():
        lines = windows.get((uid, row["version"]))
        if lines is None:
            continue
        state = (row["channel"], row["version"] > 1)
        whole[uid] = (state, tuple((line["view"], line["method"], line["status"], line["size"]) for line in lines))
        seen = Counter()
        for previous, line in zip([None, *lines], lines, strict=False):
            kind = (line["method"], line["view"], line["status"])
            step = (*kind, seen[kind])
            seen[kind] += 1
            steps[step][uid] = (state, line["size"])
            if previous is not None:
                deltas[step][uid] = (state, line["size"] - previous["size"])
    attacks["sizes: every request of the cast"] = codebook(election, whole)
    for suffix, features in (("", steps), (", less the step before", deltas)):
        for (method, view, status, n), feature in sorted(features.items()):
            attacks[f"sizes: {method} {view} → {status} (#{n + 1}){suffix}"] = codebook(election, feature)
    anything = {}
    for guesses in list(attacks.values()):
        for uid, ticket in guesses.items():
            anything.setdefault(uid, ticket)
    attacks["sizes: whichever step guesses"] = anything
    return attacks


def attack_paper_typing_order(world: World, election: Election) -> dict[str, dict[int, int]]:
    """The paper sheets in the order they were typed in (the organizer's page shows each), matched with
    the batch's list of voters as stored (the link table's physical order)."""
    if not election.sheet_order:
        return {}
    batches = {r["id"] for r in world.tables["deliberation_paperbatch"]["rows"] if r["ballot_id"] == election.ballot.pk}
    listed = [r["user_id"] for r in world.tables["deliberation_paperbatch_voters"]["rows"]
              if r["paperbatch_id"] in batches]
    return {"sizes: paper sheets in typing order, next to the batch's voters": dict(
        zip(listed, election.sheet_order, strict=True))}


def attack_register_columns(world: World, election: Election) -> dict[str, dict[int, int]]:
    """What the register says of each voter's latest vote, looked up in the accomplices' rows."""
    register = _register(world, election.ballot)
    latest = _latest(register)
    versions = Counter(r["user_id"] for r in register)
    voices = {r["id"]: r for r in world.tables["deliberation_voice"]["rows"]}
    features = {
        "number of versions": {uid: versions[uid] for uid in latest},
        "channel": {uid: r["channel"] for uid, r in latest.items()},
        "entered by": {uid: r["entered_by_id"] for uid, r in latest.items()},
        "sealed paper length": {uid: (r["channel"], len(r["paper"] or b"")) for uid, r in latest.items()},
        "floor area": {uid: str(voices[r["voice_id"]]["floor_area"]) for uid, r in latest.items()},
        "receipt's first letters": {uid: r["receipt"][:2] for uid, r in latest.items()},
    }
    return {f"register: {name}": codebook(election, feature) for name, feature in features.items()}


def attack_stored_bytes(world: World, election: Election, reader: Reader) -> dict[str, dict[int, int]]:
    """Every row written since voting began that shows a choice, tied to a voter by anything: a voter in the
    same row (user id, name, receipt, voice key, HMAC tag), or its place beside the register — physical
    order, id order, nearest timestamp — or beside the register chain (ledger order)."""
    register = _register(world, election.ballot)
    latest = _latest(register)
    versions = [(r["user_id"], r["version"]) for r in register]
    casts = [(_moment(r["cast_at"]), (r["user_id"], r["version"])) for r in register]
    showing = {name: [(row, ts) for row in rows if (ts := reader.tickets_in_row(world.tables[name], row))]
               for name, rows in world.new.items()}
    attacks = {name: {} for name in ("a voter in the same row", "physical order", "id order", "nearest timestamp",
                                     "ledger order")}

    def keep(name: str, by_version: dict) -> None:
        attacks[name].update({uid: by_version[(uid, row["version"])] for uid, row in latest.items()
                              if (uid, row["version"]) in by_version})

    for name, rows in showing.items():
        if not rows:
            continue
        for row, tickets in rows:
            for uid in reader.voters_in_row(world.tables[name], row):
                attacks["a voter in the same row"][uid] = min(tickets)
        keep("physical order", dict(zip(versions, [min(ts) for _r, ts in rows], strict=False)))
        if all("id" in row for row, _ts in rows):
            by_id = sorted(rows, key=lambda item: (isinstance(item[0]["id"], str), str(item[0]["id"]).zfill(20)))
            register_by_id = [(r["user_id"], r["version"]) for r in sorted(register, key=lambda r: r["id"])]
            keep("id order", dict(zip(register_by_id, [min(ts) for _r, ts in by_id], strict=False)))
        timed = {}
        for row, tickets in rows:
            moments = [m for m in map(_moment, row.values()) if m is not None]
            if moments:
                timed[min(casts, key=lambda c: min(abs(c[0] - m) for m in moments))[1]] = min(tickets)
        keep("nearest timestamp", timed)
    chain = f"b{election.ballot.pk}:register"
    entries = sorted((r for r in world.tables["deliberation_ledgerentry"]["rows"] if r["chain"] == chain),
                     key=lambda r: r["seq"])
    by_seq = [(json.loads(r["payload"])["user"], json.loads(r["payload"])["version"]) for r in entries]
    keep("ledger order", dict(zip(by_seq, [min(ts) for _r, ts in showing.get("deliberation_ledgerentry", [])],
                                  strict=False)))
    return {f"stored bytes: {name}": guesses for name, guesses in attacks.items()}


def attack_logs(world: World, election: Election, reader: Reader) -> dict[str, dict[int, int]]:
    """Every application log record that shows a choice: the voter it names, or the cast nearest in time."""
    register = _register(world, election.ballot)
    casts = [(_moment(r["cast_at"]), (r["user_id"], r["version"])) for r in register]
    direct, timed = {}, {}
    for record in world.logs:
        text = f"{record.getMessage()} {record.args!r}"
        tickets = reader.tickets_in_text(text)
        if tickets:
            direct.update(dict.fromkeys(reader.voters_in_text(text), min(tickets)))
            timed[min(casts, key=lambda c: abs(c[0] - record.created))[1]] = min(tickets)
    by_time = {uid: timed[(uid, r["version"])] for uid, r in _latest(register).items() if (uid, r["version"]) in timed}
    return {"log: a voter in the same record": direct, "log: the cast nearest in time": by_time}


def attack_voice_tags(world: World, election: Election, reader: Reader) -> dict[str, dict[int, int]]:
    """Each voice key's HMAC under SECRET_KEY (the tags the code has used), anywhere in the database next
    to a choice."""
    guesses = {}
    for table in world.tables.values():
        for row in table["rows"]:
            text = " ".join(_text(v) for v in row.values())
            holders = {uid for tag, uid in reader.tags.items() if tag in text}
            if holders and (tickets := reader.tickets_in_row(table, row)):
                guesses.update(dict.fromkeys(holders, min(tickets)))
    return {"HMAC of voice keys under SECRET_KEY": guesses}


def score(election: Election, guesses: dict[int, int]) -> float:
    """The fraction of scored voters whose final choice is guessed; no guess is the fallback ticket."""
    scored = election.scored()
    return sum(guesses.get(v.user.pk, FALLBACK) == v.ticket for v in scored) / len(scored)


def run_attacks(world: World, election: Election) -> dict[str, float]:
    reader = Reader(election, world)
    attacks = {**attack_response_sizes(world, election), **attack_paper_typing_order(world, election),
               **attack_register_columns(world, election), **attack_stored_bytes(world, election, reader),
               **attack_logs(world, election, reader), **attack_voice_tags(world, election, reader)}
    return {name: score(election, guesses) for name, guesses in attacks.items()}


def scoreboard(scores: dict[str, float]) -> str:
    return "\n".join(f"{value:5.2f}  {name}" for name, value in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0])))


# --- The tests ---------------------------------------------------------------------------------------------------

@pytest.fixture
def stolen(caplog, settings):
    """Vote, close, and hand the attacker the database, SECRET_KEY, the access log and the application log."""
    settings.VOTE_THROTTLE = "1000/60"  # the whole building votes from one test process
    caplog.set_level(logging.DEBUG)
    for name in ("django", "decisions", "deliberation", "members", "evaluations"):
        caplog.set_level(logging.DEBUG, logger=name)
    assert logging.getLogger("django.db.backends").getEffectiveLevel() == logging.INFO  # as in production
    election, staff = _election()
    before = dump_database()
    log = AccessLog()
    _vote(election, staff, log)
    services.ballot_close(ballot=election.ballot, by=staff["organizer"])
    election.ballot.refresh_from_db()
    logging.getLogger("decisions").debug("capture-probe")
    tables = dump_database()
    world = World(tables, new_rows(before, tables), log.lines, caplog.get_records("setup"), settings.SECRET_KEY)
    return election, world, staff


def test_an_attacker_holding_the_database_and_the_logs_guesses_no_choice_better_than_chance(stolen, capsys):
    election, world, _staff = stolen
    scored = election.scored()
    baseline = max(Counter(v.ticket for v in scored).values()) / len(scored)
    assert len(scored) == 15 and baseline == pytest.approx(1 / 3)
    # The attacker holds it all: every cast in the register, the sheets in the box, the requests, the log.
    assert len(_register(world, election.ballot)) == 27 + 6  # six voters changed their vote
    assert len(world.tables["deliberation_sealedsheet"]["rows"]) == 6
    assert len(world.access) > 100 and {line["status"] for line in world.access} == {200, 302}
    assert "capture-probe" in [r.getMessage() for r in world.logs]
    assert sum(map(len, world.new.values())) > 100

    # No choice in the clear anywhere: not in a row written since voting began, not in a log record.
    assert sightings(world, Reader(election, world)) == []
    scores = run_attacks(world, election)
    with capsys.disabled():
        print(f"\n{connection.vendor}: chance {baseline:.2f}\n{scoreboard(scores)}")
    assert len(scores) > 25
    assert max(scores.values()) <= baseline + 1 / len(scored) + 1e-9, scoreboard(scores)


def test_the_attacks_find_a_leak_when_there_is_one(stolen):
    """Planted leaks: a table of choices in cast order, a log line naming the voter, pages whose size
    follows the labels chosen (as the confirmation page's did before it was made one size)."""
    election, world, _staff = stolen
    reader = Reader(election, world)
    options = world.tables["deliberation_option"]
    assert {t for row in options["rows"] for t in reader.tickets_in_row(options, row)} == set(TICKETS)

    planted = [{"id": row["id"], "content": box.paper_text(
        sorted(sum(election.tickets[election.ticket_at(row["user_id"], row["version"])].values(), [])), None,
        None).decode()} for row in _register(world, election.ballot)]
    leaky = world.but(tables={**world.tables, "planted": {"rows": planted, "relations": {}}},
                      new={**world.new, "planted": planted})
    assert len(sightings(leaky, reader)) == len(planted)
    assert score(election, attack_stored_bytes(leaky, election, reader)["stored bytes: physical order"]) == 1

    first_question = min(election.tickets[0])  # its three options tell the tickets apart
    said = [logging.LogRecord("deliberation", logging.INFO, __file__, 1, "%s chose %s",
                              (v.user.username, election.labels[election.tickets[v.ticket][first_question][0]]), None)
            for v in election.voters]
    leaky = world.but(logs=world.logs + said)
    assert score(election, attack_logs(leaky, election, reader)["log: a voter in the same record"]) == 1

    lengths = [len("".join(election.labels[pk] for pk in sum(ticket.values(), [])).encode())
               for ticket in election.tickets]
    grown = {id(line): lengths[election.ticket_at(uid, version)]
             for (uid, version), lines in _windows(world, election).items() for line in lines
             if line["method"] == "POST" and line["status"] == 200}  # the pages that show the choice back
    leaky = world.but(access=[{**line, "size": line["size"] + grown.get(id(line), 0)} for line in world.access])
    guesses = attack_response_sizes(leaky, election)["sizes: whichever step guesses"]
    # Every online and assisted vote found (the paper sheets' pages are the organizer's, not a voter's).
    assert {uid for uid, t in guesses.items() if t == election.truth()[uid]} == {
        v.user.pk for v in election.scored() if v.group != "paper"}


def test_two_scrutineer_cards_open_the_box_and_it_holds_exactly_the_choices_cast(stolen):
    election, _world, staff = stolen
    ballot = election.ballot
    assert ballot.status == Ballot.Status.CLOSED and ballot.box_tally is None
    open_box(ballot, election.scrutineers[2], election.scrutineers[1])
    tally = ballot.box_tally
    assert tally["papers"] == 27 and tally["invalid"] == 0
    expected = {pk: [0, Decimal(0)] for pk in election.labels}
    for voter in election.voters:
        for pk in sum(election.tickets[voter.ticket].values(), []):
            expected[pk][0] += 1
            expected[pk][1] += Decimal(voter.area)
    assert {int(pk): [n, Decimal(area)] for pk, (n, area) in tally["options"].items()} == expected
    services.ballot_publish(ballot=ballot, by=staff["second"])
    ballot.refresh_from_db()
    assert ballot.status == Ballot.Status.PUBLISHED and ballot.result["turnout"]["voices"] == 27


# --- Evaluation sheets: ratings and comments sealed together ----------------------------------------------------

def _evaluation() -> tuple[Election, object, object]:
    """An open evaluation of a committee's agencies by 15 resident representatives (9 scored, 6 accomplices)."""
    from tests.evaluations import factories as evaluation

    world = evaluation.make_world(reps=15)
    committee = world.committees[0]
    reps = world.reps[committee.pk]
    for n, user in enumerate(reps):  # names and usernames of one length: pages show them
        user.full_name, user.username = f"Rep {n:02d}", f"rep{n:02d}"
        user.save(update_fields=["full_name", "username"])
    campaign = evaluation.make_open_campaign(world)
    blocks = evaluation_selectors.sheet_blocks(campaign)
    questions = [item.question for block in blocks for item in block.items]
    # Ticket t rates every line at level t + 1 (满意, 基本满意, 不满意) and comments more and more.
    tickets = [{q.pk: [q.options.get(position=t + 1).pk] for q in questions} for t in TICKETS]
    comments = {0: {}, 1: {blocks[0].evaluatee.pk: "评议意见一：楼道灯坏了三个月没人修"},
                2: {block.evaluatee.pk: f"评议意见二：{block.evaluatee.name}的服务态度需要改进，" * 8
                    for block in blocks}}
    labels = {o.pk: o.label for q in questions for o in q.options.all()}
    voters = []
    for group, scored in (("sheet", 6), ("changed sheet", 3)):
        for ticket, accomplice in [(i % 3, False) for i in range(scored)] + [(t, True) for t in TICKETS]:
            voters.append(Voter(reps[len(voters)], group, ticket, accomplice,
                                first=(ticket + 1) % 3 if group == "changed sheet" else None))
    election = Election(campaign.ballot, voters, tickets, labels, [world.organizers[committee.pk]],
                        comments=comments)
    return election, campaign, world.organizers[committee.pk]


def _fill_sheet(log: AccessLog, election: Election, campaign, voter: Voter, ticket: int) -> None:
    """The evaluation's page, the sheet, send it, back on the evaluation's page."""
    client = _client(voter.user)
    versions = selectors.voice_history(election.ballot, voter.user)[1]
    log(client, "get", campaign.get_absolute_url())
    path = reverse("evaluations:sheet_fill", args=[campaign.pk])
    log(client, "get", path)
    form = {**_form(election.tickets[ticket]), "after": versions[0].version if versions else 0,
            **{f"c{pk}": text for pk, text in election.comments[ticket].items()}}
    done = log(client, "post", path, form)
    assert done.status_code == 302, done.content[:500]
    assert log(client, "get", done["Location"]).status_code == 200


def test_evaluation_sheets_give_neither_ratings_nor_comments_away_and_the_box_gives_back_the_counted_ones(
        caplog, settings, capsys):
    settings.VOTE_THROTTLE = "1000/60"
    caplog.set_level(logging.DEBUG)
    election, campaign, organizer = _evaluation()
    before = dump_database()
    log = AccessLog()
    for voter in election.voters:
        _fill_sheet(log, election, campaign, voter, voter.first if voter.first is not None else voter.ticket)
    for voter in election.voters:
        if voter.first is not None:
            _fill_sheet(log, election, campaign, voter, voter.ticket)
    evaluation_services.campaign_close(campaign=campaign, by=organizer)
    tables = dump_database()
    world = World(tables, new_rows(before, tables), log.lines, caplog.records, settings.SECRET_KEY)

    assert len(_register(world, election.ballot)) == 15 + 6
    assert world.tables["evaluations_comment"]["rows"] == []  # sealed in the papers until the box is opened
    assert sightings(world, Reader(election, world)) == []
    scores = run_attacks(world, election)
    with capsys.disabled():
        print(f"\n{connection.vendor}, evaluation sheets: chance 0.33\n{scoreboard(scores)}")
    assert max(scores.values()) <= 1 / 3 + 1 / 9 + 1e-9, scoreboard(scores)

    open_box(election.ballot)
    counted = sorted(text for v in election.voters for text in election.comments[v.ticket].values())
    written = list(Comment.objects.filter(campaign=campaign).values_list("text", "cast_on"))
    assert sorted(text for text, _day in written) == counted  # a changed sheet's first comments are gone
    assert {day for _text, day in written} == {None}
    opened = dump_database()  # the search does see comments, once they are there
    assert len(sightings(world.but(tables=opened, new=new_rows(tables, opened)), Reader(election, world))) >= len(
        counted)
    options = election.ballot.box_tally["options"]
    for t, ticket in enumerate(election.tickets):
        assert {options[str(pk)][0] for pks in ticket.values() for pk in pks} == {5}, t
