"""Year-end evaluations: one campaign per committee, one sheet per voting household, and the result rows.

Every street gets a police station and a work station serving all its committees (``agency_ensure``);
each committee evaluates them and itself on the four default dimensions (12 rating questions).
The campaign is created, opened, closed and published through the real services; only the bulk
parts are written here, as in ``ballots.py``: the electorate snapshot (``bulk_snapshot``) and the
sheets (register entries, anonymous papers with one choice per question, the contents chain).
``campaign_publish`` then counts the papers in the core and writes the evaluations' result rows.
With 5,000 residents (2,000 households) per committee and a turnout of 0.7, a district of 280
committees has about 400,000 sheets; ``verify_audit`` over the whole database must still pass.
"""

import uuid
from datetime import timedelta
from unittest import mock

from django.db import transaction
from django.utils import timezone

from bench.citydata.ballots import bulk_snapshot
from bench.citydata.common import City, copy, next_id
from deliberation import ledger
from deliberation.models import Ballot, LedgerEntry, Participation, SecretChoice, SecretContent, Voice
from deliberation.services import ballots as ballot_services
from deliberation.services.casting import receipt_code, voice_tag
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
    """Turnout × the households fill a sheet: register rows and entries, papers, choices, contents chain."""
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
    participations, entries, papers, choices, chosen = [], [], [], [], {}
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
        paper = uuid.uuid4()
        papers.append((paper, ballot.pk, 1, voice_tag(ballot, key), timezone.localdate(at), None))
        picked = []
        for question_id, options in questions:
            option = city.rng.choices(options, LEVEL_WEIGHTS[: len(options)])[0]
            choices.append((paper, question_id, option))
            picked.append(option)
        chosen[paper] = sorted(picked)  # seal_contents lists a paper's choices by option id
    copy(Participation, ["id", "ballot_id", "voice_id", "version", "user_id", "channel", "entered_by_id",
                         "consent_note", "batch_id", "cast_at", "receipt"], participations)
    copy(SecretContent, ["id", "ballot_id", "version", "voice_tag", "cast_on", "floor_area"], papers)
    copy(SecretChoice, ["content_id", "question_id", "option_id"], choices)
    contents_chain, prev, base = ledger.ballot_chain(ballot.pk, "contents"), ledger.GENESIS, entry_id + len(voters)
    for n, (paper, _b, version, tag, day, area) in enumerate(sorted(papers, key=lambda row: row[0].hex)):
        text = ledger.canonical({"content": str(paper), "version": version, "tag": tag, "day": day.isoformat(),
                                 "area": area, "choices": chosen[paper]})
        digest = ledger.link_hash(prev, text)
        entries.append((base + n, contents_chain, n + 1, prev, text, digest))
        prev = digest
    copy(LedgerEntry, ["id", "chain", "seq", "prev_hash", "payload", "hash"], entries)
    return len(voters), len(choices)


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
            services.campaign_publish(campaign=campaign, by=organizer)
        city.campaign_ids.append(campaign.pk)
    return {"evaluation campaigns": len(city.campaign_ids), "evaluation sheets": sheets,
            "evaluation answers": answers,
            "evaluation result rows": Result.objects.filter(campaign_id__in=city.campaign_ids).count()}
