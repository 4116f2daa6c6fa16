"""Races on one ballot, with real threads and real connections (STYLE.md, "Votes").

Casting and closing are serialised per ballot: a row lock on PostgreSQL, IMMEDIATE transactions
on SQLite (the test database is a file, so every thread has its own connection). Whatever the
interleaving, a thread either succeeds or gets a ValidationError — never an IntegrityError,
"database is locked" or anything else that would be a 500 — and the stored ballots, the
published tally and the ledger agree.

Run on both databases (TOX_PARALLEL_ENV only gives PostgreSQL a test database of its own):
    .venv/bin/pytest tests/decisions/test_concurrency.py
    DATABASE_URL=postgres://sanhui:sanhui@127.0.0.1:5432/sanhui TOX_PARALLEL_ENV=concurrency \
        .venv/bin/pytest tests/decisions/test_concurrency.py
"""

import random
import threading
import time
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.db import OperationalError, connection

from decisions import ledger, selectors, services
from decisions.models import Ballot, LedgerEntry, NamedChoice, Participation, SealedSheet, SecretContent
from decisions.services.ballots import chain_heads
from decisions.services.box import box_list, box_recount_matches
from tests.decisions.factories import card_code, choices, make_building_of_households, make_open_ballot, open_box
from tests.factories import make_building, make_household, make_organizer, make_resident

pytestmark = pytest.mark.django_db(transaction=True)

SAME_VOTER_THREADS = 30
VOTERS = 50
ROUNDS = 20
JOIN_TIMEOUT = 120  # seconds; a thread still alive after this is a deadlock or a starved lock wait


def _race(calls: list) -> list[tuple[str, object]]:
    """Run each callable in its own thread, all released together; ("ok", value) or ("error", exc).

    Each thread opens its connection before the barrier (so they really collide on the ballot,
    not on connecting) and closes it at the end.
    """
    barrier = threading.Barrier(len(calls))
    outcomes: list[tuple[str, object]] = [("missing", None)] * len(calls)

    def run(i: int, call) -> None:
        try:
            try:
                _connect()
            except BaseException:
                barrier.abort()  # the others fail at once instead of waiting out the barrier
                raise
            barrier.wait(timeout=60)
            outcomes[i] = ("ok", call())
        except BaseException as exc:  # anything at all is recorded; the test decides
            outcomes[i] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call), daemon=True) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + JOIN_TIMEOUT
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    assert not any(t.is_alive() for t in threads), "threads still running: deadlock or starved lock wait"
    assert not any(kind == "missing" for kind, _v in outcomes)
    if any(isinstance(v, threading.BrokenBarrierError) for _k, v in outcomes):
        causes = [v for kind, v in outcomes if kind == "error" and not isinstance(v, threading.BrokenBarrierError)]
        raise AssertionError(f"the threads never started together; set-up errors: {causes!r}")
    return outcomes


def _connect(patience: float = 30.0) -> None:
    """Open this thread's connection, waiting for a free slot if the server is full.

    Only the set-up: a shared PostgreSQL (max_connections 100) may be busy with other test
    runs. What is under test starts after the barrier.
    """
    deadline = time.monotonic() + patience
    while True:
        try:
            connection.ensure_connection()
            return
        except OperationalError as exc:
            full = "too many clients" in str(exc) or "connection slots are reserved" in str(exc)
            if not full or time.monotonic() > deadline:
                raise
            connection.close()
            time.sleep(random.uniform(0.1, 0.5))


def _unexpected(outcomes, *codes: str) -> list[BaseException]:
    """Errors other than a ValidationError with one of ``codes`` (these would be a 500)."""
    return [exc for kind, exc in outcomes
            if kind == "error" and not (isinstance(exc, ValidationError) and exc.code in codes)]


def _assert_ledger_sound(ballot: Ballot, *, casts: int) -> None:
    """Every chain of the ballot verifies and the register holds one entry per cast; a sealed ballot
    has no contents chain (its papers are in the box), and once closed, the closed event lists the
    papers that count by the hash of their list."""
    ballot.refresh_from_db()
    chains = chain_heads(ballot)
    assert set(chains) == {ledger.ballot_chain(ballot.pk), ledger.ballot_chain(ballot.pk, "register")}
    for chain in chains:
        assert ledger.verify_chain(chain) is None, ledger.verify_chain(chain)
    assert LedgerEntry.objects.filter(chain=ledger.ballot_chain(ballot.pk, "register")).count() == casts
    assert not LedgerEntry.objects.filter(chain=ledger.ballot_chain(ballot.pk, "contents")).exists()
    assert ballot.is_sealed == ballot.is_secret


def _assert_counts_agree(ballot: Ballot, *, casts: int, counted: int, then_close_by=None) -> None:
    """Register and papers agree: ``casts`` rows stored, ``counted`` of them count.

    With ``then_close_by``, check the open ballot, close it (and have a secret ballot's box opened
    by its scrutineer, which counts its papers) and check again.
    """
    if then_close_by is not None:
        _assert_counts_agree(ballot, casts=casts, counted=counted)
        services.ballot_close(ballot=ballot, by=then_close_by)
        open_box(ballot)
    ballot.refresh_from_db()
    assert Participation.objects.filter(ballot=ballot).count() == casts
    assert selectors.latest_participations(ballot).count() == counted
    assert selectors.turnout(ballot).voices == counted
    assert not SecretContent.objects.filter(ballot=ballot).exists()
    if ballot.is_secret:
        # One sealed paper per cast (on its register row, or a batch's sheet in the box); the box
        # holds each voice's latest.
        papers = Participation.objects.filter(ballot=ballot, paper__isnull=False).count()
        assert papers + SealedSheet.objects.filter(ballot=ballot).count() == casts
        assert len(box_list(ballot)) == counted
        assert not NamedChoice.objects.filter(participation__ballot=ballot).exists()
    else:
        assert NamedChoice.objects.filter(participation__ballot=ballot).count() == casts
    if ballot.is_sealed and ballot.box_opened_at is None:
        assert selectors.option_counts(ballot) == {}  # nothing is counted before the box is opened
    else:
        assert sum(n for n, _area in selectors.option_counts(ballot).values()) == counted
    if ballot.is_sealed and ballot.box_opened_at is not None:
        assert (ballot.box_tally["papers"], ballot.box_tally["invalid"]) == (counted, 0)
    _assert_ledger_sound(ballot, casts=casts)


# --- One voter, many threads --------------------------------------------------------------------

@pytest.mark.parametrize("secrecy", [Ballot.Secrecy.SECRET, Ballot.Secrecy.NAMED])
@pytest.mark.parametrize("allow_change", [False, True], ids=["one-shot", "may-change"])
def test_one_voter_casting_from_thirty_threads_counts_once(allow_change, secrecy):
    ballot, organizer, voters = make_open_ballot(secrecy=secrecy, allow_change=allow_change, n=2)
    voter = voters[0]
    wanted = [choices(ballot, "yes" if i % 2 == 0 else "no") for i in range(SAME_VOTER_THREADS)]

    def cast(i: int):
        return lambda: services.vote_cast(ballot=ballot, voter=voter, choices=wanted[i]).version

    outcomes = _race([cast(i) for i in range(SAME_VOTER_THREADS)])

    assert _unexpected(outcomes, "already_voted") == []
    versions = {v: i for i, (kind, v) in enumerate(outcomes) if kind == "ok"}
    if allow_change:
        # Every change went through, each as the next version: 1..30, no gap, no duplicate.
        assert sorted(versions) == list(range(1, SAME_VOTER_THREADS + 1))
        casts = SAME_VOTER_THREADS
    else:
        assert sorted(versions) == [1]
        casts = 1
    stored = Participation.objects.filter(ballot=ballot).order_by("version").values_list("version", flat=True)
    assert list(stored) == list(range(1, casts + 1))
    _assert_counts_agree(ballot, casts=casts, counted=1, then_close_by=organizer)
    # The counted choice is the one cast by the thread that got the latest version.
    last_thread = versions[max(versions)]
    (option_id,) = next(iter(wanted[last_thread].values()))
    assert {o: n for o, (n, _a) in selectors.option_counts(ballot).items() if n} == {option_id: 1}


@pytest.mark.parametrize("secrecy", [Ballot.Secrecy.SECRET, Ballot.Secrecy.NAMED])
def test_household_members_racing_for_a_first_member_voice_count_once(secrecy):
    """Three members of one household, ten threads each: the first to vote holds the voice."""
    building = make_building()
    committee = building.compound.committee
    organizer = make_organizer(committee)
    household = make_household(building)
    members = [make_resident(household, representative=(i == 0)) for i in range(3)]
    ballot = services.ballot_create(committee=committee, by=organizer, title="门禁", secrecy=secrecy,
                                    electorate=Ballot.Electorate.HOUSEHOLDS, building=building,
                                    household_voice=Ballot.HouseholdVoice.FIRST_MEMBER, allow_change=True)
    services.ballot_open(ballot=ballot, by=organizer)
    ballot.refresh_from_db()
    yes = choices(ballot, "yes")

    def cast(member):
        return lambda: services.vote_cast(ballot=ballot, voter=member, choices=yes).version

    outcomes = _race([cast(members[i % 3]) for i in range(SAME_VOTER_THREADS)])

    assert _unexpected(outcomes, "household_voted") == []
    winners = {members[i % 3].pk for i, (kind, _v) in enumerate(outcomes) if kind == "ok"}
    assert len(winners) == 1  # only the first member, who may change their own vote
    casts = sum(kind == "ok" for kind, _v in outcomes)
    assert list(Participation.objects.filter(ballot=ballot).order_by("version")
                .values_list("version", flat=True)) == list(range(1, casts + 1))
    assert set(Participation.objects.filter(ballot=ballot).values_list("user_id", flat=True)) == winners
    _assert_counts_agree(ballot, casts=casts, counted=1, then_close_by=organizer)


@pytest.mark.parametrize("secrecy", [Ballot.Secrecy.SECRET, Ballot.Secrecy.NAMED])
def test_paper_batch_confirmed_while_its_voters_vote_online_counts_each_voice_once(secrecy):
    """A second organizer confirms a paper batch while the same ten voters vote online."""
    building, voters = make_building_of_households(10)
    committee = building.compound.committee
    entering, confirming = make_organizer(committee), make_organizer(committee)
    winners = []
    for round_no in range(4):
        ballot = services.ballot_create(committee=committee, by=entering, title=f"Paper {round_no}",
                                        secrecy=secrecy, electorate=Ballot.Electorate.HOUSEHOLDS,
                                        building=building, allow_change=round_no % 2 == 0)
        services.ballot_open(ballot=ballot, by=entering)
        ballot.refresh_from_db()
        yes = choices(ballot, "yes")
        batch = services.paper_batch_create(ballot=ballot, by=entering, issued=10, returned=10, void=0,
                                            voters=voters)
        for voter in voters:
            services.paper_sheet_add(batch=batch, by=entering, choices=yes,
                                     voter=None if ballot.is_secret else voter)

        # Let the batch, or the online votes, get a head start in turn, so both orders happen.
        paper_ahead = round_no < 2

        def cast(voter, ballot=ballot, yes=yes, paper_ahead=paper_ahead):
            def call():
                time.sleep(random.uniform(0.02, 0.05) if paper_ahead else 0)
                return services.vote_cast(ballot=ballot, voter=voter, choices=yes).pk
            return call

        def confirm(batch=batch, paper_ahead=paper_ahead):
            time.sleep(0 if paper_ahead else random.uniform(0.0, 0.01))
            return services.paper_batch_confirm(batch=batch, by=confirming).pk

        outcomes = _race([cast(v) for v in voters] + [confirm])

        confirm_kind, confirm_value = outcomes.pop()
        assert confirm_kind == "ok" or (isinstance(confirm_value, ValidationError)
                                        and confirm_value.code == "already_voted"), repr(confirm_value)
        assert _unexpected(outcomes, "paper_is_final", "already_voted") == [], f"round {round_no}"
        online = sum(kind == "ok" for kind, _v in outcomes)
        if confirm_kind == "ok":
            # The batch got in first: every voice is on paper, and paper is final.
            assert online == 0
            assert Participation.objects.filter(ballot=ballot, channel="paper").count() == 10
        else:
            # An online vote got in first: the whole batch is refused, everyone voted online.
            assert online == 10
            assert not Participation.objects.filter(ballot=ballot, channel="paper").exists()
        _assert_counts_agree(ballot, casts=10, counted=10, then_close_by=entering)
        winners.append("paper" if confirm_kind == "ok" else "online")
    print(f"\n{connection.vendor} {secrecy}: first in per round: {winners}")


def test_without_the_row_lock_the_unique_constraint_still_refuses_a_second_vote(monkeypatch):
    """Belt and braces: with the lock taken away, the IntegrityError becomes a friendly refusal.

    On PostgreSQL the threads then really insert the same (voice, version) at once; on SQLite the
    IMMEDIATE transactions alone still serialise them. A named ballot: its cast is written by
    the statements of ``cast_sql.write`` on both databases (a secret one is one database function on
    PostgreSQL). The last lock, on the ballot row before the chain append, is the one taken away.
    """
    from decisions import cast_sql

    real = cast_sql._ballot_status
    monkeypatch.setattr(cast_sql, "_ballot_status",
                        lambda ballot_id, lock: real(ballot_id, "" if lock == "FOR NO KEY UPDATE" else lock))
    ballot, organizer, voters = make_open_ballot(allow_change=False, n=2, secrecy=Ballot.Secrecy.NAMED)
    yes = choices(ballot, "yes")
    outcomes = _race([lambda: services.vote_cast(ballot=ballot, voter=voters[0], choices=yes).version]
                     * SAME_VOTER_THREADS)

    assert _unexpected(outcomes, "already_voted") == []
    assert [v for kind, v in outcomes if kind == "ok"] == [1]
    _assert_counts_agree(ballot, casts=1, counted=1, then_close_by=organizer)
    via_constraint = sum(kind == "error" and "does not allow changes" not in str(v) for kind, v in outcomes)
    print(f"\n{connection.vendor}: {via_constraint} refusals came from the unique constraint")


# --- Many voters racing the close ---------------------------------------------------------------

def test_casts_racing_the_close_publish_exactly_the_accepted_votes():
    """50 voters cast while an organizer closes; 20 rounds, secret and named in turn."""
    building, voters = make_building_of_households(VOTERS)
    committee = building.compound.committee
    organizer = make_organizer(committee)
    seed = random.randrange(2**32)
    rng = random.Random(seed)  # choices and close delays; the thread interleaving itself is not replayable
    accepted_per_round = []
    for round_no in range(ROUNDS):
        where = f"round {round_no} (seed {seed})"
        secrecy = Ballot.Secrecy.SECRET if round_no % 2 == 0 else Ballot.Secrecy.NAMED
        ballot = services.ballot_create(committee=committee, by=organizer, title=f"Round {round_no}",
                                        secrecy=secrecy, electorate=Ballot.Electorate.HOUSEHOLDS,
                                        building=building, allow_change=False)
        services.ballot_open(ballot=ballot, by=organizer)
        ballot.refresh_from_db()
        assert ballot.electorate_size == VOTERS
        meanings = [rng.choice(["yes", "no", "abstain"]) for _ in voters]
        wanted = [choices(ballot, m) for m in meanings]
        # Vary when the close lands: at once, early, or some way into the casting.
        delay = rng.choice([0.0, rng.uniform(0, 0.01), rng.uniform(0, 0.05), rng.uniform(0, 0.15)])

        def cast(i: int, ballot=ballot, wanted=wanted):
            return lambda: services.vote_cast(ballot=ballot, voter=voters[i], choices=wanted[i]).pk

        def close(delay=delay, ballot=ballot):
            time.sleep(delay)
            return services.ballot_close(ballot=ballot, by=organizer).pk

        outcomes = _race([cast(i) for i in range(VOTERS)] + [close])

        closer_kind, closer_value = outcomes.pop()
        assert closer_kind == "ok", f"{where}: closing failed: {closer_value!r}"
        assert _unexpected(outcomes, "not_open") == [], where
        accepted = [i for i, (kind, _v) in enumerate(outcomes) if kind == "ok"]
        accepted_per_round.append(len(accepted))

        open_box(ballot)
        services.ballot_publish(ballot=ballot, by=organizer)
        ballot.refresh_from_db()
        result = ballot.result
        first = result["questions"][0]
        assert sum(o["count"] for o in first["options"]) == len(accepted), where
        assert result["turnout"]["voices"] == len(accepted), where
        by_meaning = Counter(meanings[i] for i in accepted)
        assert {o["meaning"]: o["count"] for o in first["options"]} == {
            m: by_meaning.get(m, 0) for m in ("yes", "no", "abstain")}, where
        # The accepted voters, and only they, are in the register.
        assert set(Participation.objects.filter(ballot=ballot).values_list("user_id", flat=True)) == {
            voters[i].pk for i in accepted}
        # A recount of the stored ballots gives the published result: a secret ballot's scrutineer
        # opens the box again and counts its papers anew.
        assert selectors.result_payload(ballot) == result
        if ballot.is_sealed:
            assert services.box_present(ballot=ballot, by=organizer, code=card_code(ballot, organizer)) is True
            assert box_recount_matches(ballot) is True, where
        _assert_counts_agree(ballot, casts=len(accepted), counted=len(accepted))
        # Nothing was cast after the close: the register (and contents) heads did not move.
        heads_now = chain_heads(ballot)
        for chain, head in ballot.heads_at_close.items():
            if chain != ledger.ballot_chain(ballot.pk):
                assert heads_now[chain] == head, f"{where}: {chain} grew after close"
        assert not Participation.objects.filter(ballot=ballot, cast_at__gt=ballot.closed_at).exists(), where
    print(f"\n{connection.vendor}: accepted casts per round (seed {seed}): {accepted_per_round}")
