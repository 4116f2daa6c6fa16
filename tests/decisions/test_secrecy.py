"""Secret ballots: nothing links what was voted to who voted, in the schema, logs, history or ledger.

What was chosen is sealed to the ballot's box at cast (``decisions.box``): the register row (or,
for a paper batch, a sheet apart from its voters) holds the sealed paper, and only the scrutineers'
cards together open it. The tables SecretContent and SecretChoice keep the papers of ballots
published before the box; their schema is still checked here, and no sealed ballot writes to them.
"""

import json
import logging
import re
import uuid
from unittest import mock

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, models
from simple_history.models import HistoricalChanges, registered_models

from decisions import box, cast_sql, ledger, services
from decisions.models import (
    Ballot,
    Channel,
    LedgerEntry,
    NamedChoice,
    Option,
    PaperSheet,
    Participation,
    Question,
    Scrutineer,
    SealedSheet,
    SecretChoice,
    SecretContent,
)
from decisions.services import OptionSpec
from decisions.services.box import box_summary
from tests.decisions.factories import (
    choices,
    make_building_of_households,
    make_floor_leader,
    make_open_ballot,
    make_paper_batch,
    open_box,
    read_papers,
)
from tests.factories import (
    make_building,
    make_committee,
    make_compound,
    make_household,
    make_organizer,
    make_resident,
)

pytestmark = pytest.mark.django_db

User = get_user_model()
SECRET_MODELS = (SecretContent, SecretChoice)
# The only models a secret paper may point at: what was asked, never who answered.
BALLOT_MODELS = (Ballot, Question, Option)
TIME_FIELDS = (models.DateTimeField, models.TimeField, models.DurationField)


# --- (a) The schema ------------------------------------------------------------------------------

def _neighbours(model) -> set:
    """Models related to ``model`` by any field, forward or reverse (FK, one-to-one, many-to-many)."""
    return {f.related_model for f in model._meta.get_fields(include_hidden=True) if f.is_relation}


def test_no_relation_leads_from_a_secret_paper_to_a_person():
    reached, todo = set(), list(SECRET_MODELS)
    while todo:
        model = todo.pop()
        reached.add(model)
        todo += [m for m in _neighbours(model) - reached if m not in BALLOT_MODELS]
    assert reached == set(SECRET_MODELS)
    assert User not in reached
    for model in SECRET_MODELS:
        assert model._meta.private_fields == []  # no generic foreign key either


def test_the_secret_paper_has_exactly_its_anonymous_fields():
    content = {f.name: type(f) for f in SecretContent._meta.concrete_fields}
    assert content == {"id": models.UUIDField, "ballot": models.ForeignKey,
                       "version": models.PositiveIntegerField, "voice_tag": models.CharField,
                       "cast_on": models.DateField, "floor_area": models.DecimalField}
    choice = {f.name: type(f) for f in SecretChoice._meta.concrete_fields}
    assert choice == {"id": models.BigAutoField, "content": models.ForeignKey, "question": models.ForeignKey,
                      "option": models.ForeignKey}
    assert {f.related_model for f in SecretContent._meta.concrete_fields if f.is_relation} == {Ballot}
    assert {f.related_model for f in SecretChoice._meta.concrete_fields if f.is_relation} == {
        SecretContent, Question, Option}


def test_the_secret_paper_carries_no_time_finer_than_the_day():
    for model in SECRET_MODELS:
        assert [f.name for f in model._meta.get_fields() if isinstance(f, TIME_FIELDS)] == []
    dates = [f for f in SecretContent._meta.get_fields() if isinstance(f, models.DateField)]
    assert [(f.name, type(f)) for f in dates] == [("cast_on", models.DateField)]
    assert [f.name for m in SECRET_MODELS for f in m._meta.get_fields() if isinstance(f, models.DateField)
            ] == ["cast_on"]


def test_the_database_tables_of_secret_papers_hold_no_person_and_no_time():
    expected = {SecretContent: {"id", "ballot_id", "version", "voice_tag", "cast_on", "floor_area"},
                SecretChoice: {"id", "content_id", "question_id", "option_id"}}
    allowed_targets = {m._meta.db_table for m in (*BALLOT_MODELS, SecretContent)}
    with connection.cursor() as cursor:
        for model, columns in expected.items():
            table = model._meta.db_table
            description = connection.introspection.get_table_description(cursor, table)
            assert {c.name for c in description} == columns
            kinds = {c.name: connection.introspection.get_field_type(c.type_code, c) for c in description}
            assert not {name for name, kind in kinds.items() if kind in ("DateTimeField", "TimeField")}
            dates = {name for name, kind in kinds.items() if kind == "DateField"}
            assert dates == ({"cast_on"} if model is SecretContent else set())
            relations = connection.introspection.get_relations(cursor, table)
            targets = {target for _column, target in relations.values()}
            assert targets <= allowed_targets
        # No table at all (register, history, ledger …) refers to a secret paper, except its choices.
        referring = {
            (table, column)
            for table in connection.introspection.table_names(cursor)
            for column, (_c, target) in connection.introspection.get_relations(cursor, table).items()
            if target in (SecretContent._meta.db_table, SecretChoice._meta.db_table)}
    assert referring == {(SecretChoice._meta.db_table, "content_id")}


def test_a_sealed_sheet_holds_its_ballot_its_batch_and_the_sealed_paper_and_nothing_refers_to_it():
    fields = {f.name: type(f) for f in SealedSheet._meta.concrete_fields}
    assert fields == {"id": models.UUIDField, "ballot": models.ForeignKey, "batch": models.ForeignKey,
                      "paper": models.BinaryField}
    assert [f.name for f in SealedSheet._meta.get_fields() if isinstance(f, (*TIME_FIELDS, models.DateField))] == []
    with connection.cursor() as cursor:
        table = SealedSheet._meta.db_table
        assert {c.name for c in connection.introspection.get_table_description(cursor, table)} == {
            "id", "ballot_id", "batch_id", "paper"}
        # A sheet is tied to its batch (a group of voters, as the ballot box of a paper vote is), never to a
        # register row or a voter, and nothing points back at it.
        referring = {(name, column) for name in connection.introspection.table_names(cursor)
                     for column, (_c, target) in connection.introspection.get_relations(cursor, name).items()
                     if target == table}
    assert referring == set()


def test_secret_papers_and_the_register_have_no_history():
    for model in (SecretContent, SecretChoice, Participation, SealedSheet):
        assert not hasattr(model, "history")
        assert model._meta.db_table not in registered_models
        assert not hasattr(model._meta, "simple_history_manager_attribute")
    historical = [m for m in apps.get_models() if issubclass(m, HistoricalChanges)]
    assert historical  # the registry is populated: ballots, questions, options … have history
    assert {m.__name__ for m in historical}.isdisjoint(
        {"HistoricalSecretContent", "HistoricalSecretChoice", "HistoricalParticipation"})
    # The scrutineers' history keeps who was named and when; never a share of the box key.
    assert not {"share", "handed"} & {f.name for f in Scrutineer.history.model._meta.concrete_fields}
    for model in historical:
        assert model.instance_type not in (SecretContent, SecretChoice, Participation, SealedSheet)
        if model.instance_type is NamedChoice:  # named votes are meant to name their voter
            assert not (_neighbours(model) & {SecretContent, SecretChoice})
        else:
            assert not (_neighbours(model) & {SecretContent, SecretChoice, Participation})
    assert {Ballot, Question, Option} <= {m.instance_type for m in historical}


def test_the_secret_paper_id_is_a_random_uuid():
    for model in (SecretContent, SealedSheet):
        pk = model._meta.pk
        assert isinstance(pk, models.UUIDField) and pk.default is uuid.uuid4 and not pk.editable
    ballot, organizer, voters = make_open_ballot(n=3)
    batch = make_paper_batch(ballot, organizer, voters, [{"choices": choices(ballot, "yes")}] * 3)
    services.paper_batch_confirm(batch=batch, by=make_organizer(ballot.committee))
    ids = list(SealedSheet.objects.filter(ballot=ballot).values_list("id", flat=True))
    assert len(set(ids)) == 3
    assert {i.version for i in ids} == {4}


# --- (b) A whole secret ballot, with logs and history searched ----------------------------------------

def _row_text(row: dict) -> str:
    return " ".join(f"{key}={value}" for key, value in row.items())


def _text_has(text: str, marker: str) -> bool:
    """``marker`` in ``text`` as a whole token (so user1 does not match user12)."""
    return re.search(rf"(?<![\w-]){re.escape(marker)}(?![\w-])", text) is not None


class Person:
    """What identifies one voter, and the options they may have chosen."""

    def __init__(self, user, options: set, receipts: set[str]) -> None:
        self.user, self.options, self.receipts = user, options, receipts
        self.words = {user.username, user.phone, user.full_name, *receipts}
        self.labels = {o.label for o in options}

    def named_in(self, row: dict, user_columns: set[str], text: str) -> bool:
        return (any(row.get(c) == self.user.pk for c in user_columns)
                or any(_text_has(text, w) for w in self.words))

    def choice_in(self, row: dict, option_columns: set[str], text: str) -> bool:
        return (any(row.get(c) in {o.pk for o in self.options} for c in option_columns)
                or any(label in text for label in self.labels))


def _columns(model) -> tuple[set[str], set[str]]:
    """(columns holding a user id, columns holding an option id) of a historical model."""
    user_columns = {f.attname for f in model._meta.concrete_fields
                    if f.is_relation and f.related_model is User}
    option_columns = {f.attname for f in model._meta.concrete_fields
                      if f.is_relation and f.related_model is Option}
    if model.instance_type is User:
        user_columns.add("id")
    if model.instance_type is Option:
        option_columns.add("id")
    return user_columns, option_columns


def _historical_models() -> set:
    found = {getattr(model, model._meta.simple_history_manager_attribute).model
             for model in registered_models.values()
             if hasattr(model._meta, "simple_history_manager_attribute")}
    return found | {m for m in apps.get_models() if issubclass(m, HistoricalChanges)}


def _leaks(people: list[Person], records) -> list[str]:
    """Every record (name, row, user columns, option columns) that names a voter next to their choice."""
    found = []
    for name, row, user_columns, option_columns in records:
        text = _row_text(row)
        for person in people:
            if person.named_in(row, user_columns, text) and person.choice_in(row, option_columns, text):
                found.append(f"{name}: {person.user.username} in {text[:300]}")
    return found


def _history_records():
    for model in _historical_models():
        user_columns, option_columns = _columns(model)
        for row in model.objects.values():
            yield model.__name__, row, user_columns, option_columns


def _captured(caplog) -> list[logging.LogRecord]:
    """Records of the whole test: the ballot runs in the fixture (setup phase), then the test itself."""
    return caplog.get_records("setup") + caplog.records


def _log_records(caplog):
    for record in _captured(caplog):
        yield record.name, {"message": record.getMessage(), "args": record.args}, set(), set()


@pytest.fixture
def secret_run(caplog, settings):
    """Run a whole secret ballot with every logger captured at DEBUG and SQL debugging switched on.

    Six households; the choices are 同意/反对/弃权 and a second question with plans
    PLAN-ALPHA-7Q / PLAN-BETA-3Z. v0 votes online; v1 votes, then changes; v2 is helped by the
    floor leader; v3 is helped by an organizer and then overrides it online; v4 and v5 hand in
    paper sheets, entered by one organizer and confirmed by another. The organizer who opened the
    ballot, its one scrutineer, opens the box after close; another organizer publishes.
    """
    settings.DEBUG = True  # the debug cursor hands every SQL statement to the django.db.backends logger
    caplog.set_level(logging.DEBUG)  # root logger: everything that propagates is captured
    logging.getLogger("sanhui.test").debug("capture-probe")

    committee = make_committee()
    building = make_building(make_compound(committee))
    voters = [make_resident(make_household(building, floor_area=f"{70 + i}.00"), name=f"Voter Q{i}",
                            phone=f"1390000{i:04d}", representative=True) for i in range(6)]
    organizer, second = make_organizer(committee), make_organizer(committee)
    leader = make_floor_leader(building)
    ballot = services.ballot_create(committee=committee, by=organizer, title="加装电梯",
                                    secrecy=Ballot.Secrecy.SECRET, electorate=Ballot.Electorate.HOUSEHOLDS,
                                    building=building)
    plan = services.question_add(ballot=ballot, by=organizer, text="选哪个方案",
                                 options=[OptionSpec("PLAN-ALPHA-7Q"), OptionSpec("PLAN-BETA-3Z")])
    ballot = services.ballot_open(ballot=ballot, by=organizer)
    first = ballot.questions.get(position=1)
    meaning = {o.meaning: o for o in first.options.all()}
    alpha, beta = plan.options.all()

    def ticket(answer: str, plan_option: Option) -> dict:
        return {first.pk: [meaning[answer].pk], plan.pk: [plan_option.pk]}

    chosen: dict[int, set] = {v.pk: set() for v in voters}
    receipts: dict[int, set] = {v.pk: set() for v in voters}

    def cast(voter, answer, plan_option, **extra):
        participation = services.vote_cast(ballot=ballot, voter=voter, choices=ticket(answer, plan_option),
                                           **extra)
        chosen[voter.pk] |= {meaning[answer], plan_option}
        receipts[voter.pk].add(participation.receipt)

    cast(voters[0], "yes", alpha)
    cast(voters[1], "no", beta)
    cast(voters[1], "yes", beta)
    cast(voters[2], "abstain", alpha, channel=Channel.ASSISTED, entered_by=leader,
         consent_note="女儿代为转达")
    cast(voters[3], "yes", beta, channel=Channel.ASSISTED, entered_by=organizer, consent_note="电话确认")
    cast(voters[3], "no", alpha)
    batch = make_paper_batch(ballot, organizer, voters[4:6], [{"choices": ticket("yes", beta)},
                                                              {"choices": ticket("no", alpha)}], issued=3)
    services.paper_batch_confirm(batch=batch, by=second)
    for voter in voters[4:6]:  # which sheet is whose is unknown: either could be theirs
        chosen[voter.pk] |= {meaning["yes"], beta, meaning["no"], alpha}
        receipts[voter.pk].add(Participation.objects.get(ballot=ballot, user=voter).receipt)
    services.ballot_close(ballot=ballot, by=organizer)
    open_box(ballot)
    services.ballot_publish(ballot=ballot, by=second)

    ballot.refresh_from_db()
    people = [Person(v, chosen[v.pk], receipts[v.pk]) for v in voters]
    return ballot, people, caplog


def test_the_project_logging_keeps_sql_out_of_the_logs_even_in_debug_mode(secret_run):
    ballot, _people, caplog = secret_run
    assert ballot.status == Ballot.Status.PUBLISHED
    assert logging.getLogger("django.db.backends").level == logging.INFO
    assert logging.getLogger().level == logging.DEBUG
    assert connection.queries  # the statements were there to log …
    records = _captured(caplog)
    assert "capture-probe" in [r.getMessage() for r in records]  # … and DEBUG records were captured …
    assert [r for r in records if r.name.startswith("django.db")] == []  # … but no SQL was logged


def test_no_log_record_names_a_voter_next_to_their_choice(secret_run):
    _ballot, people, caplog = secret_run
    assert _leaks(people, _log_records(caplog)) == []
    text = "\n".join(r.getMessage() for r in _captured(caplog))
    assert not any(_text_has(text, r) for p in people for r in p.receipts)


def test_no_history_row_names_a_voter_next_to_their_choice(secret_run):
    ballot, people, _caplog = secret_run
    models_searched = {name for name, *_rest in _history_records()}
    assert {"HistoricalBallot", "HistoricalQuestion", "HistoricalOption", "HistoricalUser",
            "HistoricalMembership"} <= models_searched
    assert _leaks(people, _history_records()) == []
    assert ballot.history.filter(status="published").exists()
    register = Participation.objects.filter(ballot=ballot).values("pk")
    assert not NamedChoice.history.filter(participation_id__in=register).exists()


def test_the_leak_search_would_find_a_voter_next_to_their_choice(secret_run):
    _ballot, people, _caplog = secret_run
    voter, choice = people[0].user, next(iter(people[0].options))
    planted = [("Planted", {"user_id": voter.pk, "option_id": choice.pk}, {"user_id"}, {"option_id"}),
               ("Planted", {"note": f"{voter.username} chose {choice.label}"}, set(), set()),
               ("Planted", {"note": f"receipt {next(iter(people[0].receipts))}", "option_id": choice.pk},
                set(), {"option_id"})]
    assert len(_leaks(people, planted)) == 3
    unrelated = [("Planted", {"user_id": voter.pk, "note": "verified"}, {"user_id"}, set())]
    assert _leaks(people, unrelated) == []


def test_the_sealed_papers_hold_no_plaintext_choice_and_are_all_of_one_length(secret_run):
    ballot, people, _caplog = secret_run
    casts = list(Participation.objects.filter(ballot=ballot).order_by("pk"))
    online = [c for c in casts if c.channel != Channel.PAPER]
    sheets = list(SealedSheet.objects.filter(ballot=ballot))
    assert len(online) == 6 and len(sheets) == 2  # v1 and v3 voted twice; two paper sheets
    # A paper voter's register row carries no paper: their sheet went into the box apart.
    assert [c.paper for c in casts if c.channel == Channel.PAPER] == [None, None]
    papers = [bytes(c.paper) for c in online] + [bytes(s.paper) for s in sheets]
    assert len({len(p) for p in papers}) == 1  # one length, whatever was chosen
    labels = [o.label.encode() for o in Option.objects.filter(question__ballot=ballot)]
    for paper in papers:
        assert b'"o":' not in paper and not any(label in paper for label in labels)
    # The receipt is the sealed paper's hash, which the register entry carries (no choice).
    register = {json.loads(e.payload)["receipt"]: json.loads(e.payload)
                for e in LedgerEntry.objects.filter(chain=ledger.ballot_chain(ballot.pk, "register"))}
    for cast in online:
        assert cast.receipt == box.receipt_of(box.digest(cast.paper))
        assert register[cast.receipt]["paper"] == box.digest(cast.paper)
    assert [register[c.receipt].get("paper") for c in casts if c.channel == Channel.PAPER] == [None, None]
    # Nothing else holds what was chosen: no anonymous paper rows, no typed sheet once confirmed.
    assert not SecretContent.objects.filter(ballot=ballot).exists()
    assert not SecretChoice.objects.filter(content__ballot=ballot).exists()
    assert not PaperSheet.objects.filter(batch__ballot=ballot).exists()
    # Opened with the scrutineer's card, the papers hold the choices and nothing of the voter.
    words = {o.pk: o.label for o in Option.objects.filter(question__ballot=ballot)}
    opened = read_papers(ballot)
    assert {(paper.area, paper.extra) for paper in opened} == {(None, None)}
    assert sorted(sorted(words[o] for o in paper.options) for paper in opened) == sorted(sorted(pair) for pair in [
        ("同意", "PLAN-ALPHA-7Q"), ("反对", "PLAN-BETA-3Z"), ("同意", "PLAN-BETA-3Z"), ("弃权", "PLAN-ALPHA-7Q"),
        ("同意", "PLAN-BETA-3Z"), ("反对", "PLAN-ALPHA-7Q"), ("同意", "PLAN-BETA-3Z"), ("反对", "PLAN-ALPHA-7Q")])


def test_a_sealed_ballot_has_no_contents_chain_and_its_ledger_holds_papers_only_by_hash(secret_run):
    ballot, people, _caplog = secret_run
    assert not LedgerEntry.objects.filter(chain=ledger.ballot_chain(ballot.pk, "contents")).exists()
    register = LedgerEntry.objects.filter(chain=ledger.ballot_chain(ballot.pk, "register"))
    assert register.count() == 8
    for entry in register:
        payload = json.loads(entry.payload)
        assert "choices" not in payload
        assert not any(p.choice_in({}, set(), entry.payload) for p in people)
    lifecycle = {}
    for entry in LedgerEntry.objects.filter(chain=ledger.ballot_chain(ballot.pk)).order_by("seq"):
        assert not any(p.named_in({}, set(), entry.payload) for p in people)
        lifecycle.setdefault(json.loads(entry.payload)["event"], json.loads(entry.payload))
    # The sheets by hash, sorted (no order); the papers that count by the hash of their list; counts only.
    sheets = sorted(box.digest(s.paper) for s in SealedSheet.objects.filter(ballot=ballot))
    assert lifecycle["paper_batch"]["sheets"] == sheets
    assert lifecycle["closed"]["box"] == box_summary(ballot) and box_summary(ballot)["papers"] == 6
    assert lifecycle["box_opened"]["tally"] == ballot.box_tally
    assert set(ballot.box_tally) == {"papers", "invalid", "options"}


def test_the_sealed_sheets_cannot_be_lined_up_with_the_order_they_were_typed_in():
    """An online paper sits, sealed, on its register row. A batch's sheets go into the box apart, with
    random ids and in a random order: neither follows the order they were typed in (the order of the
    pile, which may follow the list of who handed one in)."""
    building, voters = make_building_of_households(8)
    committee = building.compound.committee
    organizer = make_organizer(committee)
    ballot = services.ballot_create(committee=committee, by=organizer, title="选址",
                                    electorate=Ballot.Electorate.HOUSEHOLDS, building=building)
    sites = services.question_add(ballot=ballot, by=organizer, text="选哪里",
                                  options=[OptionSpec(f"SITE-{i}") for i in range(8)])
    ballot = services.ballot_open(ballot=ballot, by=organizer)
    yes = choices(ballot, "yes")
    typed = list(sites.options.values_list("pk", flat=True))
    batch = make_paper_batch(ballot, organizer, voters, [{"choices": {**yes, sites.pk: [pk]}} for pk in typed])
    services.paper_batch_confirm(batch=batch, by=make_organizer(committee))

    def sites_of(papers) -> list[int]:
        return [next(pk for pk in paper.options if pk in typed) for paper in read_papers(ballot, list(papers))]

    by_id = sites_of(SealedSheet.objects.filter(ballot=ballot).order_by("pk").values_list("paper", flat=True))
    stored_order = "rowid" if connection.vendor == "sqlite" else "ctid"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT paper FROM {SealedSheet._meta.db_table} ORDER BY {stored_order}")  # noqa: S608
        as_stored = sites_of(row[0] for row in cursor.fetchall())
    assert sorted(by_id) == sorted(as_stored) == sorted(typed)
    assert by_id != typed
    assert as_stored != typed
    listed = json.loads(LedgerEntry.objects.filter(chain=ledger.ballot_chain(ballot.pk)).last().payload)["sheets"]
    assert listed == sorted(listed)


# --- (c) One transaction for the register row, its sealed paper and the chain --------------------------

def _written(ballot: Ballot) -> tuple[int, int, int]:
    return (Participation.objects.filter(ballot=ballot).count(),
            SealedSheet.objects.filter(ballot=ballot).count(),
            LedgerEntry.objects.filter(chain__startswith=f"b{ballot.pk}:").count())


def test_a_failure_while_writing_the_register_chain_leaves_no_register_row_and_no_paper():
    """The register row, with its sealed paper, is written before its register chain entry: a failure
    there undoes the row too, on SQLite (Python, one transaction: the append fails) and on PostgreSQL
    (one statement, the database function ``cast_sql.FUNCTION``: a chain name too long for its column makes the entry's
    insert fail inside it)."""
    ballot, _organizer, voters = make_open_ballot()
    lifecycle = LedgerEntry.objects.filter(chain=f"b{ballot.pk}").count()
    if connection.vendor == "postgresql":
        real = ledger.ballot_chain
        failing = mock.patch.object(ledger, "ballot_chain", side_effect=lambda pk, part="": real(pk, part) + (
            "-" * 40 if part == "register" else ""))
    else:
        failing = mock.patch.object(cast_sql, "_append", side_effect=DatabaseError("disk full"))
    with failing, pytest.raises(DatabaseError):
        services.vote_cast(ballot=ballot, voter=voters[0], choices=choices(ballot, "yes"))
    assert _written(ballot) == (0, 0, 0)
    assert LedgerEntry.objects.filter(chain=f"b{ballot.pk}").count() == lifecycle
    cast = services.vote_cast(ballot=ballot, voter=voters[0], choices=choices(ballot, "yes"))
    assert _written(ballot) == (1, 0, 1)
    assert Participation.objects.get(pk=cast.pk).paper is not None
    assert not SecretContent.objects.exists()


def test_a_failure_while_counting_a_paper_batch_leaves_no_register_entry_and_no_ledger_entry():
    """The sheets are sealed into the box last, after the register rows and entries: a failure there
    undoes the whole confirmation."""
    ballot, organizer, voters = make_open_ballot()
    batch = make_paper_batch(ballot, organizer, voters[:2], [{"choices": choices(ballot, "yes")},
                                                             {"choices": choices(ballot, "no")}])
    lifecycle = LedgerEntry.objects.filter(chain=f"b{ballot.pk}").count()
    with mock.patch.object(SealedSheet.objects, "bulk_create", side_effect=RuntimeError("disk full")), \
            pytest.raises(RuntimeError):
        services.paper_batch_confirm(batch=batch, by=make_organizer(ballot.committee))
    assert _written(ballot) == (0, 0, 0)
    assert LedgerEntry.objects.filter(chain=f"b{ballot.pk}").count() == lifecycle
    batch.refresh_from_db()
    assert batch.status == "pending" and batch.confirmed_by is None
    assert batch.sheets.count() == 2  # the typed sheets are still there to confirm again
