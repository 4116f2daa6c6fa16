"""Edits behind the application's back: every column a result or a published list depends on, and the
consistent rewrite of a sealed ballot's result, each caught by verify_audit with no head given by hand.

Each edit runs with the append-only triggers dropped, inside a savepoint that is rolled back, so
one published world serves every column. Run on both databases.
"""

import datetime
import json
import time
import uuid
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from decisions import anchoring, audit, ledger, services, triggers
from decisions.models import (
    Anchor,
    Ballot,
    LedgerEntry,
    NamedChoice,
    Participation,
    SealedSheet,
    Voice,
    VoiceHolder,
)
from tests.decisions.factories import (
    choices,
    make_building_of_households,
    make_paper_batch,
    open_box,
)
from tests.decisions.test_anchoring import local_tsa  # noqa: F401 - the session's local authority
from tests.factories import make_organizer

pytestmark = pytest.mark.django_db


def _published(secrecy: str) -> Ballot:
    """A published art. 278 ballot of 5 households: online, changed, assisted and a paper batch."""
    building, reps = make_building_of_households(5, ["60.00", "70.00", "80.00", "90.00", "100.00"])
    committee = building.compound.committee
    organizer, second = make_organizer(committee), make_organizer(committee)
    ballot = services.ballot_create(committee=committee, by=organizer, title="加装电梯", secrecy=secrecy,
                                    electorate=Ballot.Electorate.HOUSEHOLDS, building=building,
                                    rule=Ballot.Rule.ART278)
    services.ballot_open(ballot=ballot, by=organizer)
    ballot.refresh_from_db()
    services.vote_cast(ballot=ballot, voter=reps[0], choices=choices(ballot, "yes"))
    services.vote_cast(ballot=ballot, voter=reps[1], choices=choices(ballot, "no"))
    services.vote_cast(ballot=ballot, voter=reps[1], choices=choices(ballot, "yes"))
    services.vote_cast(ballot=ballot, voter=reps[2], choices=choices(ballot, "no"), channel="assisted",
                       entered_by=organizer, consent_note="电话确认")
    sheet = {"choices": choices(ballot, "yes")}
    if ballot.is_secret:
        sheet["floor_area"] = "90.00"
    else:
        sheet["voter"] = reps[3]
    services.paper_batch_confirm(batch=make_paper_batch(ballot, organizer, [reps[3]], [sheet]), by=second)
    services.ballot_close(ballot=ballot, by=organizer)
    open_box(ballot)
    services.ballot_publish(ballot=ballot, by=organizer)
    ballot.refresh_from_db()
    assert audit.audit(ballots=[ballot]) == []
    return ballot


def _changed(value, *, other=None):
    """A different value of the same type: another row's id for a key, one more, a flipped byte."""
    if other is not None:
        return other
    if isinstance(value, bool):
        return not value
    if isinstance(value, datetime.datetime | datetime.date):
        return value + datetime.timedelta(days=1)
    if isinstance(value, uuid.UUID):
        return uuid.uuid4()
    if isinstance(value, dict | list):
        return json.dumps(_bumped(value))
    if isinstance(value, int):
        return value + 1
    if isinstance(value, Decimal | float):
        return Decimal(str(value)) + 1
    if isinstance(value, bytes | memoryview):
        data = bytearray(bytes(value))
        data[len(data) // 2] ^= 0x01
        return bytes(data)
    if value is None:
        return "1"
    return str(value)[:-1] + ("X" if not str(value).endswith("X") else "Y")


def _edit_is_caught(ballot: Ballot, table: str, column: str, pk, value) -> list:
    """The problems verify_audit reports after the edit; the database refusing it counts as caught."""
    with transaction.atomic():
        triggers.remove(connection)
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s", [value, pk])  # noqa: S608
        except IntegrityError as refused:
            problems = [f"refused by the database: {refused}"]
        else:
            problems = audit.audit(ballots=[Ballot.objects.get(pk=ballot.pk)])
        transaction.set_rollback(True)
    triggers.install(connection)
    return problems


def _raw_row(table: str, pk) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [pk])  # noqa: S608
        names = [d[0] for d in cursor.description]
        return dict(zip(names, cursor.fetchone(), strict=True))


# Which row of each table is edited, and, for a key, which other row it is pointed at instead.
def _targets(ballot: Ballot) -> list[tuple[str, object, dict]]:
    latest = Participation.objects.filter(ballot=ballot, channel="online").order_by("-version", "pk").first()
    # The one household that did not vote: pointing a row at it collides with no unique constraint.
    other_voice = Voice.objects.filter(ballot=ballot, participations__isnull=True).first()
    other_household = Voice.objects.filter(ballot=ballot).exclude(household_id=other_voice.household_id).first()
    holder = VoiceHolder.objects.filter(voice=other_voice).first()
    entry = LedgerEntry.objects.filter(chain=ledger.ballot_chain(ballot.pk, "register")).order_by("seq")[1]
    rows = [
        ("deliberation_participation", latest.pk, {"voice_id": other_voice.pk, "user_id": holder.user_id,
                                                   "entered_by_id": holder.user_id}),
        ("deliberation_voice", other_voice.pk, {"household_id": other_household.household_id}),
        ("deliberation_voiceholder", holder.pk, {"user_id": latest.user_id, "voice_id": latest.voice_id}),
        ("deliberation_ledgerentry", entry.pk, {"seq": entry.seq + 1000}),
    ]
    if ballot.is_sealed:
        sheet = SealedSheet.objects.filter(ballot=ballot).first().pk
        rows.append(("deliberation_sealedsheet", SealedSheet._meta.pk.get_db_prep_value(sheet, connection), {}))
    else:
        choice = NamedChoice.objects.filter(participation=latest).first()
        other_option = ballot.questions.first().options.exclude(pk=choice.option_id).first()
        rows.append(("deliberation_namedchoice", choice.pk, {"option_id": other_option.pk,
                                                            "question_id": other_option.question_id + 1000}))
    return rows


# What a result or a published list does not depend on: surrogate keys (nothing refers to a register
# row or a ledger entry by its id), and, for the electorate snapshot, nothing else.
NOT_A_FACT = {"id"}
BALLOT_COLUMNS = ["status", "secrecy", "electorate", "rule", "quorum", "quorum_more_than", "quorum_reason",
                  "allow_change", "electorate_size",
                  "electorate_area", "snapshot_hash", "heads_at_open", "heads_at_close", "result", "box_key",
                  "box_threshold", "box_tally"]


@pytest.mark.parametrize("secrecy", [Ballot.Secrecy.SECRET, Ballot.Secrecy.NAMED])
def test_an_edit_of_any_column_a_result_depends_on_is_caught(secrecy):
    ballot = _published(secrecy)
    missed = []
    for table, pk, others in _targets(ballot):
        for column, value in _raw_row(table, pk).items():
            if column in NOT_A_FACT or (table, column) == ("deliberation_participation", "paper") and not value:
                continue
            if table == "deliberation_participation" and column in ("entered_by_id", "batch_id") and value is None:
                value = None  # set below to another row
            new = _changed(value, other=others.get(column))
            if new == value:
                continue
            if not _edit_is_caught(ballot, table, column, pk, new):
                missed.append(f"{table}.{column}")
    row = _raw_row("deliberation_ballot", ballot.pk)
    for column in BALLOT_COLUMNS:
        value = row[column]
        if value is None and column.startswith("box_") and not ballot.is_sealed:
            continue
        if column in ("heads_at_open", "heads_at_close", "result", "box_tally"):
            data = json.loads(value) if isinstance(value, str) else value
            new = json.dumps(_bumped(data))
        elif column == "status":
            new = "closed"
        elif column == "secrecy":
            new = "named" if ballot.is_secret else "secret"
        elif column == "electorate":
            new = "residents"
        elif column == "rule":
            new = "simple_majority"
        elif column == "quorum":
            new = "0.5000"
        elif column == "quorum_reason":
            new = "A reason written in afterwards"
        else:
            new = _changed(value)
        if not _edit_is_caught(ballot, "deliberation_ballot", column, ballot.pk, new):
            missed.append(f"deliberation_ballot.{column}")
    assert missed == [], f"edits verify_audit did not catch: {missed}"


def _bumped(data):
    """The same JSON with its first number (or hash) changed."""
    text = json.dumps(data)
    for i, ch in enumerate(text):
        if ch.isdigit():
            return json.loads(text[:i] + str((int(ch) + 1) % 10) + text[i + 1:])
    raise AssertionError("nothing to change")


# --- The consistent rewrite -------------------------------------------------------------------------

def _rewrite_from(chain: str, seq: int, change) -> None:
    """Change the payload of ``chain``#``seq`` with ``change`` and recompute the chain from there on."""
    entries = list(LedgerEntry.objects.filter(chain=chain, seq__gte=seq).order_by("seq"))
    prev = LedgerEntry.objects.get(chain=chain, seq=seq - 1).hash if seq > 1 else ledger.GENESIS
    with connection.cursor() as cursor:
        for entry in entries:
            payload = json.loads(entry.payload)
            if entry.seq == seq:
                payload = change(payload)
            text = ledger.canonical(payload)
            digest = ledger.link_hash(prev, text)
            cursor.execute("UPDATE deliberation_ledgerentry SET prev_hash = %s, payload = %s, hash = %s "
                           "WHERE id = %s", [prev, text, digest, entry.pk])
            prev = digest


def _forge_verdict(ballot: Ballot) -> None:
    """Turn a rejected sealed ballot into a passed one everywhere the database holds it, consistently."""
    chain = ledger.ballot_chain(ballot.pk)
    yes = str(ballot.questions.first().options.get(meaning="yes").pk)
    no = str(ballot.questions.first().options.get(meaning="no").pk)

    def forged_tally(tally):
        tally = json.loads(json.dumps(tally))
        tally["options"][yes], tally["options"][no] = tally["options"][no], tally["options"][yes]
        return tally

    opened = next(e for e in LedgerEntry.objects.filter(chain=chain).order_by("seq")
                  if json.loads(e.payload).get("event") == "box_opened")
    tally = forged_tally(ballot.box_tally)
    _rewrite_from(chain, opened.seq, lambda p: {**p, "tally": tally})
    ballot.box_tally = tally
    from decisions.selectors import result_payload

    result = result_payload(ballot)
    published = next(e for e in LedgerEntry.objects.filter(chain=chain).order_by("seq")
                     if json.loads(e.payload).get("event") == "published")
    _rewrite_from(chain, published.seq, lambda p: {**p, "result": result})
    with connection.cursor() as cursor:
        cursor.execute("UPDATE deliberation_ballot SET box_tally = %s, result = %s WHERE id = %s",
                       [json.dumps(tally), json.dumps(result), ballot.pk])
        for column, value in (("box_tally", tally), ("result", result)):
            cursor.execute(f"UPDATE deliberation_historicalballot SET {column} = %s "  # noqa: S608
                           f"WHERE id = %s AND {column} IS NOT NULL", [json.dumps(value), ballot.pk])


def _rejected_sealed_ballot() -> Ballot:
    building, reps = make_building_of_households(4)
    organizer = make_organizer(building.compound.committee)
    ballot = services.ballot_create(committee=building.compound.committee, by=organizer, title="议题",
                                    electorate=Ballot.Electorate.HOUSEHOLDS, building=building)
    services.ballot_open(ballot=ballot, by=organizer)
    ballot.refresh_from_db()
    for voter, meaning in zip(reps, ["no", "no", "no", "yes"], strict=True):
        services.vote_cast(ballot=ballot, voter=voter, choices=choices(ballot, meaning))
    services.ballot_close(ballot=ballot, by=organizer)
    open_box(ballot)
    services.ballot_publish(ballot=ballot, by=organizer)
    ballot.refresh_from_db()
    assert ballot.result["verdict"] == "rejected"
    return ballot


@pytest.fixture
def tsa_settings(settings, local_tsa):  # noqa: F811
    settings.TSA_URL = local_tsa.url
    settings.TSA_CERTIFICATE = str(local_tsa.root)
    return settings


def test_the_consistent_rewrite_is_invisible_to_the_database_alone_but_caught_by_the_time_stamps(
        tsa_settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ballot = _rejected_sealed_ballot()
    assert Anchor.objects.filter(ballot=ballot, token__isnull=False).count() >= 4
    assert audit.audit(ballots=[ballot]) == []
    with transaction.atomic():
        triggers.remove(connection)
        _forge_verdict(ballot)
        triggers.install(connection)
        forged = Ballot.objects.get(pk=ballot.pk)
        assert forged.result["verdict"] == "passed"
        problems = audit.audit(ballots=[forged])
        # Only the time-stamps see it: every problem is about a token.
        assert problems and {p.table for p in problems} == {"deliberation_anchor"}, problems
        transaction.set_rollback(True)


def test_a_rewrite_with_fresh_tokens_for_its_forged_entries_is_caught_as_too_late(
        tsa_settings, django_capture_on_commit_callbacks):
    # The authority's clock is real (its own process): the forgery comes a few real seconds after the
    # events, against a tolerance of two seconds instead of an hour.
    tsa_settings.ANCHOR_TOLERANCE = datetime.timedelta(seconds=2)
    with django_capture_on_commit_callbacks(execute=True):
        ballot = _rejected_sealed_ballot()
    assert audit.audit(ballots=[ballot]) == []
    time.sleep(3.5)
    with transaction.atomic():
        triggers.remove(connection)
        _forge_verdict(ballot)
        chain = ledger.ballot_chain(ballot.pk)
        forged_entries = {e.seq: e for e in LedgerEntry.objects.filter(chain=chain)}
        for anchor in Anchor.objects.filter(ballot=ballot):
            entry = forged_entries[anchor.seq]
            if entry.hash != anchor.entry_hash:
                anchor.entry_hash, anchor.token, anchor.gen_time = entry.hash, None, None
                anchor.save()
                anchoring.fetch(anchor)
        triggers.install(connection)
        problems = audit.audit(ballots=[Ballot.objects.get(pk=ballot.pk)])
        assert problems, "fresh tokens for forged entries were accepted"
        transaction.set_rollback(True)


def test_a_rewrite_that_deletes_the_tokens_is_caught(tsa_settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ballot = _rejected_sealed_ballot()
    with transaction.atomic():
        triggers.remove(connection)
        _forge_verdict(ballot)
        Anchor.objects.filter(ballot=ballot).delete()
        triggers.install(connection)
        assert audit.audit(ballots=[Ballot.objects.get(pk=ballot.pk)])
        transaction.set_rollback(True)
