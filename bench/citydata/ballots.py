"""One published secret ballot per committee, to all its households, with its votes and ledger.

Created, closed and published through the real services; only the bulk parts are written here:
the electorate snapshot (the core's ``_take_snapshot`` writes one Voice at a time) and the votes
(the register entries, the anonymous papers and their contents chain, exactly as
``deliberation.services.casting.record_contents`` and ``seal_contents`` would chain them).
``verify_audit`` over the result must pass: bench/scale.py checks it, so a change in the core
that this module does not follow shows up as a failed benchmark, not as wrong figures.
"""

import hashlib
import uuid
from datetime import timedelta
from decimal import Decimal
from unittest import mock

from django.db import transaction
from django.utils import timezone

from bench.citydata.common import City, copy, next_id
from deliberation import ledger, services
from deliberation.models import (
    Ballot,
    LedgerEntry,
    Participation,
    SecretChoice,
    SecretContent,
    Voice,
    VoiceHolder,
)
from deliberation.services import ballots as ballot_services
from deliberation.services.casting import receipt_code, voice_tag
from members.models import Committee, Role, User


def bulk_snapshot(ballot: Ballot) -> None:
    """``_take_snapshot`` with COPY: the same voices, holders, size, area and hash."""
    electorate = sorted(ballot_services._electorate(ballot), key=lambda row: row[0])
    first = next_id(Voice)
    voices, holders, rows = [], [], []
    for i, (key, household, holder_ids) in enumerate(electorate):
        area = household.floor_area if household is not None else None
        voices.append((first + i, ballot.pk, key, household.pk if household else None, area))
        holders += [(first + i, uid) for uid in holder_ids]
        rows.append((key, f"{area:.2f}" if area is not None else None, holder_ids))
    copy(Voice, ["id", "ballot_id", "key", "household_id", "floor_area"], voices)
    copy(VoiceHolder, ["voice_id", "user_id"], holders)
    ballot.electorate_size = len(rows)
    areas = [household.floor_area for _k, household, _h in electorate if household is not None]
    ballot.electorate_area = sum(areas, Decimal(0)) if areas else None
    ballot.snapshot_hash = hashlib.sha256(ballot_services.snapshot_text(rows).encode()).hexdigest()


def cast_votes(city: City, ballot: Ballot) -> int:
    """Turnout × the voices vote: register rows and entries, anonymous papers, contents chain."""
    question = ballot.questions.get()
    options = list(question.options.order_by("position").values_list("pk", flat=True))
    weights = [6, 3, 1][: len(options)]
    voices = list(Voice.objects.filter(ballot=ballot).order_by("pk").values_list("pk", "key", "holders__user_id"))
    seen, voters = set(), []
    for voice_id, key, user_id in voices:
        if voice_id not in seen and city.rng.random() < city.turnout:
            seen.add(voice_id)
            voters.append((voice_id, key, user_id))
    start = ballot.opened_at + timedelta(minutes=1)
    participation_id, entry_id = next_id(Participation), next_id(LedgerEntry)
    register_chain = ledger.ballot_chain(ballot.pk, "register")
    participations, entries, papers, choices = [], [], [], []
    prev = ledger.GENESIS
    for n, (voice_id, key, user_id) in enumerate(voters):
        at = start + timedelta(seconds=n)
        receipt = receipt_code()
        participations.append((participation_id + n, ballot.pk, voice_id, 1, user_id, "online", None, "", None,
                               at, receipt))
        text = ledger.canonical({"voice": key, "version": 1, "user": user_id, "channel": "online",
                                 "entered_by": None, "consent_note": "", "batch": None, "at": at.isoformat(),
                                 "receipt": receipt})
        digest = ledger.link_hash(prev, text)
        entries.append((entry_id + n, register_chain, n + 1, prev, text, digest))
        prev = digest
        option = city.rng.choices(options, weights)[0]
        paper = uuid.uuid4()
        papers.append((paper, ballot.pk, 1, voice_tag(ballot, key), timezone.localdate(at), None))
        choices.append((paper, question.pk, option))
    copy(Participation, ["id", "ballot_id", "voice_id", "version", "user_id", "channel", "entered_by_id",
                         "consent_note", "batch_id", "cast_at", "receipt"], participations)
    copy(SecretContent, ["id", "ballot_id", "version", "voice_tag", "cast_on", "floor_area"], papers)
    copy(SecretChoice, ["content_id", "question_id", "option_id"], choices)
    # The contents chain, as seal_contents writes it at close: in the order of the papers' random ids.
    option_of = {paper: option for paper, _q, option in choices}
    contents_chain, prev, base = ledger.ballot_chain(ballot.pk, "contents"), ledger.GENESIS, entry_id + len(voters)
    for n, (paper, _b, version, tag, day, area) in enumerate(sorted(papers, key=lambda row: row[0].hex)):
        text = ledger.canonical({"content": str(paper), "version": version, "tag": tag, "day": day.isoformat(),
                                 "area": area, "choices": [option_of[paper]]})
        digest = ledger.link_hash(prev, text)
        entries.append((base + n, contents_chain, n + 1, prev, text, digest))
        prev = digest
    copy(LedgerEntry, ["id", "chain", "seq", "prev_hash", "payload", "hash"], entries)
    return len(voters)


def generate(city: City) -> dict[str, int]:
    votes = 0
    organizer = User.objects.create(username=f"city-organizer-{city.seed}-{len(city.committee_ids)}",
                                    password="!", full_name="干部")
    for committee in Committee.objects.filter(pk__in=city.committee_ids).order_by("pk"):
        Role.objects.create(user=organizer, kind=Role.Kind.ORGANIZER, committee=committee)
        with transaction.atomic():
            ballot = services.ballot_create(committee=committee, by=None, title="年度议题表决",
                                            secrecy=Ballot.Secrecy.SECRET, electorate=Ballot.Electorate.HOUSEHOLDS)
            with mock.patch.object(ballot_services, "_take_snapshot", bulk_snapshot):
                ballot = services.ballot_open(ballot=ballot, by=None)
            votes += cast_votes(city, ballot)
            services.ballot_close(ballot=ballot, by=None)
            services.ballot_publish(ballot=ballot, by=None)
        city.ballot_ids.append(ballot.pk)
    city.organizer_id = organizer.pk
    return {"ballots": len(city.ballot_ids), "votes": votes,
            "ledger events": LedgerEntry.objects.filter(chain__regex=r"^b\d+").count()}
