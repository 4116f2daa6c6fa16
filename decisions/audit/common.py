"""What the audit reports, and small helpers shared by its parts."""

import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from decisions.models import Ballot

CHAIN_RE = re.compile(r"^b(?P<ballot>\d+)(?::(?P<part>register|contents))?$")
HEAD_RE = re.compile(r"^(?P<chain>b\d+(?::register|:contents)?)[:#](?P<seq>\d+):(?P<hash>[0-9a-fA-F]{64})$")
# Lifecycle events that move the ballot's status; "paper_batch" entries do not.
EVENT_STATUS = {"opened": Ballot.Status.OPEN, "closed": Ballot.Status.CLOSED,
                "published": Ballot.Status.PUBLISHED, "cancelled": Ballot.Status.CANCELLED,
                "not_counted": Ballot.Status.UNCOUNTED}
_MISSING = object()



@dataclass(frozen=True)
class Problem:
    """One thing that does not match, with the chain entry and/or table row it is about."""

    ballot: int | None
    text: str
    chain: str = ""
    seq: int | None = None
    table: str = ""
    row: str = ""

    @property
    def where(self) -> str:
        entry = f"{self.chain}#{self.seq}" if self.chain and self.seq is not None else self.chain
        row = f"{self.table} row {self.row}" if self.row else self.table
        if row and entry:
            return f"{row} ({entry})"
        return row or entry or "ledger"

    def __str__(self) -> str:
        who = f"ballot {self.ballot}" if self.ballot is not None else "ledger"
        return f"{who}: {self.where}: {self.text}"


@dataclass(frozen=True)
class ExpectedHead:
    """A chain head copied from outside the database (notice board, results export)."""

    chain: str
    seq: int
    hash: str

    @classmethod
    def parse(cls, text: str) -> "ExpectedHead":
        """Read ``CHAIN:SEQ:HASH``, e.g. ``b7:contents:12:3fa2…`` (``b7:contents#12:…`` also works)."""
        match = HEAD_RE.match((text or "").strip())
        if not match:
            raise ValueError(f"{text!r} is not CHAIN:SEQ:HASH (e.g. b7:contents:12:<64 hex digits>).")
        return cls(match["chain"], int(match["seq"]), match["hash"].lower())

    @property
    def ballot_id(self) -> int:
        return int(CHAIN_RE.match(self.chain)["ballot"])


def _decimal(value) -> Decimal | None:
    try:
        return None if value is None else Decimal(str(value))
    except InvalidOperation:
        return Decimal("NaN")


def _short(digest) -> str:
    return f"{str(digest)[:12]}…"


def first_difference(recorded, actual, path: str = "") -> str | None:
    """Where ``actual`` first differs from ``recorded`` (``questions[0].options[1].count: 3 → 2``)."""
    if isinstance(recorded, dict) and isinstance(actual, dict):
        for key in sorted(set(recorded) | set(actual), key=str):
            found = first_difference(recorded.get(key, _MISSING), actual.get(key, _MISSING),
                                     f"{path}.{key}" if path else str(key))
            if found:
                return found
        return None
    if isinstance(recorded, list) and isinstance(actual, list):
        if len(recorded) != len(actual):
            return f"{path or 'value'}: {len(recorded)} items → {len(actual)} items"
        for i, (a, b) in enumerate(zip(recorded, actual, strict=True)):
            found = first_difference(a, b, f"{path}[{i}]")
            if found:
                return found
        return None
    if recorded == actual:
        return None

    def show(value) -> str:
        return "(nothing)" if value is _MISSING else json.dumps(value, ensure_ascii=False, default=str)
    return f"{path or 'value'}: {show(recorded)} → {show(actual)}"
