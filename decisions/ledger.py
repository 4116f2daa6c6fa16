"""Append to and check the hash-chained ledger (decisions.models.LedgerEntry)."""

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from decisions import cast_sql
from decisions.models import LedgerEntry

GENESIS = "0" * 64


def canonical(payload: dict) -> str:
    """The one JSON form that is hashed: sorted keys, no spaces, UTF-8 kept."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def link_hash(prev_hash: str, payload_text: str) -> str:
    return hashlib.sha256((prev_hash + payload_text).encode()).hexdigest()


def ballot_chain(ballot_id: int, part: str = "") -> str:
    """Chain names: "b7" (lifecycle, batches), "b7:register" (who took part), "b7:contents" (secret)."""
    return f"b{ballot_id}:{part}" if part else f"b{ballot_id}"


def append(*, chain: str, payload: dict | str, head: tuple[int, str] | None = None) -> LedgerEntry:
    """Append one entry; call inside the transaction that holds the ballot's lock.

    ``payload``: a dict, or its ``canonical`` text if the caller built it before taking the lock.

    ``head``: the chain's last (seq, hash) — ``(0, GENESIS)`` for an empty chain — if the caller has
    just read it under that lock (``cast_sql.status_and_head``); otherwise it is read here. The
    unique (chain, seq) constraint refuses a fork even if two writers raced here.
    """
    seq, prev = head or cast_sql.chain_head(chain) or (0, GENESIS)
    text = payload if isinstance(payload, str) else canonical(payload)
    entry = cast_sql.new(LedgerEntry, chain=chain, seq=seq + 1, prev_hash=prev, payload=text,
                         hash=link_hash(prev, text))
    cast_sql.insert(entry, returning_pk=True)
    return entry


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
