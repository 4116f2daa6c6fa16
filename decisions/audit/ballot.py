"""The audit of one ballot: its chains, lifecycle, heads, history and opening."""

import hashlib
import json
from collections import defaultdict
from decimal import Decimal

from django.db.models import Q

from decisions import ledger
from decisions.audit.anchors import check_anchors
from decisions.audit.common import EVENT_STATUS, ExpectedHead, Problem, _decimal, _short, first_difference
from decisions.audit.rows import RowChecks
from decisions.models import Ballot, LedgerEntry, Voice
from decisions.services.ballots import snapshot_text

# What the lifecycle chain may record after the close: the box's opening and what follows it.
AFTER_CLOSE = {"published", "cancelled", "share_presented", "box_opened", "box_recounted", "not_counted"}


class BallotAudit(RowChecks):
    def __init__(self, ballot: Ballot, expect_heads: list[ExpectedHead]):
        self.ballot = ballot
        self.expect_heads = expect_heads
        self.problems: list[Problem] = []
        self.lifecycle = ledger.ballot_chain(ballot.pk)
        self.register = ledger.ballot_chain(ballot.pk, "register")
        self.contents = ledger.ballot_chain(ballot.pk, "contents")
        legacy_secret = ballot.is_secret and not ballot.is_sealed
        self.chains = [self.lifecycle, self.register] + ([self.contents] if legacy_secret else [])
        self.entries: dict[str, dict[int, ledger.Entry]] = defaultdict(dict)
        self.payloads: dict[tuple[str, int], dict] = {}
        # Its chains by name (the index on (chain, seq)), and any other "b7:…" chain through a range on
        # the same index (LIKE alone could not use it under a non-C collation: one scan per ballot).
        prefix = f"{self.lifecycle}:"
        mine = Q(chain__in=[self.lifecycle, self.register, self.contents]) | Q(
            chain__gte=prefix, chain__lt=f"{self.lifecycle};", chain__startswith=prefix)
        rows = LedgerEntry.objects.filter(mine).order_by("chain", "seq").values_list(*ledger.ENTRY_FIELDS)
        for entry in (ledger.Entry(*row) for row in rows.iterator(chunk_size=5000)):
            self.entries[entry.chain][entry.seq] = entry
            try:
                payload = json.loads(entry.payload)
            except ValueError:
                payload = None
            self.payloads[entry.chain, entry.seq] = payload if isinstance(payload, dict) else {}
        self.events: dict[str, tuple[int, dict]] = {}

    def add(self, text: str, **where) -> None:
        self.problems.append(Problem(self.ballot.pk, text, **where))

    def items(self, chain: str) -> list[tuple[int, dict]]:
        return [(seq, self.payloads[chain, seq]) for seq in sorted(self.entries.get(chain, {}))]

    def run(self) -> list[Problem]:
        for check in (self.check_chains, self.check_lifecycle, self.check_heads, self.check_expected_heads,
                      self.check_history, self.check_opening, self.check_register, self.check_contents,
                      self.check_paper_batches, self.check_secret_papers, self.check_turnout, self.check_result,
                      self.check_anchors):
            try:
                check()
            except Exception as exc:  # a forged payload of the wrong shape must not stop the audit
                self.add(f"{check.__name__} failed on malformed data: {exc!r}")
        return self.problems

    # --- (a) chains ---------------------------------------------------------------------------

    def check_chains(self) -> None:
        for chain in self.chains:
            entries = self.entries.get(chain, {})
            broken = ledger.verify_entries(chain, (entries[seq] for seq in sorted(entries)))
            if broken is not None:
                self.add(broken.problem, chain=chain, seq=broken.seq)
            for seq, entry in self.entries.get(chain, {}).items():
                if not self.payloads[chain, seq] and entry.payload != "{}":
                    self.add("the payload is not a JSON object", chain=chain, seq=seq)
        for chain in sorted(set(self.entries) - set(self.chains)):
            self.add("a chain this ballot should not have", chain=chain, seq=min(self.entries[chain]))

    def check_lifecycle(self) -> None:
        """The lifecycle events follow the legal moves and end at the status in the ballot row."""
        status = Ballot.Status.DRAFT
        for seq, payload in self.items(self.lifecycle):
            event = payload.get("event")
            if "ballot" in payload and payload["ballot"] != self.ballot.pk:
                self.add(f"an event of ballot {payload['ballot']}", chain=self.lifecycle, seq=seq)
            self.events.setdefault(event, (seq, payload))
            target = EVENT_STATUS.get(event)
            if target is None:
                continue
            if target not in Ballot.TRANSITIONS[status]:
                self.add(f"“{event}” cannot follow a {status} ballot", chain=self.lifecycle, seq=seq)
            status = target
        if status != self.ballot.status:
            self.add(f"the ballot row says {self.ballot.status}, its lifecycle chain says {status}",
                     table="deliberation_ballot", row=str(self.ballot.pk), chain=self.lifecycle)

    def check_anchors(self) -> None:
        check_anchors(self)

    # --- (d) heads ------------------------------------------------------------------------------

    def head_problem(self, chain: str, seq, digest, source: str) -> str | None:
        if not isinstance(seq, int) or seq < 0 or not isinstance(digest, str):
            return f"the head {source} is malformed"
        if seq == 0:
            return None if digest == ledger.GENESIS else f"the empty head {source} has a hash"
        entry = self.entries.get(chain, {}).get(seq)
        if entry is None:
            return f"the entry that was the head {source} is missing"
        if entry.hash != digest:
            return (f"hash {_short(entry.hash)} differs from the head {source} ({_short(digest)}): "
                    "the chain was rewritten up to here")
        return None

    def check_head_set(self, heads, source: str, *, at_close: bool, own_chain: bool = True) -> None:
        """``own_chain``: ``heads`` include the lifecycle chain (an event cannot hold its own head)."""
        if not isinstance(heads, dict):
            self.add(f"the heads {source} are malformed", table="deliberation_ballot",
                     row=str(self.ballot.pk))
            return
        for chain in self.chains:
            if chain not in heads and (own_chain or chain != self.lifecycle):
                self.add(f"no head {source}", chain=chain)
        for chain, head in sorted(heads.items()):
            if chain not in self.chains:
                self.add(f"a head {source} for a chain this ballot should not have", chain=chain)
                continue
            seq, digest = (head.get("seq"), head.get("hash")) if isinstance(head, dict) else (None, None)
            problem = self.head_problem(chain, seq, digest, source)
            if problem:
                self.add(problem, chain=chain, seq=seq)
            elif at_close:
                # Nothing may be cast after close; the lifecycle chain may only publish or cancel.
                allowed = AFTER_CLOSE if chain == self.lifecycle else set()
                late = [s for s, p in self.items(chain) if s > seq and p.get("event") not in allowed]
                if late:
                    self.add("appended after the close", chain=chain, seq=late[0])

    def check_heads(self) -> None:
        ballot = self.ballot
        if "opened" in self.events or ballot.heads_at_open:
            self.check_head_set(ballot.heads_at_open, "recorded at opening", at_close=False)
        if "closed" in self.events or ballot.heads_at_close:
            self.check_head_set(ballot.heads_at_close, "recorded at close", at_close=True)
        # Heads written into the lifecycle chain itself, when the close and publish events carry them.
        for event, key in (("closed", "heads"), ("published", "heads_at_close")):
            if key in self.events.get(event, (0, {}))[1]:
                self.check_head_set(self.events[event][1][key], f"in the {event} event", at_close=True,
                                    own_chain=event != "closed")

    def check_expected_heads(self) -> None:
        for head in self.expect_heads:
            problem = self.head_problem(head.chain, head.seq, head.hash, "given with --expect-head")
            if problem:
                self.add(problem, chain=head.chain, seq=head.seq)

    def check_history(self) -> None:
        """What the ballot row recorded at opening, close and publication, against its history rows."""
        fields = ["snapshot_hash", "heads_at_open", "heads_at_close", "result", "box_key", "box_tally"]
        rows = list(Ballot.history.filter(id=self.ballot.pk).order_by("history_id")
                    .values_list("history_id", *fields))
        for i, field in enumerate(fields, start=1):
            current = getattr(self.ballot, field)
            stale = next((row[0] for row in rows if row[i] and row[i] != current), None)
            if stale is not None:
                self.add(f"{field} differs from history record {stale}: the ballot row was edited directly",
                         table="deliberation_ballot", row=str(self.ballot.pk))

    # --- (b) frozen at opening --------------------------------------------------------------------

    def check_opening(self) -> None:
        ballot = self.ballot
        voices = _voices(ballot)
        if "opened" not in self.events:
            if voices:
                self.add("an electorate for a ballot that was never opened", table="deliberation_voice")
            return
        seq, opened = self.events["opened"]
        at = {"chain": self.lifecycle, "seq": seq}
        rows = [(key, f"{area:.2f}" if area is not None else None, sorted(holders))
                for key, (area, holders) in voices.items()]
        for key, household_id in Voice.objects.filter(ballot=ballot).values_list("key", "household_id"):
            if household_id != (int(key[1:]) if key.startswith("h") and key[1:].isdigit() else None):
                self.add(f"voice {key} points at household {household_id}", table="deliberation_voice")
        digest = hashlib.sha256(snapshot_text(rows).encode()).hexdigest()
        if digest != ballot.snapshot_hash:
            self.add(f"the Voice and VoiceHolder rows hash to {_short(digest)}, not to the snapshot hash "
                     f"{_short(ballot.snapshot_hash)} of the ballot", table="deliberation_voice")
        if opened.get("snapshot") != ballot.snapshot_hash:
            self.add("the snapshot hash differs from the one in the opened event",
                     table="deliberation_ballot", row=str(ballot.pk), **at)
        areas = [area for area, _holders in voices.values() if area is not None]
        area = sum(areas, Decimal(0)) if areas else None
        for name, recorded, actual in (
                ("voices entitled", opened.get("voices"), ballot.electorate_size),
                ("voices entitled", ballot.electorate_size, len(voices)),
                ("floor area entitled", _decimal(opened.get("area")), ballot.electorate_area),
                ("floor area entitled", ballot.electorate_area, area),
                ("secrecy", opened.get("secrecy"), ballot.secrecy),
                ("decision rule", opened.get("rule"), ballot.rule),
                ("quorum", _decimal(opened.get("quorum")), ballot.quorum),
                # Absent from the opening entries of ballots opened before these existed: False and "".
                ("quorum more than", opened.get("quorum_more_than", False), ballot.quorum_more_than),
                ("quorum reason", opened.get("quorum_reason", ""), ballot.quorum_reason),
                ("allow_change", opened.get("allow_change"), ballot.allow_change),
                ("the ballot box key", (opened.get("box") or {}).get("key"), ballot.box_key or None),
                ("the scrutineers needed", (opened.get("box") or {}).get("threshold"), ballot.box_threshold
                 if ballot.box_key else None),
                ("the paper size", (opened.get("box") or {}).get("paper_size"), ballot.box_paper_size
                 if ballot.box_key else None)):
            if recorded != actual:
                self.add(f"{name} was {recorded} at opening, is {actual} now",
                         table="deliberation_ballot", row=str(ballot.pk), **at)
        questions = [{"id": q.pk, "text": q.text, "kind": q.kind, "max": q.max_choices,
                      "options": [{"id": o.pk, "label": o.label, "meaning": o.meaning,
                                   "weight": str(o.weight) if o.weight is not None else None,
                                   "excluded": o.excluded} for o in q.options.all()]}
                     for q in ballot.questions.prefetch_related("options")]
        changed = first_difference(opened.get("questions"), questions)
        if changed:
            self.add(f"questions or options changed since opening: {changed}",
                     table="deliberation_option", **at)

    # --- (c) rows against chain entries -------------------------------------------------------------


def _voices(ballot: Ballot) -> dict[str, tuple[Decimal | None, list[int]]]:
    """Voice key → (floor area, holders' user ids), in key order: one query, no model instances."""
    voices: dict[str, tuple[Decimal | None, list[int]]] = {}
    rows = (Voice.objects.filter(ballot=ballot).order_by("key", "holders__user_id")
            .values_list("key", "floor_area", "holders__user_id"))
    for key, area, user_id in rows.iterator(chunk_size=5000):
        holders = voices.setdefault(key, (area, []))[1]
        if user_id is not None:
            holders.append(user_id)
    return voices
