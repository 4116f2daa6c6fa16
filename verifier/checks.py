"""Every check of a bulletin (docs/BULLETIN.md), each finding recorded with what holds or what does not."""

import base64
import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from pathlib import Path

from verifier import arithmetic, timestamp

GENESIS = "0" * 64
ANCHORED = {"opened", "closed", "published", "box_opened", "box_recounted", "cancelled", "not_counted"}


@dataclass
class Finding:
    holds: bool | None  # True ✓, False ✗, None a note
    code: str
    params: dict = field(default_factory=dict)


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)

    def ok(self, code: str, **params) -> None:
        self.findings.append(Finding(True, code, params))

    def fail(self, code: str, **params) -> None:
        self.findings.append(Finding(False, code, params))

    def note(self, code: str, **params) -> None:
        self.findings.append(Finding(None, code, params))

    @property
    def failures(self) -> list[Finding]:
        return [f for f in self.findings if f.holds is False]

    @property
    def holds(self) -> bool:
        return not self.failures

    def codes(self) -> list[str]:
        return [f.code for f in self.failures]


class Stop(Exception):
    """A part of the bulletin every later check needs is missing."""


def link_hash(prev_hash: str, payload: str) -> str:
    """docs/BULLETIN.md, "The hash rule": SHA-256 of the previous hash and the payload, UTF-8, hex."""
    return hashlib.sha256((prev_hash + payload).encode("utf-8")).hexdigest()


def normal_receipt(code: str) -> str:
    raw = "".join(ch for ch in code.upper() if ch.isalnum())
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}" if len(raw) == 12 else code.strip().upper()


def _short(value: str | None) -> str:
    return (value or "-")[:12] + "…" if value and len(value) > 12 else (value or "-")


def _need(data: dict, key: str):
    if not isinstance(data, dict) or key not in data:
        raise Stop(key)
    return data[key]


class Check:
    """One run over one bulletin."""

    def __init__(self, bulletin: dict, *, receipt: str | None = None, tsa_root: Path | None = None):
        self.b, self.receipt, self.tsa_root = bulletin, receipt, tsa_root
        self.report = Report()
        self.events: dict[str, list[dict]] = {}  # lifecycle payloads by event, in order
        self.lifecycle: list[dict] = []

    def run(self) -> Report:
        try:
            if not self._format():
                return self.report
            self._chains()
            self._heads()
            self._settings()
            self._result()
            counted = self._receipts()
            self._papers(counted)
            self._counts(counted)
            self._verdict()
            self._anchors()
            if self.receipt:
                self._receipt(self.receipt)
        except Stop as missing:
            self.report.fail("missing", what=str(missing))
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            self.report.fail("unreadable", error=f"{type(error).__name__}: {error}")
        return self.report

    # --- the format ---------------------------------------------------------------------------

    def _format(self) -> bool:
        fmt, version = self.b.get("format"), self.b.get("version")
        if fmt != "sanhui-bulletin" or version != 1:
            self.report.fail("format_unknown", format=fmt, version=version)
            return False
        self.report.ok("format", format=fmt, version=version)
        return True

    # --- the chains -----------------------------------------------------------------------------

    def _chain_name(self, part: str = "") -> str:
        ballot = _need(self.b, "ballot")["id"]
        return f"b{ballot}:{part}" if part else f"b{ballot}"

    def _chains(self) -> None:
        chains = _need(self.b, "chains")
        if self._chain_name() not in chains:
            raise Stop(f"chains.{self._chain_name()}")
        for name, chain in sorted(chains.items()):
            self._one_chain(name, chain)
        for entry in chains[self._chain_name()]["entries"]:
            payload = json.loads(entry["payload"]) if "payload" in entry else {}
            payload["_seq"], payload["_hash"] = entry["seq"], entry["hash"]
            self.lifecycle.append(payload)
            self.events.setdefault(payload.get("event"), []).append(payload)
        for event in ("opened", "closed", "published"):
            if event not in self.events:
                self.report.fail("event_missing", event=event)
                raise Stop(f"{self._chain_name()} {event}")

    def _one_chain(self, name: str, chain: dict) -> None:
        prev, expected, full, withheld, broken = GENESIS, 1, 0, 0, False
        entries = chain.get("entries", [])
        for entry in entries:
            seq = entry.get("seq")
            if seq != expected:
                self.report.fail("chain_gap", chain=name, seq=expected)
                broken = True
                break
            if entry.get("prev_hash") != prev:
                self.report.fail("chain_link", chain=name, seq=seq)
                broken = True
                break
            if "payload" in entry:
                full += 1
                if link_hash(prev, entry["payload"]) != entry.get("hash"):
                    self.report.fail("chain_hash", chain=name, seq=seq)
                    broken = True
                    break
            else:
                withheld += 1
            prev, expected = entry.get("hash"), expected + 1
        last = {"seq": entries[-1]["seq"], "hash": entries[-1]["hash"]} if entries else {"seq": 0, "hash": GENESIS}
        head = chain.get("head")
        if head != last:
            head = head if isinstance(head, dict) else {}
            self.report.fail("chain_head", chain=name, seq=head.get("seq"), hash=_short(head.get("hash")))
        elif not broken:
            self.report.ok("chain", chain=name, n=len(entries), seq=last["seq"], hash=_short(last["hash"]),
                           full=full, withheld=withheld)

    def _entry(self, chain: str, seq: int) -> dict | None:
        entries = self.b["chains"].get(chain, {}).get("entries", [])
        return entries[seq - 1] if 0 < seq <= len(entries) and entries[seq - 1].get("seq") == seq else None

    def _head_matches(self, chain: str, head: dict) -> bool:
        """Whether ``head`` (seq, hash) is an entry of ``chain`` (or its genesis)."""
        if not isinstance(head, dict):
            return False
        if head.get("seq") == 0:
            return head.get("hash") == GENESIS
        entry = self._entry(chain, head.get("seq") or 0)
        return entry is not None and entry.get("hash") == head.get("hash")

    def _heads(self) -> None:
        heads, good = _need(self.b, "heads"), True
        closed = self.events["closed"][-1]
        published = self.events["published"][-1]
        for when in ("at_open", "at_close"):
            for chain, head in sorted((heads.get(when) or {}).items()):
                if chain not in self.b["chains"] or not self._head_matches(chain, head):
                    self.report.fail("head_differs", when=when, chain=chain, seq=head.get("seq"),
                                     hash=_short(head.get("hash")))
                    good = False
        at_close = heads.get("at_close") or {}
        # At close the vote chains end: their heads then are their last entries, and the closed entry says so.
        for chain, head in sorted((closed.get("heads") or {}).items()):
            last = self.b["chains"].get(chain, {}).get("head")
            for recorded, when in ((head, "closed"), (at_close.get(chain), "at_close")):
                if recorded != last:
                    self.report.fail("head_differs", when=when, chain=chain, seq=(recorded or {}).get("seq"),
                                     hash=_short((recorded or {}).get("hash")))
                    good = False
        if published.get("heads_at_close") != at_close:
            self.report.fail("head_differs", when="published", chain=self._chain_name(), seq="-", hash="-")
            good = False
        if good:
            self.report.ok("heads")

    # --- settings and result ----------------------------------------------------------------

    def _settings(self) -> None:
        ballot, electorate = _need(self.b, "ballot"), _need(self.b, "electorate")
        opened = self.events["opened"][0]
        differ = []

        def same(what: str, stated, recorded) -> None:
            if stated != recorded:
                differ.append(what)

        same("electorate.snapshot_hash", electorate.get("snapshot_hash"), opened.get("snapshot"))
        same("electorate.voices", electorate.get("voices"), opened.get("voices"))
        same("electorate.area", _exact(electorate.get("area")), _exact(opened.get("area")))
        same("ballot.secrecy", ballot.get("secrecy"), opened.get("secrecy"))
        same("ballot.rule", ballot.get("rule"), opened.get("rule"))
        same("ballot.quorum", arithmetic.number(ballot.get("quorum")), arithmetic.number(opened.get("quorum")))
        same("ballot.quorum_more_than", bool(ballot.get("quorum_more_than")), bool(opened.get("quorum_more_than")))
        same("ballot.sealed", bool(ballot.get("sealed")), bool(opened.get("box")))
        stated = [(q["id"], q["kind"], q["max_choices"],
                   [(o["id"], o["meaning"], o["weight"], o["excluded"]) for o in q["options"]])
                  for q in ballot.get("questions", [])]
        recorded = [(q["id"], q["kind"], q["max"],
                     [(o["id"], o["meaning"], o["weight"], o["excluded"]) for o in q["options"]])
                    for q in opened.get("questions", [])]
        same("ballot.questions", sorted(stated), sorted(recorded))
        for what in differ:
            self.report.fail("settings_differ", what=what)
        if not differ:
            self.report.ok("settings", voices=electorate.get("voices"), hash=_short(electorate.get("snapshot_hash")))

    def _result(self) -> None:
        if _need(self.b, "result") != self.events["published"][-1].get("result"):
            self.report.fail("result_differs")
        else:
            self.report.ok("result")

    # --- receipts and papers ----------------------------------------------------------------

    def _register(self) -> list[dict]:
        chain = self.b["chains"].get(self._chain_name("register"), {})
        return [entry.get("public") or {} for entry in chain.get("entries", [])]

    def _receipts(self) -> list[dict]:
        register = self._register()
        counted = [entry for entry in register if entry.get("counted")]
        listed = _need(self.b, "receipts")
        good = True
        seen: set[str] = set()
        for code in listed:
            if code in seen:
                self.report.fail("receipt_twice", receipt=code)
                good = False
            seen.add(code)
        in_register = [entry.get("receipt") for entry in counted]
        for code in sorted(set(in_register) - seen):
            self.report.fail("receipt_missing", receipt=code)
            good = False
        for code in sorted(seen - set(in_register)):
            self.report.fail("receipt_extra", receipt=code)
            good = False
        if len(in_register) != len(set(in_register)):
            for code in sorted({c for c in in_register if in_register.count(c) > 1}):
                self.report.fail("receipt_twice", receipt=code)
            good = False
        published = self.b["result"]["turnout"]["voices"]
        if len(in_register) != published:
            self.report.fail("turnout_differs", n=len(in_register), published=published)
            good = False
        if good:
            self.report.ok("receipts", n=len(in_register))
        return counted

    def _papers(self, counted: list[dict]) -> None:
        if not self.b["ballot"].get("sealed"):
            return
        papers = _need(self.b, "papers")
        expected = [entry["paper"] for entry in counted if entry.get("paper")]
        for batch in self.events.get("paper_batch", []):
            expected += batch.get("sheets") or []
        good = True
        if sorted(expected) != sorted(papers):
            missing = len(set(expected) - set(papers)) or max(0, len(expected) - len(papers))
            extra = len(set(papers) - set(expected)) or max(0, len(papers) - len(expected))
            self.report.fail("papers_differ", missing=missing, extra=extra)
            good = False
        box = self.events["closed"][-1].get("box") or {}
        if link_hash(GENESIS, "\n".join(sorted(papers))) != box.get("list"):
            self.report.fail("papers_hash")
            good = False
        opened = (self.events.get("box_opened") or [{}])[-1].get("tally", {}).get("papers")
        if not len(papers) == box.get("papers") == opened:
            self.report.fail("papers_count", n=len(papers), closed=box.get("papers"), opened=opened)
            good = False
        if good:
            self.report.ok("papers", n=len(papers))

    # --- counts -----------------------------------------------------------------------------------

    def _recounted(self, counted: list[dict]) -> tuple[dict[int, tuple[int, Fraction]], str] | None:
        """Option id → (count, area) from the published inputs, and where they come from; None if none."""
        ballot = self.b["ballot"]
        if ballot.get("sealed"):
            tally = (self.events.get("box_opened") or [{}])[-1].get("tally") or {}
            return {int(pk): (n, arithmetic.number(area)) for pk, (n, area) in tally.get("options", {}).items()}, "box"
        if ballot.get("secrecy") == "secret":
            return None
        counts: dict[int, list] = {}
        for question in ballot["questions"]:
            for option in question["options"]:
                counts[option["id"]] = [0, Fraction(0)]
        for entry in counted:
            area = arithmetic.number(entry["area"]) if entry.get("area") is not None else Fraction(0)
            for option in entry.get("choices") or []:
                if option in counts:
                    counts[option][0] += 1
                    counts[option][1] += area
        return {pk: (n, area) for pk, (n, area) in counts.items()}, "named"

    def _counts(self, counted: list[dict]) -> None:
        result = self.b["result"]
        recount = self._recounted(counted)
        if recount is None:
            self.report.note("contents_unchecked")
            return
        counts, source = recount
        good = True
        for question in result["questions"]:
            for option in question["options"]:
                n, area = counts.get(option["id"], (0, Fraction(0)))
                if option["count"] != n:
                    self.report.fail("count_differs", question=question["text"], option=option["label"],
                                     field="count", published=option["count"], recomputed=n)
                    good = False
                if option.get("area") is not None and arithmetic.number(option["area"]) != area:
                    self.report.fail("count_differs", question=question["text"], option=option["label"],
                                     field="area", published=option["area"], recomputed=f"{float(area):.2f}")
                    good = False
        electorate = self.events["opened"][0]
        if (result["electorate"].get("voices") != electorate.get("voices")
                or _exact(result["electorate"].get("area")) != _exact(electorate.get("area"))):
            self.report.fail("settings_differ", what="result.electorate")
            good = False
        if source == "named":
            areas = [arithmetic.number(e["area"]) for e in counted if e.get("area") is not None]
            stated = result["turnout"].get("area")
            if areas and (stated is None or arithmetic.number(stated) != sum(areas, Fraction(0))):
                self.report.fail("count_differs", question="-", option="-", field="turnout_area",
                                 published=stated, recomputed=f"{float(sum(areas, Fraction(0))):.2f}")
                good = False
        if good:
            self.report.ok("counts_box" if source == "box" else "counts_named")
        self._ratings(result)

    def _ratings(self, result: dict) -> None:
        good, any_rating = True, False
        for question in result["questions"]:
            if "rating" not in question:
                continue
            any_rating = True
            valid = [o for o in question["options"] if not o.get("excluded")]
            answers = sum(o["count"] for o in valid)
            rate = score = None
            if answers:
                satisfied = sum(o["count"] for o in valid
                                if o.get("weight") is not None and arithmetic.number(o["weight"]) > 0)
                rate = _one_decimal(Fraction(satisfied * 100, answers))
                score = _one_decimal(sum((arithmetic.number(o["weight"] or "0") * o["count"] for o in valid),
                                         Fraction(0)) / answers)
            for name, recomputed in (("answers", answers), ("rate", rate), ("score", score)):
                if question["rating"].get(name) != recomputed:
                    self.report.fail("rating_differs", question=question["text"], field=name,
                                     published=question["rating"].get(name), recomputed=recomputed)
                    good = False
        if any_rating and good:
            self.report.ok("ratings")

    # --- the verdict ------------------------------------------------------------------------------

    def _inputs(self) -> dict | None:
        """The verdict's inputs recomputed from the result, as docs/BULLETIN.md says."""
        ballot, result = self.b["ballot"], self.b["result"]
        decided = next((q for q in result["questions"] if any(o["meaning"] == "yes" for o in q["options"])), None)
        if ballot["rule"] == "none" or decided is None:
            return None

        def total(meaning: str) -> tuple[int, str]:
            chosen = [o for o in decided["options"] if o["meaning"] == meaning]
            area = sum((arithmetic.number(o["area"]) for o in chosen if o.get("area") is not None), Fraction(0))
            return sum(o["count"] for o in chosen), _two_decimals(area)

        (yes, yes_area), (no, no_area), (abstain, abstain_area) = total("yes"), total("no"), total("abstain")
        inputs = {"electorate_voices": result["electorate"]["voices"],
                  "participating_voices": result["turnout"]["voices"], "yes": yes, "no": no, "abstain": abstain,
                  "electorate_area": None, "participating_area": None, "yes_area": None, "no_area": None,
                  "abstain_area": None}
        if ballot["rule"] in arithmetic.AREA_RULES:
            inputs.update(electorate_area=result["electorate"]["area"],
                          participating_area=result["turnout"]["area"] or "0", yes_area=yes_area, no_area=no_area,
                          abstain_area=abstain_area)
        return inputs

    def _verdict(self) -> None:
        verdict, ballot = _need(self.b, "verdict"), self.b["ballot"]
        inputs = self._inputs()
        stated = verdict.get("inputs")
        good = True
        if (inputs is None) != (stated is None):
            self.report.fail("inputs_differ", name="inputs", published=stated, recomputed=inputs)
            return
        for name in sorted(inputs or {}):
            a, b = inputs[name], stated.get(name)
            same = a == b if a is None or b is None else arithmetic.number(a) == arithmetic.number(b)
            if not same:
                self.report.fail("inputs_differ", name=name, published=b, recomputed=a)
                good = False
        rule = ballot["rule"]
        try:
            outcome, steps = arithmetic.decide(
                rule, inputs or {}, quorum=ballot["quorum"], quorum_more_than=bool(ballot.get("quorum_more_than")),
                abstentions_count_as_cast=bool(verdict.get("abstentions_count_as_cast"))) if inputs else ("none", [])
        except ValueError as error:
            self.report.fail("inputs_impossible", error=str(error))
            return
        if inputs is None and rule != "none":
            outcome = "none"  # no question with a "for" option: nothing to decide
        published = {verdict.get("outcome"), self.b["result"].get("verdict")}
        if published != {outcome}:
            self.report.fail("verdict_differs", published="/".join(sorted(p or "-" for p in published)),
                             recomputed=outcome, rule=rule)
        elif good:
            self.report.ok("verdict", rule=rule, outcome=outcome, steps=steps)

    # --- anchors ------------------------------------------------------------------------------------

    def _anchors(self) -> None:
        anchors = _need(self.b, "anchors")
        if not anchors:
            self.report.note("no_anchors")
            return
        good, checked, signed = True, 0, 0
        stamped = {(a.get("chain"), a.get("seq")) for a in anchors}
        for payload in self.lifecycle:
            if payload.get("event") in ANCHORED and (self._chain_name(), payload["_seq"]) not in stamped:
                self.report.fail("anchor_missing", chain=self._chain_name(), seq=payload["_seq"],
                                 event=payload.get("event"))
                good = False
        for anchor in anchors:
            where = {"chain": anchor.get("chain"), "seq": anchor.get("seq")}
            entry = self._entry(anchor.get("chain"), anchor.get("seq") or 0)
            event = json.loads(entry["payload"]).get("event") if entry and "payload" in entry else None
            if entry is None or entry.get("hash") != anchor.get("entry_hash") or event != anchor.get("event"):
                self.report.fail("anchor_entry", **where, event=anchor.get("event"),
                                 hash=_short(anchor.get("entry_hash")))
                good = False
                continue
            message = f"sanhui-anchor:{anchor['chain']}:{anchor['seq']}:{entry['hash']}".encode()
            digest = hashlib.sha256(message).digest()
            if anchor.get("token") is None:
                self.report.note("anchor_pending", **where, event=event)
                continue
            try:
                token = base64.b64decode(anchor["token"], validate=True)
                algorithm, hashed, gen_time = timestamp.read(token)
            except (ValueError, timestamp.Unreadable) as error:
                self.report.fail("anchor_unreadable", **where, error=str(error))
                good = False
                continue
            if algorithm != timestamp.SHA256_OID or hashed != digest or anchor.get("imprint") != digest.hex():
                self.report.fail("anchor_imprint", **where)
                good = False
                continue
            stated = anchor.get("gen_time")
            if stated is None or datetime.fromisoformat(stated) != gen_time:
                self.report.fail("anchor_time", **where, stated=stated, token=gen_time.isoformat())
                good = False
                continue
            checked += 1
            if self.tsa_root:
                problem = timestamp.openssl_verify(token, digest.hex(), self.tsa_root)
                if problem:
                    self.report.fail("anchor_signature", **where, error=problem)
                    good = False
                else:
                    signed += 1
        if good:
            self.report.ok("anchors", n=checked)
            if self.tsa_root:
                self.report.ok("anchors_signed", n=signed)
            else:
                self.report.note("signature_unchecked")

    # --- one receipt --------------------------------------------------------------------------------

    def _receipt(self, code: str) -> None:
        code = normal_receipt(code)
        entries = [entry for entry in self._register() if entry.get("receipt") == code]
        if not entries:
            self.report.fail("receipt_unknown", receipt=code)
            return
        entry = entries[-1]
        if not entry.get("counted"):
            self.report.note("receipt_replaced", receipt=code)
            return
        if code not in self.b["receipts"]:
            self.report.fail("receipt_missing", receipt=code)
            return
        self.report.ok("receipt_counted", receipt=code, version=entry.get("version"), channel=entry.get("channel"))
        if entry.get("paper"):
            if entry["paper"] in (self.b.get("papers") or []):
                self.report.ok("receipt_paper", paper=_short(entry["paper"]))
            else:
                self.report.fail("receipt_not_listed", receipt=code)
        if entry.get("choices") is not None:
            labels = {o["id"]: o["label"] for q in self.b["ballot"]["questions"] for o in q["options"]}
            self.report.ok("receipt_choices", choices=" / ".join(labels.get(o, str(o)) for o in entry["choices"]))


def _one_decimal(value: Fraction) -> str:
    """Rounded to one decimal, a tie to the even digit, as the result writes a rate or a score."""
    tenths = round(value * 10)  # round() of a Fraction is exact and sends a tie to the even neighbour
    sign, tenths = ("-" if tenths < 0 else ""), abs(tenths)
    return f"{sign}{tenths // 10}.{tenths % 10}"


def _exact(value) -> Fraction | None:
    return None if value is None else arithmetic.number(value)


def _two_decimals(value: Fraction) -> str:
    hundredths = (value * 100 + Fraction(1, 2)).__floor__()
    return f"{hundredths // 100}.{hundredths % 100:02d}"


def verify(bulletin: dict, *, receipt: str | None = None, tsa_root: Path | None = None) -> Report:
    """Check ``bulletin``; the report says what holds and what does not."""
    if not isinstance(bulletin, dict):
        report = Report()
        report.fail("unreadable", error="not a JSON object")
        return report
    return Check(bulletin, receipt=receipt, tsa_root=tsa_root).run()
