"""Opening sealed ballot boxes, in process, against the bench database (after the load phases).

    DJANGO_SETTINGS_MODULE=config.settings .venv/bin/python -m bench.box MANIFEST.json OUT.json

For each box of the manifest (the burst's ballot, the sheet burst's evaluation): every voter the
burst did not get through is cast now through the services, so that the box holds one paper per
voter; the ballot is closed, then 2 of its 3 scrutineers present their cards through
``services.box_present``, as on the box page. The second card is the opening: it combines the
shares, opens every paper, counts and stores the totals (and, for an evaluation, writes its
comments). Each step is timed on its own.

Also timed: sealing one full evaluation sheet (``box.paper_seal``, at the campaign's paper size),
what every sheet handed in costs the server before it writes anything.
"""

import argparse
import json
import statistics
import time

import django

django.setup()

from django.db.models import Exists, OuterRef  # noqa: E402

from bench.load import SHEET_COMMENT  # noqa: E402
from decisions import (  # noqa: E402
    box,
    services,
)
from decisions.models import (  # noqa: E402
    Ballot,
    Participation,
    VoiceHolder,
)
from evaluations import services as evaluations  # noqa: E402
from evaluations.models import Campaign, Evaluatee  # noqa: E402
from members.models import User  # noqa: E402

SEAL_RUNS = 200


def missing_voters(ballot: Ballot) -> list[User]:
    """The voters of the ballot with no paper in its box yet (the burst did not get them through)."""
    cast = Participation.objects.filter(voice=OuterRef("voice"))
    ids = (VoiceHolder.objects.filter(voice__ballot=ballot).exclude(Exists(cast))
           .values_list("user_id", flat=True))
    return list(User.objects.filter(pk__in=list(ids)))


def sheet_ratings(ballot: Ballot, i: int) -> dict[int, int]:
    """A full sheet: every question rated, as the load driver rates them."""
    ratings = {}
    for j, question in enumerate(ballot.questions.order_by("position").prefetch_related("options")):
        options = sorted(question.options.all(), key=lambda o: o.position)
        ratings[question.pk] = options[(i + j) % len(options)].pk
    return ratings


def top_up(ballot: Ballot, entry: dict, campaign=None) -> int:
    """Cast the missing voters' papers through the real path; how many were cast."""
    missing = missing_voters(ballot)
    evaluatees = list(campaign.evaluatees.order_by("position").values_list("pk", flat=True)) if campaign else []
    for i, user in enumerate(missing):
        if campaign is not None:
            evaluations.sheet_submit(campaign=campaign, voter=user, ratings=sheet_ratings(ballot, i),
                                     comments={evaluatees[i % len(evaluatees)]: SHEET_COMMENT})
        else:
            choices = {int(qid): options for qid, options in entry["choices"].items()}
            services.vote_cast(ballot=ballot, voter=user, choices=choices)
    return len(missing)


def open_box(name: str, entry: dict) -> dict:
    ballot = Ballot.objects.get(pk=entry["ballot"])
    organizer = User.objects.get(pk=entry["organizer"])
    campaign = Campaign.objects.get(pk=entry["campaign"]) if "campaign" in entry else None
    topped_up = top_up(ballot, entry, campaign)
    papers = Participation.objects.filter(ballot=ballot, paper__isnull=False).count()
    paper_bytes = len(bytes(Participation.objects.filter(ballot=ballot, paper__isnull=False)
                            .values_list("paper", flat=True).first() or b""))
    started = time.perf_counter()
    if campaign is not None:
        evaluations.campaign_close(campaign=campaign, by=organizer)
    else:
        services.ballot_close(ballot=ballot, by=organizer)
    closed = time.perf_counter() - started
    presentations = []
    for user_id, code in entry["cards"][: Ballot.objects.get(pk=ballot.pk).box_threshold]:
        started = time.perf_counter()
        opened = services.box_present(ballot=Ballot.objects.get(pk=ballot.pk), by=User.objects.get(pk=user_id),
                                      code=code)
        presentations.append(time.perf_counter() - started)
    ballot.refresh_from_db()
    if not opened or ballot.box_tally is None:
        raise SystemExit(f"{name}: the box did not open")
    result = {"name": name, "papers": papers, "paper_bytes": paper_bytes, "topped_up": topped_up,
              "close": closed, "presentations": presentations, "opening": presentations[-1],
              "counted": ballot.box_tally["papers"], "invalid": ballot.box_tally["invalid"],
              "threshold": ballot.box_threshold, "scrutineers": len(entry["cards"])}
    if campaign is not None:
        result["comments"] = campaign.comments.count()
    return result


def sheet_sealing(entry: dict) -> dict:
    """Seal one full sheet with a comment, as ``sheet_submit`` does: the time and the sealed size."""
    ballot = Ballot.objects.get(pk=entry["ballot"])
    ratings = sheet_ratings(ballot, 0)
    evaluatee = Evaluatee.objects.filter(campaign_id=entry["campaign"]).order_by("position").first()
    extra = {str(evaluatee.pk): SHEET_COMMENT}
    times = []
    for _ in range(SEAL_RUNS):
        started = time.perf_counter()
        sealed = box.paper_seal(ballot.box_key, ballot.box_paper_size, list(ratings.values()), None, extra)
        times.append(time.perf_counter() - started)
    return {"questions": len(ratings), "plain_bytes": ballot.box_paper_size, "sealed_bytes": len(sealed),
            "median": statistics.median(times), "max": max(times)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("manifest")
    parser.add_argument("out")
    args = parser.parse_args()
    with open(args.manifest) as handle:
        boxes = json.load(handle)["box"]
    result = {"sealing": sheet_sealing(boxes["sheets"]),
              "boxes": [open_box(name, entry) for name, entry in boxes.items()]}
    with open(args.out, "w") as handle:
        json.dump(result, handle)


if __name__ == "__main__":
    main()
