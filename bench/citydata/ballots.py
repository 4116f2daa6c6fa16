"""One published secret ballot per committee, to all its households, with its votes and ledger.

Created, opened, closed, counted and published through the real services; only the bulk parts
are written here: the electorate snapshot (the core's ``_take_snapshot`` writes one Voice at a
time) and the votes (the register rows with their sealed papers and the register chain, exactly as
``decisions.services.casting.vote_cast`` writes a secret cast). The box is opened by its
scrutineer with the card code ``ballot_open`` returned, as on the box page. ``verify_audit`` over
the result must pass: bench/scale.py checks it, so a change in the core that this module does not
follow shows up as a failed benchmark, not as wrong figures.
"""

import hashlib
from datetime import timedelta
from decimal import Decimal
from unittest import mock

from django.db import transaction

from bench.citydata.common import City, copy, next_id
from decisions import box, ledger, services
from decisions.models import Ballot, LedgerEntry, Participation, Voice, VoiceHolder
from decisions.services import ballots as ballot_services
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
    """Turnout × the voices vote: register rows with their sealed papers, and the register chain."""
    question = ballot.questions.get()
    options = list(question.options.order_by("position").values_list("pk", flat=True))
    weights = [6, 3, 1][: len(options)]
    weighs_area = ballot.rule in Ballot.AREA_RULES
    voices = list(Voice.objects.filter(ballot=ballot).order_by("pk")
                  .values_list("pk", "key", "floor_area", "holders__user_id"))
    seen, voters = set(), []
    for voice_id, key, area, user_id in voices:
        if voice_id not in seen and city.rng.random() < city.turnout:
            seen.add(voice_id)
            voters.append((voice_id, key, area, user_id))
    start = ballot.opened_at + timedelta(minutes=1)
    participation_id, entry_id = next_id(Participation), next_id(LedgerEntry)
    register_chain = ledger.ballot_chain(ballot.pk, "register")
    participations, entries = [], []
    prev = ledger.GENESIS
    for n, (voice_id, key, area, user_id) in enumerate(voters):
        at = start + timedelta(seconds=n)
        option = city.rng.choices(options, weights)[0]
        # As casting._seal does: the choice (and the floor area where the rule weighs it) sealed
        # to the box, padded to the ballot's paper size; the receipt is the first bits of its hash.
        paper = box.paper_seal(ballot.box_key, ballot.box_paper_size, [option],
                               f"{area:.2f}" if weighs_area and area is not None else None)
        digest = box.digest(paper)
        receipt = box.receipt_of(digest)
        participations.append((participation_id + n, ballot.pk, voice_id, 1, user_id, "online", None, "", None,
                               at, receipt, paper))
        text = ledger.canonical({"voice": key, "version": 1, "user": user_id, "channel": "online",
                                 "entered_by": None, "consent_note": "", "batch": None, "at": at.isoformat(),
                                 "receipt": receipt, "paper": digest})
        link = ledger.link_hash(prev, text)
        entries.append((entry_id + n, register_chain, n + 1, prev, text, link))
        prev = link
    copy(Participation, ["id", "ballot_id", "voice_id", "version", "user_id", "channel", "entered_by_id",
                         "consent_note", "batch_id", "cast_at", "receipt", "paper"], participations)
    copy(LedgerEntry, ["id", "chain", "seq", "prev_hash", "payload", "hash"], entries)
    return len(voters)


def generate(city: City) -> dict[str, int]:
    votes = 0
    organizer = User.objects.create(username=f"city-organizer-{city.seed}-{len(city.committee_ids)}",
                                    password="!", full_name="干部")
    committees = list(Committee.objects.filter(pk__in=city.committee_ids).order_by("pk"))
    Role.objects.bulk_create([Role(user=organizer, kind=Role.Kind.ORGANIZER, committee=c) for c in committees])
    for committee in committees:
        with transaction.atomic():
            ballot = services.ballot_create(committee=committee, by=None, title="年度议题表决",
                                            secrecy=Ballot.Secrecy.SECRET, electorate=Ballot.Electorate.HOUSEHOLDS)
            with mock.patch.object(ballot_services, "_take_snapshot", bulk_snapshot):
                # No scrutineer named: the organizer who opens it is the only one, given her card now.
                ballot = services.ballot_open(ballot=ballot, by=organizer)
            votes += cast_votes(city, ballot)
            services.ballot_close(ballot=ballot, by=None)
            services.box_present(ballot=ballot, by=organizer, code=ballot.new_cards[organizer.pk])
            services.ballot_publish(ballot=ballot, by=None)
        city.ballot_ids.append(ballot.pk)
    city.organizer_id = organizer.pk
    return {"ballots": len(city.ballot_ids), "votes": votes,
            "ledger events": LedgerEntry.objects.filter(chain__regex=r"^b\d+").count()}
