"""The audit of stored rows against the chains, and of the published result against a recount."""

import hashlib
import hmac
from collections import Counter, defaultdict
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings

from decisions import selectors
from decisions.audit.common import _decimal, first_difference
from decisions.box import digest, receipt_of
from decisions.models import (
    Ballot,
    Channel,
    NamedChoice,
    PaperBatch,
    Participation,
    SealedSheet,
    SecretChoice,
    SecretContent,
)
from decisions.services.box import box_summary


class _Paper(NamedTuple):
    pk: object
    version: int
    voice_tag: str
    cast_on: object
    floor_area: object


class RowChecks:
    """Register, contents, paper batches, secret papers and result (mixed into the ballot audit)."""

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
        for pk, participation_id, option_id, question_id, option_question in named.values_list(
                "pk", "participation_id", "option_id", "question_id", "option__question_id"):
            choices[participation_id].append((pk, option_id))
            if question_id != option_question:
                self.add(f"question {question_id} is not the question of option {option_id}",
                         table="deliberation_namedchoice", row=str(pk))
        rows = (Participation.objects.filter(ballot=self.ballot).order_by("pk")
                .values_list("pk", "receipt", "voice__key", "voice__ballot_id", "version", "user_id", "channel",
                             "entered_by_id", "batch_id", "cast_at", "consent_note", "paper", "ballot_id"))
        for (pk, receipt, voice_key, voice_ballot, version, user, channel, entered_by, batch, cast_at, consent,
             paper, ballot_id) in rows.iterator(chunk_size=5000):
            row = {"table": "deliberation_participation", "row": str(pk)}
            found = entries.pop(receipt, None)
            if found is None:
                self.add("no register entry has this receipt: inserted directly", chain=self.register, **row)
                continue
            seq, entry = found
            at = {"chain": self.register, "seq": seq}
            actual = {"voice": voice_key, "version": version, "user": user, "channel": channel,
                      "entered_by": entered_by, "batch": batch, "at": cast_at.isoformat(), "consent_note": consent}
            if self.ballot.is_sealed:
                actual["paper"] = digest(paper) if paper is not None else None
            changed = [k for k, v in actual.items() if entry.get(k) != v]
            if changed:
                self.add(f"{', '.join(changed)} differ(s) from the register entry", **row, **at)
            if self.ballot.is_sealed and paper is not None and receipt != receipt_of(actual["paper"]):
                # The voter holds the receipt: a paper swapped under it, with every chain rewritten to
                # match, still shows here.
                self.add("the receipt is not that of the sealed paper", **row, **at)
            if voice_ballot != self.ballot.pk or ballot_id != self.ballot.pk:
                self.add("the voice belongs to another ballot", **row, **at)
            self.match_choices(entry.get("choices") or [], choices.pop(pk, []),
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
        if self.ballot.is_sealed:
            if SecretContent.objects.filter(ballot=self.ballot).exists():
                self.add("anonymous papers outside the sealed box", table="deliberation_secretcontent")
            return
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
        contents = (SecretContent.objects.filter(ballot=self.ballot).order_by("pk")
                    .values_list("pk", "version", "voice_tag", "cast_on", "floor_area"))
        for content in (_Paper(*row) for row in contents.iterator(chunk_size=5000)):
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
        if self.ballot.is_sealed:
            self.check_sealed_box()
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

    def check_sealed_box(self) -> None:
        """A sealed ballot: its sheets against their batches' events, the box against the closed event.

        Every online or assisted paper is checked with its register entry (``check_register``); the
        sheets of each confirmed batch are listed by hash in its paper_batch event; the list of the
        papers that count is hashed into the closed event, and the counts its opening gave are in the
        box_opened event.
        """
        recorded: Counter = Counter()
        for _seq, payload in self.items(self.lifecycle):
            if payload.get("event") == "paper_batch":
                recorded.update(payload.get("sheets") or [])
        stored = Counter(digest(paper) for paper in SealedSheet.objects.filter(
            ballot=self.ballot, batch__status=PaperBatch.Status.CONFIRMED).values_list("paper", flat=True))
        if stored != recorded:
            self.add(f"{(stored - recorded).total()} sealed sheet(s) not in their batch's event and "
                     f"{(recorded - stored).total()} listed sheet(s) missing", table="deliberation_sealedsheet")
        if SealedSheet.objects.filter(ballot=self.ballot).exclude(batch__ballot=self.ballot).exists():
            self.add("a sealed sheet of another ballot's batch", table="deliberation_sealedsheet")
        if any(channel != Channel.PAPER and paper is None for channel, paper in Participation.objects.filter(
                ballot=self.ballot).values_list("channel", "paper")):
            self.add("a secret cast without its sealed paper", table="deliberation_participation")
        if "closed" in self.events:
            seq, closed = self.events["closed"]
            if closed.get("box") != box_summary(self.ballot):
                self.add("the papers in the box are not those it held at close", chain=self.lifecycle, seq=seq,
                         table="deliberation_participation")
        opened = self.events.get("box_opened")
        if opened is not None and opened[1].get("tally") != self.ballot.box_tally:
            self.add("the counts stored for the box differ from those recorded when it was opened",
                     chain=self.lifecycle, seq=opened[0], table="deliberation_ballot", row=str(self.ballot.pk))
        if (opened is None) != (self.ballot.box_opened_at is None):
            self.add("the ballot row and its lifecycle chain disagree on whether the box was opened",
                     table="deliberation_ballot", row=str(self.ballot.pk))

    def check_turnout(self) -> None:
        """The turnout the ballot pages show (stored counts) against a count of the register."""
        stored, counted = selectors.turnout(self.ballot), selectors.counted_turnout(self.ballot)
        if stored.voices != counted.voices or _cents(stored.area) != _cents(counted.area):
            self.add(f"the stored turnout ({stored.voices} voices, area {stored.area}) differs from the register's "
                     f"({counted.voices} voices, area {counted.area})", table="decisions_turnoutcount")

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


def _cents(area) -> Decimal:
    """An area to the square centimetre (SQLite sums decimals as floats)."""
    return Decimal(str(area or 0)).quantize(Decimal("0.01"))


def _voice_tags(ballot: Ballot, voice_key: str) -> set[str]:
    """A secret ballot from before the sealed box: the voice's tag under SECRET_KEY and under each
    SECRET_KEY_FALLBACKS (a key rotated since)."""
    tags = set()
    message = f"sanhui-voice:{ballot.pk}:{voice_key}".encode()
    for key in [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]:
        tags.add(hmac.new(str(key).encode(), message, hashlib.sha256).hexdigest())
    return tags
