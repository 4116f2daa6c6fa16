"""Casting stays cheap: a cap on the queries of a cast request, view and service together.

The cast request is what a meeting of two thousand people does at once. Its queries, counted from
the session lookup to the redirect to the receipt (production opens and commits one transaction
around the writes, which are not counted here):

- the session and its user, in one statement (``members.sessions``);
- the vote throttle's count, one upsert shared by every worker (``decisions.throttle``);
- the voice held on the ballot, with the ballot, the voice's latest version and the ballot's
  options with their questions (one query, ``cast_sql.voice_for``);
- on PostgreSQL, a secret ballot: one statement writes the rest (the database function
  ``cast_sql.FUNCTION``);
- otherwise: on PostgreSQL, first, a key-share lock on the ballot row (a close waits for the cast;
  SQLite's IMMEDIATE transaction already holds the database); the register row (with the sealed
  paper, secret); the named choices and their history rows (named only); at the end, the ballot
  row locked (SQLite: its status read with the chain's head), the register chain's head read and
  the new entry appended.

A change of vote reads the version it replaces: one more. Nothing else: the view no longer repeats
what the service checks, and the service reads nothing twice.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from decisions import cast_sql, ledger
from decisions.models import Ballot, LedgerEntry, Participation
from tests.decisions.factories import make_open_ballot, option

pytestmark = pytest.mark.django_db

READS = 2  # the session with its user (one statement: members.sessions), the voice with its options
THROTTLE = 1  # the shared vote throttle: one INSERT … ON CONFLICT … RETURNING (decisions.throttle)
# The participation (its sealed paper in the same row), the lock, the chain head, the chain entry; and
# the key-share lock first on PostgreSQL. (On SQLite the status and the chain head are one read: one
# fewer.) A named ballot adds two inserts: its choices and their history rows.
WRITES = 4
NAMED_CHOICES = 2
TEST_TRANSACTION = 2  # SAVEPOINT and RELEASE: the test case's transaction turns the cast's into a savepoint


def cap(secrecy: str = Ballot.Secrecy.SECRET) -> int:
    choices = NAMED_CHOICES if secrecy == Ballot.Secrecy.NAMED else 0
    if connection.vendor != "postgresql":
        return READS + THROTTLE + WRITES - 1 + choices + TEST_TRANSACTION
    return READS + THROTTLE + (1 if secrecy == Ballot.Secrecy.SECRET else WRITES + 1 + choices) + TEST_TRANSACTION


def _post_confirm(client, ballot, meaning: str, after: int, opt=None):
    opt = opt or option(ballot, meaning)
    return client.post(reverse("decisions:ballot_vote", args=[ballot.pk]),
                       {f"q{opt.question_id}": opt.pk, "action": "confirm", "after": str(after)})


def _queries(ctx) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries]


@pytest.mark.parametrize("secrecy", [Ballot.Secrecy.SECRET, Ballot.Secrecy.NAMED])
def test_a_cast_request_runs_a_fixed_small_number_of_queries(client, secrecy):
    ballot, _organizer, voters = make_open_ballot(secrecy=secrecy, n=3)
    for voter in voters[:2]:  # earlier casts on the ballot change nothing in the count
        client.force_login(voter)
        assert _post_confirm(client, ballot, "yes", 0).status_code == 302
    client.force_login(voters[2])
    no = option(ballot, "no")
    with CaptureQueriesContext(connection) as ctx:
        response = _post_confirm(client, ballot, "no", 0, no)
    assert response.status_code == 302 and "/receipt/" in response["Location"]
    assert len(ctx.captured_queries) <= cap(secrecy), "\n".join(_queries(ctx))
    assert Participation.objects.filter(ballot=ballot).count() == 3
    assert ledger.verify_chain(ledger.ballot_chain(ballot.pk, "register")) is None


def test_a_changed_vote_costs_one_query_more(client):
    ballot, _organizer, voters = make_open_ballot(allow_change=True)
    client.force_login(voters[0])
    assert _post_confirm(client, ballot, "yes", 0).status_code == 302
    no = option(ballot, "no")
    with CaptureQueriesContext(connection) as ctx:
        response = _post_confirm(client, ballot, "no", 1, no)
    assert response.status_code == 302 and "/receipt/" in response["Location"]
    assert len(ctx.captured_queries) <= cap() + 1, "\n".join(_queries(ctx))
    assert list(Participation.objects.order_by("version").values_list("version", flat=True)) == [1, 2]


def _function_statements() -> list[str]:
    """The statements of the cast's database function as installed, in order (PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = %s", [cast_sql.FUNCTION])
        source = cursor.fetchone()[0]
    pieces = re.sub(r"--[^\n]*", "", source).split(";")
    return [re.sub(r"^BEGIN ", "", " ".join(piece.split())) for piece in pieces
            if re.search(r"\b(SELECT|INSERT|UPDATE|DELETE)\b", piece)]


def test_the_ballot_lock_is_taken_last_and_only_the_chain_append_follows(client):
    """The critical section: after the ballot row's lock, only the chain head and the new entry.

    SQLite: the statements the request sends. PostgreSQL: the request sends one statement for the
    whole write, and the order is that of the database function it calls.
    """
    ballot, _organizer, voters = make_open_ballot()
    client.force_login(voters[0])
    yes = option(ballot, "yes")
    with CaptureQueriesContext(connection) as ctx:
        assert _post_confirm(client, ballot, "yes", 0, yes).status_code == 302
    sql = [q for q in _queries(ctx) if "deliberation_throttlecount" not in q]  # counted before the cast
    if connection.vendor == "postgresql":
        writes = [q for q in sql if q.startswith("INSERT") or cast_sql.FUNCTION in q]
        assert len(writes) == 1 and writes[0].startswith(f"SELECT {cast_sql.FUNCTION}(")
        sql = _function_statements()
    ballot_reads = [i for i, q in enumerate(sql) if re.search(r'FROM "?deliberation_ballot"?( b)? WHERE', q)
                    and "deliberation_voice" not in q]
    lock = ballot_reads[-1]
    after = [q for q in sql[lock + 1:] if not q.startswith(("SAVEPOINT", "RELEASE"))]
    if connection.vendor == "postgresql":
        assert "FOR NO KEY UPDATE" in sql[lock]
        # The shared lock comes before any write of the cast.
        assert "FOR KEY SHARE" in sql[ballot_reads[0]]
        assert not any(q.startswith("INSERT") for q in sql[:ballot_reads[0]])
        # The chain head is read by a statement of its own, after the lock is held.
        assert after[0].startswith("SELECT") and "deliberation_ledgerentry" in after[0]
        after = after[1:]
    else:
        # SQLite: the IMMEDIATE transaction holds the database; the status and the head in one read.
        assert "deliberation_ledgerentry" in sql[lock]
    assert len(after) == 1
    assert after[0].startswith("INSERT") and "deliberation_ledgerentry" in after[0]
    assert not any(q.startswith("INSERT") for q in sql[lock + 1:] if "ledgerentry" not in q)
    assert LedgerEntry.objects.filter(chain=ledger.ballot_chain(ballot.pk, "register")).count() == 1
    assert ledger.verify_chain(ledger.ballot_chain(ballot.pk, "register")) is None


def test_a_refused_cast_still_gets_the_full_scope_check(client):
    """An outsider's refused cast is a 404, as before: the fast path skips nothing that decides scope."""
    ballot, _organizer, _voters = make_open_ballot()
    other, _o, outsiders = make_open_ballot()
    client.force_login(outsiders[0])
    assert _post_confirm(client, ballot, "yes", 0).status_code == 404
    assert client.post(reverse("decisions:ballot_vote", args=[999999]),
                       {"action": "confirm", "after": "0"}).status_code == 404
    assert not Participation.objects.exists()
