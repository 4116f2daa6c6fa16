"""Append to and check the hash-chained ledger (decisions.models.LedgerEntry)."""

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from decisions.models import LedgerEntry

GENESIS = "0" * 64


def canonical(payload: dict) -> str:
    """The one JSON form that is hashed: sorted keys, no spaces, UTF-8 kept."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def link_hash(prev_hash: str, payload_text: str) -> str:
    """The ledger's hash rule: SHA-256 of the previous hash and the canonical payload, UTF-8, in hex.

    The one rule every entry is written and checked by. The database function of the fast path
    (decisions/migrations/sql/sanhui_cast_sealed_v1.sql) computes it in SQL too, as it must to write
    a cast in one statement; tests/decisions/test_cast_sql.py proves both give the same hash.
    """
    return hashlib.sha256((prev_hash + payload_text).encode()).hexdigest()


def ballot_chain(ballot_id: int, part: str = "") -> str:
    """Chain names: "b7" (lifecycle, batches), "b7:register" (who took part), "b7:contents" (secret)."""
    return f"b{ballot_id}:{part}" if part else f"b{ballot_id}"


def append(*, chain: str, payload: dict | str) -> LedgerEntry:
    """Append one entry; call inside the transaction that holds the ballot's lock.

    ``payload``: a dict, or its ``canonical`` text. The unique (chain, seq) constraint refuses a fork
    even if two writers raced here. (A cast's register entry is written by ``cast_sql.write``.)
    """
    last = LedgerEntry.objects.filter(chain=chain).order_by("-seq").values_list("seq", "hash").first()
    seq, prev = last or (0, GENESIS)
    text = payload if isinstance(payload, str) else canonical(payload)
    return LedgerEntry.objects.create(chain=chain, seq=seq + 1, prev_hash=prev, payload=text,
                                      hash=link_hash(prev, text))


def head(chain: str) -> dict:
    last = LedgerEntry.objects.filter(chain=chain).order_by("-seq").only("seq", "hash").first()
    return {"seq": last.seq, "hash": last.hash} if last else {"seq": 0, "hash": GENESIS}


@dataclass(frozen=True)
class Break:
    chain: str
    seq: int
    problem: str

    def __str__(self) -> str:
        return f"{self.chain}#{self.seq}: {self.problem}"


class Entry(NamedTuple):
    """One chain entry as read for checking (no model instance: the audit reads millions)."""

    chain: str
    seq: int
    prev_hash: str
    payload: str
    hash: str


ENTRY_FIELDS = ("chain", "seq", "prev_hash", "payload", "hash")


def verify_chain(chain: str) -> Break | None:
    """Recompute ``chain`` from its genesis; return the first broken entry, or None."""
    rows = LedgerEntry.objects.filter(chain=chain).order_by("seq").values_list(*ENTRY_FIELDS)
    return verify_entries(chain, (Entry(*row) for row in rows.iterator(chunk_size=5000)))


def verify_entries(chain: str, entries: Iterable[Entry]) -> Break | None:
    """Recompute ``chain`` from its genesis over ``entries`` in ``seq`` order; the first broken one, or None."""
    prev, expected_seq = GENESIS, 1
    for entry in entries:
        if entry.seq != expected_seq:
            return Break(chain, expected_seq, f"entry {expected_seq} is missing (next is {entry.seq})")
        if entry.prev_hash != prev:
            return Break(chain, entry.seq, "previous hash does not match")
        if link_hash(prev, entry.payload) != entry.hash:
            return Break(chain, entry.seq, "hash does not match its payload")
        prev, expected_seq = entry.hash, expected_seq + 1
    return None
