"""Check the decision core against its ledger; what ``manage.py verify_audit`` runs. Reads only.

Every fact is compared with an independent record of it: each chain is recomputed from its
genesis; the register and contents rows are matched one for one with their chain entries; the
electorate with its snapshot hash; the chain heads with those recorded at opening and close (in
the ballot row, its history and, with ``--expect-head``, a printed export); a published result
with a recount of the stored ballots. Problems name a chain entry (``b7:contents#12``) or a row
(``deliberation_secretchoice row 41``), never a voter of a secret ballot.
"""

import hashlib
import hmac
import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db.models import Q

from deliberation import ledger, selectors
from deliberation.models import (
    Ballot,
    Channel,
    LedgerEntry,
    NamedChoice,
    PaperBatch,
    Participation,
    SecretChoice,
    SecretContent,
    Voice,
)
from deliberation.services import voice_tag
from deliberation.services.ballots import snapshot_text

CHAIN_RE = re.compile(r"^b(?P<ballot>\d+)(?::(?P<part>register|contents))?$")
HEAD_RE = re.compile(r"^(?P<chain>b\d+(?::register|:contents)?)[:#](?P<seq>\d+):(?P<hash>[0-9a-fA-F]{64})$")
# Lifecycle events that move the ballot's status; "paper_batch" entries do not.
EVENT_STATUS = {"opened": Ballot.Status.OPEN, "closed": Ballot.Status.CLOSED,
                "published": Ballot.Status.PUBLISHED, "cancelled": Ballot.Status.CANCELLED}
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


def audit(*, ballots: Iterable[Ballot] | None = None, expect_heads: Iterable[ExpectedHead] = (),
          on_ballot: Callable[[Ballot, list[Problem]], None] | None = None) -> list[Problem]:
    """Check ``ballots`` (default: all, and chains of no ballot); return every problem, first first."""
    expected: dict[int, list[ExpectedHead]] = defaultdict(list)
    for head in expect_heads:
        expected[head.ballot_id].append(head)
    problems: list[Problem] = []
    for ballot in Ballot.objects.order_by("pk") if ballots is None else ballots:
        found = _BallotAudit(ballot, expected.pop(ballot.pk, [])).run()
        if on_ballot is not None:
            on_ballot(ballot, found)
        problems += found
    for ballot_id, heads in sorted(expected.items()):  # heads of ballots not checked above
        ballot = Ballot.objects.filter(pk=ballot_id).first()
        if ballot is None:
            problems.append(Problem(ballot_id, "a head was given for a ballot that does not exist",
                                    chain=heads[0].chain, seq=heads[0].seq))
            continue
        audit_ = _BallotAudit(ballot, heads)
        audit_.check_expected_heads()
        problems += audit_.problems
    if ballots is None:
        problems += _stray_chains()
    return problems


def _stray_chains() -> list[Problem]:
    """Chains that belong to no ballot (a ballot deleted behind the application's back)."""
    existing = set(Ballot.objects.values_list("pk", flat=True))
    problems = []
    for chain in LedgerEntry.objects.order_by("chain").values_list("chain", flat=True).distinct():
        match = CHAIN_RE.match(chain)
        if match is None:
            problems.append(Problem(None, "a chain with a name no ballot uses", chain=chain))
        elif int(match["ballot"]) not in existing:
            problems.append(Problem(int(match["ballot"]), "the chain of a ballot that no longer exists",
                                    chain=chain))
    return problems


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


class _BallotAudit:
    def __init__(self, ballot: Ballot, expect_heads: list[ExpectedHead]):
        self.ballot = ballot
        self.expect_heads = expect_heads
        self.problems: list[Problem] = []
        self.lifecycle = ledger.ballot_chain(ballot.pk)
        self.register = ledger.ballot_chain(ballot.pk, "register")
        self.contents = ledger.ballot_chain(ballot.pk, "contents")
        self.chains = [self.lifecycle, self.register] + ([self.contents] if ballot.is_secret else [])
        self.entries: dict[str, dict[int, LedgerEntry]] = defaultdict(dict)
        self.payloads: dict[tuple[str, int], dict] = {}
        mine = Q(chain=self.lifecycle) | Q(chain__startswith=f"{self.lifecycle}:")
        for entry in LedgerEntry.objects.filter(mine).order_by("chain", "seq"):
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
                      self.check_paper_batches, self.check_secret_papers, self.check_result):
            try:
                check()
            except Exception as exc:  # a forged payload of the wrong shape must not stop the audit
                self.add(f"{check.__name__} failed on malformed data: {exc!r}")
        return self.problems

    # --- (a) chains ---------------------------------------------------------------------------

    def check_chains(self) -> None:
        for chain in self.chains:
            broken = ledger.verify_chain(chain)
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
                allowed = {"published", "cancelled"} if chain == self.lifecycle else set()
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
        fields = ["snapshot_hash", "heads_at_open", "heads_at_close", "result"]
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
        voices = list(Voice.objects.filter(ballot=ballot).prefetch_related("holders").order_by("key"))
        if "opened" not in self.events:
            if voices:
                self.add("an electorate for a ballot that was never opened", table="deliberation_voice")
            return
        seq, opened = self.events["opened"]
        at = {"chain": self.lifecycle, "seq": seq}
        rows = [(v.key, f"{v.floor_area:.2f}" if v.floor_area is not None else None,
                 sorted(h.user_id for h in v.holders.all())) for v in voices]
        digest = hashlib.sha256(snapshot_text(rows).encode()).hexdigest()
        if digest != ballot.snapshot_hash:
            self.add(f"the Voice and VoiceHolder rows hash to {_short(digest)}, not to the snapshot hash "
                     f"{_short(ballot.snapshot_hash)} of the ballot", table="deliberation_voice")
        if opened.get("snapshot") != ballot.snapshot_hash:
            self.add("the snapshot hash differs from the one in the opened event",
                     table="deliberation_ballot", row=str(ballot.pk), **at)
        areas = [v.floor_area for v in voices if v.floor_area is not None]
        area = sum(areas, Decimal(0)) if areas else None
        for name, recorded, actual in (
                ("voices entitled", opened.get("voices"), ballot.electorate_size),
                ("voices entitled", ballot.electorate_size, len(voices)),
                ("floor area entitled", _decimal(opened.get("area")), ballot.electorate_area),
                ("floor area entitled", ballot.electorate_area, area),
                ("secrecy", opened.get("secrecy"), ballot.secrecy),
                ("decision rule", opened.get("rule"), ballot.rule),
                ("quorum", _decimal(opened.get("quorum")), ballot.quorum),
                ("allow_change", opened.get("allow_change"), ballot.allow_change)):
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

    def entries_by(self, chain: str, key: str) -> dict[str, tuple[int, dict]]:
        found: dict[str, tuple[int, dict]] = {}
        for seq, payload in self.items(chain):
            ident = str(payload.get(key))
            if ident in found:
                self.add(f"a second entry for {key} {ident} (first at #{found[ident][0]})",
                         chain=chain, seq=seq)
            else:
                found[ident] = (seq, payload)
        return found

    def check_register(self) -> None:
        """Every Participation (and NamedChoice) row matches one register entry, and back."""
        entries = self.entries_by(self.register, "receipt")
        choices: dict[int, list[tuple[int, int]]] = defaultdict(list)
        named = NamedChoice.objects.filter(participation__ballot=self.ballot).order_by("pk")
        for pk, participation_id, option_id in named.values_list("pk", "participation_id", "option_id"):
            choices[participation_id].append((pk, option_id))
        rows = Participation.objects.filter(ballot=self.ballot).select_related("voice").order_by("pk")
        for p in rows:
            row = {"table": "deliberation_participation", "row": str(p.pk)}
            found = entries.pop(p.receipt, None)
            if found is None:
                self.add("no register entry has this receipt: inserted directly", chain=self.register, **row)
                continue
            seq, entry = found
            at = {"chain": self.register, "seq": seq}
            actual = {"voice": p.voice.key, "version": p.version, "user": p.user_id, "channel": p.channel,
                      "entered_by": p.entered_by_id, "batch": p.batch_id, "at": p.cast_at.isoformat()}
            changed = [k for k, v in actual.items() if entry.get(k) != v]
            if changed:
                self.add(f"{', '.join(changed)} differ(s) from the register entry", **row, **at)
            if p.voice.ballot_id != self.ballot.pk:
                self.add("the voice belongs to another ballot", **row, **at)
            self.match_choices(entry.get("choices") or [], choices.pop(p.pk, []),
                               table="deliberation_namedchoice", owner=row, at=at)
        for receipt, (seq, _entry) in sorted(entries.items(), key=lambda item: item[1][0]):
            self.add(f"no deliberation_participation row has receipt {receipt}: deleted directly",
                     chain=self.register, seq=seq)

    def match_choices(self, recorded: list, rows: list[tuple[int, int]], *, table: str, owner: dict,
                      at: dict) -> None:
        """Choice rows (pk, option id) against the option ids of the chain entry."""
        wanted = Counter(recorded)
        for pk, option_id in rows:
            if wanted[option_id] > 0:
                wanted[option_id] -= 1
            else:
                self.add(f"option {option_id} is not in the chain entry {recorded}", table=table,
                         row=str(pk), **at)
        for option_id in +wanted:
            self.add(f"option {option_id} of the chain entry has no {table} row", **owner, **at)

    def check_contents(self) -> None:
        """Every SecretContent (with its SecretChoice rows) matches one contents entry, and back."""
        if self.ballot.is_secret and self.ballot.status == Ballot.Status.OPEN:
            # Papers are chained at close, in random order; while open only their count is checked.
            for seq, _entry in self.items(self.contents):
                self.add("a contents entry before the ballot closed", chain=self.contents, seq=seq)
            return
        entries = self.entries_by(self.contents, "content") if self.ballot.is_secret else {}
        choices: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for pk, content_id, option_id in (SecretChoice.objects.filter(content__ballot=self.ballot)
                                          .order_by("pk").values_list("pk", "content_id", "option_id")):
            choices[str(content_id)].append((pk, option_id))
        for content in SecretContent.objects.filter(ballot=self.ballot).order_by("pk"):
            row = {"table": "deliberation_secretcontent", "row": str(content.pk)}
            found = entries.pop(str(content.pk), None)
            if found is None:
                self.add("no contents entry for this ballot paper: inserted directly",
                         chain=self.contents, **row)
                continue
            seq, entry = found
            at = {"chain": self.contents, "seq": seq}
            actual = {"version": (entry.get("version"), content.version), "tag": (entry.get("tag"), content.voice_tag),
                      "day": (entry.get("day"), content.cast_on.isoformat()),
                      "area": (_decimal(entry.get("area")), content.floor_area)}
            changed = [k for k, (recorded, now) in actual.items() if recorded != now]
            if changed:
                self.add(f"{', '.join(changed)} differ(s) from the contents entry", **row, **at)
            self.match_choices(entry.get("choices") or [], choices.pop(str(content.pk), []),
                               table="deliberation_secretchoice", owner=row, at=at)
        for seq, _entry in sorted(entries.values(), key=lambda item: item[0]):
            self.add("no deliberation_secretcontent row for this entry: deleted directly",
                     chain=self.contents, seq=seq)

    def check_paper_batches(self) -> None:
        """Each confirmed paper batch has its paper_batch event, with the same counts and people."""
        events: dict[object, tuple[int, dict]] = {}
        for seq, payload in self.items(self.lifecycle):
            if payload.get("event") == "paper_batch":
                events.setdefault(payload.get("batch"), (seq, payload))
        confirmed = PaperBatch.objects.filter(ballot=self.ballot, status=PaperBatch.Status.CONFIRMED)
        for batch in confirmed.order_by("pk"):
            row = {"table": "deliberation_paperbatch", "row": str(batch.pk)}
            found = events.pop(batch.pk, None)
            if found is None:
                self.add("a confirmed batch without its paper_batch event", chain=self.lifecycle, **row)
                continue
            seq, event = found
            actual = {"issued": batch.issued, "returned": batch.returned, "void": batch.void,
                      "entered_by": batch.entered_by_id, "confirmed_by": batch.confirmed_by_id}
            changed = [k for k, v in actual.items() if event.get(k) != v]
            if changed:
                self.add(f"{', '.join(changed)} differ(s) from the paper_batch event", chain=self.lifecycle,
                         seq=seq, **row)
        for seq, _event in sorted(events.values(), key=lambda item: item[0]):
            self.add("a paper_batch event whose batch is not confirmed", chain=self.lifecycle, seq=seq)

    def check_secret_papers(self) -> None:
        """Secret ballot papers against the register, by count only (no voice is ever named).

        Each voice's online and assisted casts wrote one paper with its tag; every other paper is
        a paper sheet of a confirmed batch. This holds even when a forged paper came with a forged
        contents entry, e.g. a "changed vote" under a real voter's tag on a ballot still open.
        """
        if not self.ballot.is_secret:
            return
        casts = Counter(Participation.objects.filter(ballot=self.ballot).exclude(channel=Channel.PAPER)
                        .values_list("voice__key", flat=True))
        papers = Counter(SecretContent.objects.filter(ballot=self.ballot).values_list("voice_tag", flat=True))
        voice_tags: set[str] = set()
        uneven = 0
        for key, count in casts.items():
            tags = _voice_tags(self.ballot, key)
            voice_tags |= tags
            uneven += sum(papers[tag] for tag in tags) != count
        if uneven:
            self.add(f"{uneven} voice(s) have a different number of ballot papers than of registered online "
                     "or assisted casts (a paper forged or removed, or SECRET_KEY changed)",
                     table="deliberation_secretcontent")
        other = Counter({tag: n for tag, n in papers.items() if tag not in voice_tags})
        sheets = sum(b.returned - b.void for b in PaperBatch.objects.filter(
            ballot=self.ballot, status=PaperBatch.Status.CONFIRMED))
        if other.total() != sheets:
            self.add(f"{other.total()} ballot paper(s) carry no voter's tag, but the confirmed paper batches "
                     f"hold {sheets} valid sheet(s)", table="deliberation_secretcontent")
        if any(n > 1 for n in other.values()):
            self.add("two ballot papers share a paper sheet's one-off tag",
                     table="deliberation_secretcontent")

    # --- (e) the published result ----------------------------------------------------------------------

    def check_result(self) -> None:
        ballot = self.ballot
        if ballot.status != Ballot.Status.PUBLISHED:
            if ballot.result is not None:
                self.add("a result is stored but the ballot is not published",
                         table="deliberation_ballot", row=str(ballot.pk))
            return
        try:
            recount = selectors.result_payload(ballot)
        except ValueError as exc:  # rules.Tally refuses e.g. more choices than voices that took part
            self.add(f"the stored ballots cannot be recounted: {exc}", table="deliberation_ballot",
                     row=str(ballot.pk))
            return
        changed = first_difference(ballot.result, recount)
        if changed:
            self.add(f"a recount of the stored ballots differs from the published result: {changed}",
                     table="deliberation_ballot", row=str(ballot.pk))
        if "published" in self.events:
            seq, event = self.events["published"]
            changed = first_difference(event.get("result"), recount)
            if changed:
                self.add(f"a recount differs from the result in the published event: {changed}",
                         chain=self.lifecycle, seq=seq)


def _voice_tags(ballot: Ballot, voice_key: str) -> set[str]:
    """The voice's tag under SECRET_KEY and under each SECRET_KEY_FALLBACKS (a key rotated since)."""
    tags = {voice_tag(ballot, voice_key)}
    message = f"sanhui-voice:{ballot.pk}:{voice_key}".encode()
    for key in getattr(settings, "SECRET_KEY_FALLBACKS", []):
        tags.add(hmac.new(str(key).encode(), message, hashlib.sha256).hexdigest())
    return tags
