"""City-size data (bench/citydata) and how long the pages and the audit take over it (PostgreSQL).

    DJANGO_SETTINGS_MODULE=config.settings .venv/bin/python -m bench.scale OUT.json --committees 280

Pages are rendered in this process through Django's test client with the production settings
(DEBUG off), so the figure is the server's own time for the page, without network or queueing:
each page once to warm up, then ``RUNS`` times; the median and the slowest are reported, with the
size of the data the page covers. ``verify_audit`` runs over half of the ballots, then all of
them, to show that its time grows in proportion to the ledger events.
"""

import argparse
import json
import statistics
import time
from io import StringIO

import django

django.setup()

from django.contrib.auth.models import AnonymousUser  # noqa: E402,F401
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import F, Q  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402

from bench import citydata  # noqa: E402
from casework import selectors as casework_selectors  # noqa: E402
from casework.models import Case  # noqa: E402
from decisions.models import (  # noqa: E402
    Ballot,
    LedgerEntry,
    Participation,
)
from evaluations.models import Campaign, Result  # noqa: E402
from members import selectors as member_selectors  # noqa: E402
from members import services as member_services  # noqa: E402
from members.models import Agency, Committee, Household, Membership, Role, Street, User  # noqa: E402

RUNS = 5


def timed(call, runs: int = RUNS) -> dict:
    call()  # warm
    spans = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        spans.append((time.perf_counter() - started) * 1000)
    return {"median": statistics.median(spans), "max": max(spans)}


def page(client: Client, url: str):
    def call():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    return call


def district_summary() -> list:
    """Every committee of the district with its street and stored counts, and each published ballot's turnout.

    Two queries. The households, residents, pending requests and compounds are the committees'
    ``CommitteeTally`` rows, kept by database triggers (members/tallies.py), not a count over the
    memberships; the turnout is the voices that took part as the ballot's published result records
    them (``Ballot.result``, written at publication and checked by verify_audit), not a count of
    the participations.
    """
    committees = list(member_selectors.with_counts(Committee.objects.select_related("street"))
                      .order_by("street__name", "name"))
    turnout = list(Ballot.objects.filter(status=Ballot.Status.PUBLISHED)
                   .values("committee_id", "electorate_size", votes=F("result__turnout__voices")))
    return [committees, turnout]


def audit_over(ballot_ids: list[int] | None) -> dict:
    """Time ``verify_audit`` over these ballots (None: the whole database, as run nightly).

    It raises CommandError (and the benchmark fails) on any problem: generated data must verify.
    """
    chains = Q()
    for pk in ballot_ids or []:
        chains |= Q(chain=f"b{pk}") | Q(chain__startswith=f"b{pk}:")
    events = LedgerEntry.objects.filter(chains).count() if ballot_ids else LedgerEntry.objects.count()
    out = StringIO()
    started = time.perf_counter()
    args = [a for pk in ballot_ids or [] for a in ("--ballot", str(pk))]
    call_command("verify_audit", *args, stdout=out, stderr=out)
    return {"ballots": len(ballot_ids) if ballot_ids else Ballot.objects.count(), "events": events,
            "seconds": time.perf_counter() - started}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--committees", type=int, default=28)
    parser.add_argument("--residents", type=int, default=5000, help="residents per committee")
    args = parser.parse_args()

    city = citydata.City(committees=args.committees, residents_per_committee=args.residents)
    started = time.perf_counter()
    size = citydata.generate(city)
    generated = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0].split(" on ")[0]

    street = Street.objects.get(pk=city.street_ids[0])
    officer = User.objects.create(username="city-street-officer", password="!")
    member_services.role_grant(user=officer, kind=Role.Kind.STREET_OFFICER, street=street, by=None)
    organizer = User.objects.get(pk=city.organizer_id)
    ballot = Ballot.objects.get(pk=city.ballot_ids[0])
    street_committees = Committee.objects.filter(street=street).count()
    street_households = Household.objects.filter(building__compound__committee__street=street).count()
    street_residents = Membership.objects.filter(household__building__compound__committee__street=street).count()
    campaign = Campaign.objects.select_related("ballot").get(pk=city.campaign_ids[0])
    street_campaigns = Campaign.objects.filter(committee__street=street)
    street_sheets = Participation.objects.filter(ballot__in=street_campaigns.values("ballot")).count()
    street_results = Result.objects.filter(campaign__in=street_campaigns).count()
    street_agencies = list(Agency.objects.filter(street=street).values_list("pk", flat=True))
    casework_year = citydata.casework.YEAR
    street_requests = Case.objects.filter(committee__street=street, answered_at__year=casework_year).count()
    committee_id = city.committee_ids[0]

    # No collectstatic needed: static names are served as they are (they do not change the timings).
    with override_settings(ALLOWED_HOSTS=["testserver"], STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}):
        as_organizer, as_officer = Client(), Client()
        as_organizer.force_login(organizer)
        as_officer.force_login(officer)
        pages = [
            {"what": "a committee's results page", **timed(page(as_organizer, f"/ballots/{ballot.pk}/results/")),
             "size": f"{ballot.electorate_size:,} voices, {ballot.participations.count():,} votes"},
            {"what": "the street page", **timed(page(as_officer, f"/streets/{street.pk}/")),
             "size": f"{street_committees} committees, {street_households:,} households, "
                     f"{street_residents:,} residents"},
            {"what": "a committee's evaluation results page",
             **timed(page(as_organizer, reverse("evaluations:campaign_results", args=[campaign.pk]))),
             "size": f"{campaign.evaluatees.count()} evaluatees, {campaign.ballot.questions.count()} questions, "
                     f"{campaign.ballot.participations.count():,} sheets"},
            {"what": "the street evaluation dashboard",
             **timed(page(as_officer, reverse("evaluations:street_dashboard", args=[street.pk]))),
             "size": f"{street_campaigns.count()} campaigns, {street_sheets:,} sheets, {street_results:,} result rows"},
            {"what": "the street dashboard's residents' request figures (the casework selector alone)",
             **timed(lambda: casework_selectors.handler_figures(street_agencies, casework_year)),
             "size": f"{len(street_agencies)} agencies, {street_requests:,} requests answered in {casework_year}"},
            {"what": "a committee's residents' requests queue",
             **timed(page(as_organizer, reverse("casework:committee_cases", args=[committee_id]))),
             "size": f"{Case.objects.filter(committee_id=committee_id).count():,} requests in the year"},
            {"what": "a district summary (every committee's stored counts, turnout per published ballot)",
             **timed(district_summary),
             "size": f"{size['streets']} streets, {size['committees']} committees, {size['residents']:,} residents, "
                     f"{Participation.objects.count():,} votes"},
        ]
    # Every other ballot of the database (votes and evaluation campaigns alike), so that both runs
    # check the same mix of chains and only their number differs.
    half = list(Ballot.objects.order_by("pk").values_list("pk", flat=True))[::2]
    audit = [audit_over(half), audit_over(None)]
    result = {"label": "", "version": version, "size": size, "generated": generated, "pages": pages, "audit": audit}
    with open(args.out, "w") as handle:
        json.dump(result, handle)


if __name__ == "__main__":
    main()
