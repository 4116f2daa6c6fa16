"""The bulletin of a published ballot: everything needed to re-check it, as one JSON document.

The format is documented in docs/BULLETIN.md, and the independent verifier (``verifier/`` at the
repository root) is written against that document, not against this code. It holds only what the
ballot's public pages already show: the settings, the counts and the verdict with its inputs, the
electorate's size and hash, the lifecycle chain in full, the receipts (and a sealed ballot's paper
hashes), the time-stamp tokens. A register entry names its voter (and an assisted vote's consent
note), which no page shows to others: its payload is withheld and only its links and its public
fields are given.
"""

import base64
import json
from dataclasses import asdict

from decisions import anchoring, ledger, rules, selectors, subjects
from decisions.models import Anchor, Ballot, LedgerEntry, Voice

FORMAT = "sanhui-bulletin"
VERSION = 1


class NotPublished(Exception):
    """The ballot's result is not published by the core: it has no bulletin.

    Either it is not published yet, or its subject shows its results itself under its own rules (an
    evaluation never breaks down fewer than five answers), while a bulletin gives every count.
    """


def has_bulletin(ballot: Ballot) -> bool:
    """Whether ``ballot`` has a bulletin: published, with its results shown by the core's pages."""
    return (ballot.status == Ballot.Status.PUBLISHED and ballot.result is not None
            and not subjects.of(ballot).shows_its_own_results)


def _number(value) -> str | None:
    return None if value is None else str(value)


def _settings(ballot: Ballot) -> dict:
    questions = [{
        "id": q.pk, "position": q.position, "text": q.text, "kind": q.kind, "max_choices": q.max_choices,
        "options": [{"id": o.pk, "position": o.position, "label": o.label, "meaning": o.meaning,
                     "weight": _number(o.weight), "excluded": o.excluded} for o in q.options.all()],
    } for q in selectors.ballot_questions(ballot)]
    return {
        "id": ballot.pk, "title": ballot.title, "committee": ballot.committee.name,
        "street": ballot.committee.street.name, "secrecy": ballot.secrecy, "sealed": ballot.is_sealed,
        "electorate": ballot.electorate, "household_voice": ballot.household_voice, "rule": ballot.rule,
        "quorum": _number(ballot.quorum), "quorum_more_than": ballot.quorum_more_than,
        "allow_change": ballot.allow_change,
        "opened_at": ballot.opened_at.isoformat(), "closed_at": ballot.closed_at.isoformat(),
        "published_at": ballot.published_at.isoformat(), "questions": questions,
    }


def _register_public(payload: dict, *, counted: bool, areas: dict[str, str | None] | None) -> dict:
    """What a register entry shows of itself: its receipt and what the ballot's pages show with it."""
    shown = {"receipt": payload.get("receipt"), "version": payload.get("version"),
             "channel": payload.get("channel"), "counted": counted}
    if "paper" in payload:  # a sealed paper's hash: the receipt check page shows it for any receipt
        shown["paper"] = payload["paper"]
    if "choices" in payload:  # a named ballot: who chose what is on its results page
        shown["choices"] = payload["choices"]
        if areas is not None:
            shown["area"] = areas.get(payload.get("voice"))
    return shown


def _chains(ballot: Ballot, counted: set[str]) -> dict:
    lifecycle = ledger.ballot_chain(ballot.pk)
    names = sorted(ballot.heads_at_close) if ballot.heads_at_close else [lifecycle]
    if lifecycle not in names:
        names.insert(0, lifecycle)
    areas = None
    if not ballot.is_secret:
        areas = {key: _number(area) for key, area in
                 Voice.objects.filter(ballot=ballot).values_list("key", "floor_area")}
    chains: dict[str, dict] = {name: {"entries": []} for name in names}
    rows = (LedgerEntry.objects.filter(chain__in=names).order_by("chain", "seq")
            .values_list("chain", "seq", "prev_hash", "payload", "hash"))
    for chain, seq, prev_hash, payload, entry_hash in rows.iterator(chunk_size=2000):
        entry = {"seq": seq, "prev_hash": prev_hash, "hash": entry_hash}
        if chain == lifecycle:
            entry["payload"] = payload
        else:
            entry["withheld"] = True
            if chain == ledger.ballot_chain(ballot.pk, "register"):
                entry["public"] = _register_public(json.loads(payload), counted=False, areas=areas)
                entry["public"]["counted"] = entry["public"]["receipt"] in counted
        chains[chain]["entries"].append(entry)
    for chain in chains.values():
        last = chain["entries"][-1] if chain["entries"] else None
        chain["head"] = {"seq": last["seq"], "hash": last["hash"]} if last else {"seq": 0, "hash": ledger.GENESIS}
    return chains


def _anchors(ballot: Ballot) -> list[dict]:
    anchors = []
    for anchor in Anchor.objects.filter(ballot=ballot).order_by("chain", "seq"):
        anchors.append({
            "event": anchor.event, "chain": anchor.chain, "seq": anchor.seq, "entry_hash": anchor.entry_hash,
            "imprint": anchoring.imprint(anchor.chain, anchor.seq, anchor.entry_hash).hex(),
            "gen_time": anchor.gen_time.isoformat() if anchor.gen_time else None,
            "token": base64.b64encode(bytes(anchor.token)).decode() if anchor.token is not None else None,
        })
    return anchors


def _verdict(ballot: Ballot) -> dict:
    result = ballot.result
    try:
        tally = selectors.verdict_tally(ballot, result)
    except ValueError:
        tally = None
    inputs, decided = None, selectors.decided_question(result)
    if tally is not None:
        inputs = {name: value if isinstance(value, int) or value is None else str(value)
                  for name, value in asdict(tally).items()}
    return {
        "rule": ballot.rule, "quorum": _number(ballot.quorum), "quorum_more_than": ballot.quorum_more_than,
        "abstentions_count_as_cast": rules.ABSTENTIONS_COUNT_AS_CAST,
        "question": decided["id"] if decided else None,
        "inputs": inputs, "outcome": result["verdict"],
    }


def bulletin_for(ballot: Ballot) -> dict:
    """The bulletin of a published ballot, ready for ``json.dumps`` (docs/BULLETIN.md).

    Raise ``NotPublished`` for a ballot whose result is not published.
    """
    ballot = Ballot.objects.select_related("committee__street").filter(pk=ballot.pk).first()
    if ballot is None or ballot.status != Ballot.Status.PUBLISHED or ballot.result is None:
        raise NotPublished(f"Ballot {getattr(ballot, 'pk', None)} is not published: it has no bulletin.")
    if not has_bulletin(ballot):
        raise NotPublished(f"Ballot {ballot.pk}'s subject shows its results under its own rules: no bulletin.")
    counted = selectors.counted_receipts(ballot)
    bulletin = {
        "format": FORMAT, "version": VERSION,
        "ballot": _settings(ballot),
        "electorate": {"voices": ballot.electorate_size, "area": _number(ballot.electorate_area),
                       "snapshot_hash": ballot.snapshot_hash},
        "chains": _chains(ballot, set(counted)),
        "heads": {"at_open": ballot.heads_at_open, "at_close": ballot.heads_at_close},
        "receipts": counted,
        "papers": None,
        "result": ballot.result,
        "verdict": _verdict(ballot),
        "anchors": _anchors(ballot),
    }
    if ballot.is_sealed:
        from decisions.services.box import box_list

        bulletin["papers"] = box_list(ballot)
    return bulletin
