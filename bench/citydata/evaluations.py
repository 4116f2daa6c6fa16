"""Year-end evaluations: one campaign per committee, one sheet per voting household, and the result rows.

Every street gets a police station and a work station serving all its committees (``agency_ensure``);
each committee evaluates them and itself on the four default dimensions (12 rating questions).
The campaign is created, opened, closed and published through the real services; only the bulk
parts are written here, as in ``ballots.py``: the electorate snapshot (``bulk_snapshot``) and the
sheets (register rows each with its paper sealed to the box, and their register chain entries).
The organizer who opens is the box's only scrutineer (1 of 1); their card opens the box after close,
the core counts the papers, and ``campaign_publish`` writes the evaluations' result rows. Every paper
is padded to the room the comments could take (``Campaign.sealed_extra_bytes``), about 6 kB per
evaluatee, as in production.
With 5,000 residents (2,000 households) per committee and a turnout of 0.7, a district of 280
committees has about 400,000 sheets; ``verify_audit`` over the whole database must still pass.
"""

from datetime import timedelta
from unittest import mock

from django.db import transaction

from bench.citydata.ballots import bulk_snapshot
from bench.citydata.common import City, copy, next_id
from decisions import box, ledger
from decisions import services as core
from decisions.models import Ballot, LedgerEntry, Participation, Voice
from decisions.services import ballots as ballot_services
from evaluations import services
from evaluations.models import Campaign, Result
from members import services as member_services
from members.models import Agency, Committee, Street, User

YEAR = 2026
# Level positions 1..4 (满意, 基本满意, 不满意, 不了解): mostly satisfied, as in real campaigns.
LEVEL_WEIGHTS = [70, 20, 6, 4]


def serve(city: City) -> None:
    """A police station and a work station per street, serving all its committees."""
    for street in Street.objects.filter(pk__in=city.street_ids).order_by("pk"):
        committees = list(Committee.objects.filter(street=street))
        member_services.agency_ensure(street=street, kind=Agency.Kind.POLICE, name=f"{street.name}派出所",
                                      supervising_department="公安分局", committees=committees)
        member_services.agency_ensure(street=street, kind=Agency.Kind.WORK_STATION,
                                      name=f"{street.name}社区工作站", committees=committees)


def cast_sheets(city: City, ballot: Ballot) -> tuple[int, int]:
    """Turnout × the households fill a sheet: register rows with their sealed papers, the register chain."""
    questions = [(q.pk, [o.pk for o in q.options.all()]) for q in ballot.questions.prefetch_related("options")]
    voices = Voice.objects.filter(ballot=ballot).order_by("pk").values_list("pk", "key", "holders__user_id")
    seen, voters = set(), []
    for voice_id, key, user_id in voices:
        if voice_id not in seen and city.rng.random() < city.turnout:
            seen.add(voice_id)
            voters.append((voice_id, key, user_id))
    start = ballot.opened_at + timedelta(minutes=1)
    participation_id, entry_id = next_id(Participation), next_id(LedgerEntry)
    register_chain = ledger.ballot_chain(ballot.pk, "register")
    participations, entries, answers = [], [], 0
    prev = ledger.GENESIS
    for n, (voice_id, key, user_id) in enumerate(voters):
        at = start + timedelta(seconds=n)
        picked = [city.rng.choices(options, LEVEL_WEIGHTS[: len(options)])[0] for _q, options in questions]
        answers += len(picked)
        paper = box.paper_seal(ballot.box_key, ballot.box_paper_size, picked)
        paper_digest = box.digest(paper)
        receipt = box.receipt_of(paper_digest)
        participations.append((participation_id + n, ballot.pk, voice_id, 1, user_id, "online", None, "", None,
                               at, receipt, paper))
        text = ledger.canonical({"voice": key, "version": 1, "user": user_id, "channel": "online",
                                 "entered_by": None, "consent_note": "", "batch": None, "at": at.isoformat(),
                                 "receipt": receipt, "paper": paper_digest})
        digest = ledger.link_hash(prev, text)
        entries.append((entry_id + n, register_chain, n + 1, prev, text, digest))
        prev = digest
    copy(Participation, ["id", "ballot_id", "voice_id", "version", "user_id", "channel", "entered_by_id",
                         "consent_note", "batch_id", "cast_at", "receipt", "paper"], participations)
    copy(LedgerEntry, ["id", "chain", "seq", "prev_hash", "payload", "hash"], entries)
    return len(voters), answers


def generate(city: City) -> dict[str, int]:
    serve(city)
    settings = services.CampaignSettings(year=YEAR, title=f"{YEAR}年度评议", include_committee=True,
                                         evaluators=Campaign.Evaluators.HOUSEHOLDS)
    organizer = User.objects.get(pk=city.organizer_id)  # ballots.py made them organizer of every committee
    sheets = answers = 0
    for committee in Committee.objects.filter(pk__in=city.committee_ids).order_by("pk"):
        with transaction.atomic():
            campaign = services.campaign_create(committee=committee, by=organizer, settings=settings)
            with mock.patch.object(ballot_services, "_take_snapshot", bulk_snapshot):
                campaign = services.campaign_open(campaign=campaign, by=organizer)
            cast, answered = cast_sheets(city, campaign.ballot)
            sheets, answers = sheets + cast, answers + answered
            services.campaign_close(campaign=campaign, by=organizer)
            core.box_present(ballot=campaign.ballot, by=organizer, code=campaign.new_card)
            services.campaign_publish(campaign=campaign, by=organizer)
        city.campaign_ids.append(campaign.pk)
    return {"evaluation campaigns": len(city.campaign_ids), "evaluation sheets": sheets,
            "evaluation answers": answers,
            "evaluation result rows": Result.objects.filter(campaign_id__in=city.campaign_ids).count()}
