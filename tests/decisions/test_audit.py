"""verify_audit against tampering done directly in the database, as a database superuser would.

Each tamper is raw SQL through ``connection.cursor()``; UPDATE and DELETE first drop the
append-only triggers (``triggers.remove``) and put them back afterwards. A secret ballot's papers
are sealed in its box: the forger here cannot read them, but can seal any paper of their own with
the box's public key (``forged_paper``), as anyone reading the database could. Run on both databases:
    .venv/bin/pytest tests/decisions/test_audit.py
    DATABASE_URL=postgres://sanhui:sanhui@127.0.0.1:5432/sanhui \
        .venv/bin/pytest tests/decisions/test_audit.py
"""

import io
import json
import secrets
import uuid
from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from decisions import audit, box, ledger, services, triggers
from decisions.models import (
    Ballot,
    Channel,
    LedgerEntry,
    NamedChoice,
    PaperBatch,
    Participation,
    SealedSheet,
    SecretChoice,
    SecretContent,
    Voice,
    VoiceHolder,
)
from decisions.services.box import box_summary
from tests.decisions.factories import choices, make_open_ballot, open_box, option
from tests.factories import make_organizer, make_user

pytestmark = pytest.mark.django_db

AREAS = ["100", "80", "60", "60", "90", "70"]


# --- Helpers ------------------------------------------------------------------------------------

def verify(*args: str) -> str:
    """Run verify_audit and expect a clean exit; return what it printed."""
    out, err = io.StringIO(), io.StringIO()
    call_command("verify_audit", *args, stdout=out, stderr=err)
    assert err.getvalue() == ""
    return out.getvalue()


def verify_fails(*args: str) -> tuple[str, str]:
    """Run verify_audit and expect it to fail; return (the error naming the first problem, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("verify_audit", *args, stdout=out, stderr=err)
    assert "problem(s)" in out.getvalue()
    return str(caught.value), err.getvalue()


def sql(statement: str, params: list | tuple = ()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@contextmanager
def triggers_off():
    triggers.remove(connection)
    try:
        yield
    finally:
        triggers.install(connection)


def db_uuid(value: uuid.UUID):
    return SealedSheet._meta.pk.get_db_prep_value(value, connection)


def forged_paper(ballot: Ballot, meaning: str, area: str | None = None) -> bytes:
    """A paper sealed to the ballot's box by a forger: the public key is all it takes."""
    return box.paper_seal(ballot.box_key, ballot.box_paper_size, [option(ballot, meaning).pk], area)


def json_param() -> str:
    return "%s::jsonb" if connection.vendor == "postgresql" else "%s"


def entry_seq(chain: str, **match) -> int:
    """The seq of the entry of ``chain`` whose payload has these values."""
    for entry in LedgerEntry.objects.filter(chain=chain).order_by("seq"):
        payload = json.loads(entry.payload)
        if all(payload.get(k) == v for k, v in match.items()):
            return entry.seq
    raise AssertionError(f"no entry of {chain} with {match}")


def rewrite_chain(chain: str, seq: int, payload: dict) -> str:
    """Replace entry ``seq`` and re-link every later entry, as a careful forger would; return the new head."""
    prev = LedgerEntry.objects.get(chain=chain, seq=seq - 1).hash if seq > 1 else ledger.GENESIS
    for entry in LedgerEntry.objects.filter(chain=chain, seq__gte=seq).order_by("seq"):
        text = ledger.canonical(payload) if entry.seq == seq else entry.payload
        digest = ledger.link_hash(prev, text)
        sql("UPDATE deliberation_ledgerentry SET payload = %s, prev_hash = %s, hash = %s WHERE id = %s",
            [text, prev, digest, entry.pk])
        prev = digest
    return prev


def run_secret_ballot(until: str = "published") -> tuple[Ballot, list]:
    """Art. 278 secret ballot over six households: online (one changed), assisted and a paper batch."""
    ballot, organizer, voters = make_open_ballot(rule=Ballot.Rule.ART278, n=6, areas=AREAS)
    services.vote_cast(ballot=ballot, voter=voters[0], choices=choices(ballot, "yes"))
    services.vote_cast(ballot=ballot, voter=voters[1], choices=choices(ballot, "no"))
    services.vote_cast(ballot=ballot, voter=voters[1], choices=choices(ballot, "yes"))
    services.vote_cast(ballot=ballot, voter=voters[2], choices=choices(ballot, "no"))
    services.vote_cast(ballot=ballot, voter=voters[3], choices=choices(ballot, "yes"),
                       channel=Channel.ASSISTED, entered_by=organizer,
                       consent_note="Asked at the door, agreed by phone")
    second = make_organizer(ballot.committee)
    batch = services.paper_batch_create(ballot=ballot, by=organizer, issued=3, returned=2, void=0,
                                        voters=voters[4:6])
    services.paper_sheet_add(batch=batch, by=organizer, choices=choices(ballot, "yes"), floor_area=90)
    services.paper_sheet_add(batch=batch, by=organizer, choices=choices(ballot, "abstain"), floor_area=70)
    services.paper_batch_confirm(batch=batch, by=second)
    if until in ("closed", "published"):
        services.ballot_close(ballot=ballot, by=organizer)
    if until == "published":
        open_box(ballot)
        services.ballot_publish(ballot=ballot, by=organizer)
    ballot.refresh_from_db()
    return ballot, voters


def run_named_ballot() -> tuple[Ballot, list]:
    ballot, organizer, voters = make_open_ballot(secrecy=Ballot.Secrecy.NAMED)
    services.vote_cast(ballot=ballot, voter=voters[0], choices=choices(ballot, "yes"))
    services.vote_cast(ballot=ballot, voter=voters[1], choices=choices(ballot, "no"))
    services.vote_cast(ballot=ballot, voter=voters[1], choices=choices(ballot, "yes"))
    services.ballot_close(ballot=ballot, by=organizer)
    services.ballot_publish(ballot=ballot, by=organizer)
    ballot.refresh_from_db()
    return ballot, voters


def heads_args(heads: dict) -> list[str]:
    args = []
    for chain, head in sorted(heads.items()):
        args += ["--expect-head", f"{chain}:{head['seq']}:{head['hash']}"]
    return args


# --- A clean ledger -----------------------------------------------------------------------------

def test_a_clean_ledger_passes_with_one_line_per_ballot():
    secret, _voters = run_secret_ballot()
    named, _voters = run_named_ballot()
    still_open, _voters = run_secret_ballot("open")
    closed, _voters = run_secret_ballot("closed")
    draft = services.ballot_create(committee=named.committee, by=None, title="Draft")
    cancelled, organizer, _voters = make_open_ballot()
    cancelled = services.ballot_cancel(ballot=cancelled, by=organizer, reason="Wrong building")
    assert secret.result["turnout"] == {"voices": 6, "area": "460.00"}

    out = verify()

    lines = out.splitlines()
    for ballot in (secret, named, still_open, closed, draft, cancelled):
        assert f"ballot {ballot.pk} ({ballot.status}) {ballot.title}: ok" in out
    assert sum(line.startswith("ballot ") for line in lines) == 6
    assert "6 ballot(s) checked" in lines[-1]
    assert audit.audit() == []


def test_heads_copied_from_an_export_are_accepted_and_a_wrong_one_is_named():
    ballot, _voters = run_secret_ballot()
    verify(*heads_args(ballot.heads_at_close), *heads_args(ballot.heads_at_open))

    chain = ledger.ballot_chain(ballot.pk, "register")
    head = ballot.heads_at_close[chain]
    error, _err = verify_fails("--expect-head", f"{chain}:{head['seq']}:{'0' * 63}1")
    assert f"{chain}#{head['seq']}" in error
    assert "given with --expect-head" in error


def test_a_malformed_head_or_an_unknown_ballot_is_refused():
    with pytest.raises(CommandError, match="CHAIN:SEQ:HASH"):
        call_command("verify_audit", "--expect-head", "b7:contents:12", stdout=io.StringIO())
    with pytest.raises(CommandError, match="No ballot with id 999999"):
        call_command("verify_audit", "--ballot", "999999", stdout=io.StringIO())


def test_ballot_option_checks_only_that_ballot():
    first, _voters = run_named_ballot()
    second, _voters = run_named_ballot()
    out = verify("--ballot", str(second.pk))
    assert f"ballot {second.pk} " in out
    assert f"ballot {first.pk} " not in out


# --- The four tampers of the acceptance ------------------------------------------------------------

def test_an_update_of_a_sealed_paper_is_named():
    """voters[2] voted "no"; the forger puts a "yes" of their own sealing in its place."""
    ballot, voters = run_secret_ballot()
    cast = Participation.objects.get(ballot=ballot, user=voters[2])
    with triggers_off():
        sql("UPDATE deliberation_participation SET paper = %s WHERE id = %s",
            [forged_paper(ballot, "yes", "60.00"), cast.pk])

    error, err = verify_fails()

    register = ledger.ballot_chain(ballot.pk, "register")
    seq = entry_seq(register, receipt=cast.receipt)
    assert f"deliberation_participation row {cast.pk} ({register}#{seq}): paper differ(s) from the register " \
           "entry" in error
    assert f"deliberation_participation row {cast.pk} ({register}#{seq}): the receipt is not that of the " \
           "sealed paper" in err
    assert "the papers in the box are not those it held at close" in err  # and the box's list


def test_an_update_of_a_sealed_sheet_is_named():
    """The floor area a sheet weighs with is sealed in it: the forger seals a heavier sheet in its place."""
    ballot, _voters = run_secret_ballot()
    sheet = SealedSheet.objects.filter(ballot=ballot).order_by("pk").first()
    with triggers_off():
        sql("UPDATE deliberation_sealedsheet SET paper = %s WHERE id = %s",
            [forged_paper(ballot, "yes", "1000.00"), db_uuid(sheet.pk)])

    error, err = verify_fails()

    assert f"ballot {ballot.pk}: deliberation_sealedsheet: 1 sealed sheet(s) not in their batch's event and " \
           "1 listed sheet(s) missing" in error
    assert "the papers in the box are not those it held at close" in err


def test_a_delete_of_a_participation_row_is_named():
    ballot, voters = run_secret_ballot()
    participation = Participation.objects.get(ballot=ballot, user=voters[2])
    with triggers_off():
        sql("DELETE FROM deliberation_participation WHERE id = %s", [participation.pk])

    error, err = verify_fails()

    register = ledger.ballot_chain(ballot.pk, "register")
    seq = entry_seq(register, receipt=participation.receipt)
    assert f"ballot {ballot.pk}: {register}#{seq}: no deliberation_participation row has receipt " \
           f"{participation.receipt}: deleted directly" in error
    assert "recount" in err


@pytest.mark.parametrize("until", ["open", "published"])
def test_an_insert_of_a_forged_sealed_sheet_is_caught(until):
    ballot, _voters = run_secret_ballot(until)
    batch = PaperBatch.objects.get(ballot=ballot)
    forged = uuid.uuid4()
    sql("INSERT INTO deliberation_sealedsheet (id, ballot_id, batch_id, paper) VALUES (%s, %s, %s, %s)",
        [db_uuid(forged), ballot.pk, batch.pk, forged_paper(ballot, "yes", "90.00")])

    error, err = verify_fails()

    assert "1 sealed sheet(s) not in their batch's event and 0 listed sheet(s) missing" in error
    if until == "published":  # the box's list is hashed into the closed event: the sheet is not in it
        assert "the papers in the box are not those it held at close" in err


def test_an_insert_of_a_forged_named_choice_is_caught():
    ballot, voters = run_named_ballot()
    participation = Participation.objects.get(ballot=ballot, user=voters[0])  # voted yes
    sql("INSERT INTO deliberation_namedchoice (participation_id, question_id, option_id) VALUES (%s, %s, %s)",
        [participation.pk, ballot.questions.first().pk, option(ballot, "no").pk])
    forged = NamedChoice.objects.filter(participation=participation).order_by("-pk").first()

    error, _err = verify_fails()

    register = ledger.ballot_chain(ballot.pk, "register")
    seq = entry_seq(register, receipt=participation.receipt)
    assert f"deliberation_namedchoice row {forged.pk} ({register}#{seq}): option " in error


def test_an_insert_of_a_forged_named_ballot_is_caught():
    ballot, voters = run_named_ballot()
    voice = Voice.objects.get(ballot=ballot, holders__user=voters[3])  # never voted
    sql("INSERT INTO deliberation_participation (ballot_id, voice_id, version, user_id, channel, "
        "consent_note, cast_at, receipt) VALUES (%s, %s, 1, %s, 'online', '', %s, 'FAKE-FAKE-FAKE')",
        [ballot.pk, voice.pk, voters[3].pk, timezone.now()])
    forged = Participation.objects.get(receipt="FAKE-FAKE-FAKE")
    sql("INSERT INTO deliberation_namedchoice (participation_id, question_id, option_id) VALUES (%s, %s, %s)",
        [forged.pk, ballot.questions.first().pk, option(ballot, "yes").pk])

    error, _err = verify_fails()

    register = ledger.ballot_chain(ballot.pk, "register")
    assert f"deliberation_participation row {forged.pk} ({register})" in error
    assert "no register entry has this receipt: inserted directly" in error


def _swap_paper_and_rewrite_the_register(ballot: Ballot, voters: list, *, keep_receipt: bool = False
                                          ) -> tuple[str, int, str]:
    """Put a "yes" of the forger's sealing in place of voters[2]'s "no" paper (before the box is opened),
    with a matching receipt unless ``keep_receipt``, and rewrite the register chain to match."""
    register = ledger.ballot_chain(ballot.pk, "register")
    cast = Participation.objects.get(ballot=ballot, user=voters[2])
    seq = entry_seq(register, receipt=cast.receipt)
    forged = forged_paper(ballot, "yes", "60.00")
    receipt = cast.receipt if keep_receipt else box.receipt_of(box.digest(forged))
    payload = json.loads(LedgerEntry.objects.get(chain=register, seq=seq).payload)
    payload.update(paper=box.digest(forged), receipt=receipt)
    with triggers_off():
        sql("UPDATE deliberation_participation SET paper = %s, receipt = %s WHERE id = %s",
            [forged, receipt, cast.pk])
        new_head = rewrite_chain(register, seq, payload)
    assert ledger.verify_chain(register) is None  # the forgery is internally consistent
    assert seq < ledger.head(register)["seq"]  # and later entries were re-linked too
    return register, ledger.head(register)["seq"], new_head


def test_a_chain_recomputed_after_an_edit_is_caught_against_the_head_at_close():
    ballot, voters = run_secret_ballot("closed")
    register, head_seq, _new_head = _swap_paper_and_rewrite_the_register(ballot, voters)

    error, err = verify_fails()

    assert f"ballot {ballot.pk}: {register}#{head_seq}: hash " in error
    assert "differs from the head recorded at close" in error
    assert "the papers in the box are not those it held at close" in err
    error, err = verify_fails(*heads_args(ballot.heads_at_close))
    assert "given with --expect-head" in err


def test_rewriting_the_heads_in_the_ballot_row_as_well_is_caught_by_the_closed_event():
    ballot, voters = run_secret_ballot("closed")
    register, head_seq, new_head = _swap_paper_and_rewrite_the_register(ballot, voters)
    forged_heads = {**ballot.heads_at_close, register: {"seq": head_seq, "hash": new_head}}
    sql(f"UPDATE deliberation_ballot SET heads_at_close = {json_param()} WHERE id = %s",
        [json.dumps(forged_heads), ballot.pk])

    error, _err = verify_fails()

    assert f"ballot {ballot.pk}: {register}#{head_seq}: hash " in error
    assert "differs from the head in the closed event" in error


def _forge_closed_event(ballot: Ballot, register: str, head_seq: int, new_head: str) -> dict:
    """Rewrite the lifecycle chain so its "closed" event carries the forged head and the list of the
    papers now in the box; return the new heads."""
    lifecycle = ledger.ballot_chain(ballot.pk)
    seq = entry_seq(lifecycle, event="closed")
    payload = json.loads(LedgerEntry.objects.get(chain=lifecycle, seq=seq).payload)
    payload["heads"][register] = {"seq": head_seq, "hash": new_head}
    payload["box"] = box_summary(ballot)
    with triggers_off():
        lifecycle_head = rewrite_chain(lifecycle, seq, payload)
    return {**ballot.heads_at_close, register: {"seq": head_seq, "hash": new_head},
            lifecycle: {"seq": ledger.head(lifecycle)["seq"], "hash": lifecycle_head}}


def test_rewriting_the_closed_event_and_the_ballot_row_is_caught_by_its_history():
    ballot, voters = run_secret_ballot("closed")
    register, head_seq, new_head = _swap_paper_and_rewrite_the_register(ballot, voters)
    forged_heads = _forge_closed_event(ballot, register, head_seq, new_head)
    sql(f"UPDATE deliberation_ballot SET heads_at_close = {json_param()} WHERE id = %s",
        [json.dumps(forged_heads), ballot.pk])

    error, _err = verify_fails()

    assert f"ballot {ballot.pk}: deliberation_ballot row {ballot.pk}: heads_at_close differs from history" \
        in error


def _rewrite_everything(ballot: Ballot, voters: list, *, keep_receipt: bool) -> tuple[str, int]:
    register, head_seq, new_head = _swap_paper_and_rewrite_the_register(ballot, voters, keep_receipt=keep_receipt)
    forged_heads = json.dumps(_forge_closed_event(ballot, register, head_seq, new_head))
    sql(f"UPDATE deliberation_ballot SET heads_at_close = {json_param()} WHERE id = %s",
        [forged_heads, ballot.pk])
    sql(f"UPDATE deliberation_historicalballot SET heads_at_close = {json_param()} WHERE id = %s "
        "AND closed_at IS NOT NULL", [forged_heads, ballot.pk])
    return register, head_seq


def test_a_forger_who_rewrites_the_history_too_is_caught_only_by_a_printed_head():
    """The limit documented in docs/SECURITY.md: why heads are printed at close."""
    ballot, voters = run_secret_ballot("closed")
    printed = heads_args(ballot.heads_at_close)
    register, head_seq = _rewrite_everything(ballot, voters, keep_receipt=False)

    verify()  # the database alone now agrees with itself
    error, err = verify_fails(*printed)

    assert "differs from the head given with --expect-head" in error
    assert f"{register}#{head_seq}: hash " in err  # the rewritten register chain is named too


def test_a_paper_swapped_under_the_voters_own_receipt_is_caught_with_every_record_rewritten():
    """The same forger, keeping the voter's receipt (so that their own check still finds it): the
    receipt is the first bits of the sealed paper's hash, and no longer is."""
    ballot, voters = run_secret_ballot("closed")
    register, _head_seq = _rewrite_everything(ballot, voters, keep_receipt=True)
    cast = Participation.objects.get(ballot=ballot, user=voters[2])

    error, _err = verify_fails()

    seq = entry_seq(register, receipt=cast.receipt)
    assert f"deliberation_participation row {cast.pk} ({register}#{seq}): the receipt is not that of the " \
           "sealed paper" in error


# --- More tampers ---------------------------------------------------------------------------------

def test_a_forged_changed_vote_is_caught_without_naming_the_voter():
    """A new version of a real voter's cast, with a paper of the forger's sealing and the receipt it
    gives, while the ballot is open; it would count instead. No register entry backs it."""
    ballot, voters = run_secret_ballot("open")
    real = Participation.objects.filter(ballot=ballot, user=voters[0]).order_by("-version").first()
    paper = forged_paper(ballot, "no", "100.00")
    receipt = box.receipt_of(box.digest(paper))
    sql("INSERT INTO deliberation_participation (ballot_id, voice_id, version, user_id, channel, consent_note, "
        "cast_at, receipt, paper) VALUES (%s, %s, %s, %s, 'online', '', %s, %s, %s)",
        [ballot.pk, real.voice_id, real.version + 1, voters[0].pk, timezone.now(), receipt, paper])
    forged = Participation.objects.get(receipt=receipt)

    error, err = verify_fails()

    register = ledger.ballot_chain(ballot.pk, "register")
    assert f"deliberation_participation row {forged.pk} ({register}): no register entry has this receipt: " \
           "inserted directly" in error
    for voice in Voice.objects.filter(ballot=ballot):
        assert f"{voice.key}" not in err.replace(f"ballot {ballot.pk}", "")
    for voter in voters:
        assert voter.full_name not in err


def test_an_option_changed_after_opening_is_caught():
    ballot, _voters = run_named_ballot()
    abstain = option(ballot, "abstain")
    sql("UPDATE deliberation_option SET meaning = 'yes' WHERE id = %s", [abstain.pk])

    error, _err = verify_fails()

    assert f"deliberation_option ({ledger.ballot_chain(ballot.pk)}#1): questions or options changed" in error
    assert "meaning: \"abstain\" → \"yes\"" in error


def test_a_holder_added_to_the_electorate_is_caught():
    ballot, _voters = run_named_ballot()
    voice = Voice.objects.filter(ballot=ballot).first()
    sql("INSERT INTO deliberation_voiceholder (voice_id, user_id) VALUES (%s, %s)",
        [voice.pk, make_user().pk])

    error, _err = verify_fails()

    assert f"ballot {ballot.pk}: deliberation_voice: the Voice and VoiceHolder rows hash to" in error


def test_a_rotated_secret_key_leaves_the_audit_of_a_sealed_ballot_clean(settings):
    """Papers sealed to the box carry no tag under SECRET_KEY (papers from before the box did; their
    check still takes SECRET_KEY_FALLBACKS): rotating the key, even with no fallback, changes nothing."""
    ballot, _voters = run_secret_ballot()
    settings.SECRET_KEY_FALLBACKS = []
    settings.SECRET_KEY = "a-new-key-" + "x" * 50
    verify()
    assert audit.audit(ballots=[ballot]) == []


# --- The triggers ---------------------------------------------------------------------------------------

@pytest.fixture
def one_row_in_every_append_only_table():
    secret, _voters = run_secret_ballot()
    named, _voters = run_named_ballot()
    # A paper of a secret ballot from before the box, as those tables still hold (inserts are allowed).
    content = uuid.uuid4()
    sql("INSERT INTO deliberation_secretcontent (id, ballot_id, version, voice_tag, cast_on, floor_area) "
        "VALUES (%s, %s, 1, %s, %s, NULL)", [db_uuid(content), named.pk, secrets.token_hex(32), timezone.localdate()])
    sql("INSERT INTO deliberation_secretchoice (content_id, question_id, option_id) VALUES (%s, %s, %s)",
        [db_uuid(content), named.questions.first().pk, option(named, "yes").pk])
    for model in (LedgerEntry, Participation, NamedChoice, SecretContent, SecretChoice, SealedSheet, Voice,
                  VoiceHolder):
        assert model.objects.exists()
    assert {m._meta.db_table for m in (LedgerEntry, Participation, NamedChoice, SecretContent, SecretChoice,
                                       SealedSheet, Voice, VoiceHolder)} == set(triggers.APPEND_ONLY_TABLES)


@pytest.mark.parametrize("action", ["UPDATE", "DELETE"])
@pytest.mark.parametrize("table", triggers.APPEND_ONLY_TABLES)
def test_the_triggers_refuse_update_and_delete(one_row_in_every_append_only_table, table, action):
    statement = f"UPDATE {table} SET id = id" if action == "UPDATE" else f"DELETE FROM {table}"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        before = cursor.fetchone()[0]
    # A savepoint: on PostgreSQL the failed statement would otherwise poison the test's transaction.
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        sql(statement)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        assert cursor.fetchone()[0] == before


# --- Transactional tests: the conftest fixture lets pytest-django flush them --------------------------

@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_votes_under_the_triggers_and_is_flushed_afterwards():
    ballot, _voters = run_secret_ballot()
    verify()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        sql("DELETE FROM deliberation_ledgerentry")
    assert LedgerEntry.objects.filter(chain__startswith=f"b{ballot.pk}").exists()


@pytest.mark.django_db(transaction=True)
def test_the_next_transactional_test_starts_empty_with_the_triggers_back():
    assert not Ballot.objects.exists()
    assert not LedgerEntry.objects.exists()
    run_named_ballot()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        sql("UPDATE deliberation_participation SET version = version + 1")
