"""Expected answers of the evaluations app's URLs (format: tests/security/access/__init__.py).

The rules (evaluations/permissions.py): a campaign is run by the committee's organizers, the
officers of its street and site admins; the committee's verified residents (and evaluators) see
an open or published campaign and fill their own secret sheet; nobody sees an individual sheet
(no URL takes a sheet or a voter). The street's pages are for its officers and site admins.
Agency contacts never reach a campaign page: only their own agency's published aggregates
(agency home) and their own agency's rectification tasks.

World objects (built through the services, on each side): ``campaign_open`` (this year, open,
one evaluator per household, nobody has filled a sheet) and ``campaign_published`` (last year,
two sheets with comments, published, every evaluatee asked for a plan): its rectification task
for the side's agency (``rectification``) filed and confirmed by the agency's contact (the
world's ``agency`` role on side A) with one progress note from the committee.
"""

from decimal import Decimal

from decisions.services import box_present
from evaluations import services
from evaluations.models import Campaign, SheetItem
from members import services as members
from members.models import Role
from tests.factories import make_user
from tests.security.access import REDIRECT, Entry, everyone, scoped
from tests.security.world import register_builder

RUNNERS = "organizer officer admin"
RESIDENTS = "resident party_member floor_leader"      # verified residents of A (each a household's voice)
STREET = {"officer admin": 200}


def _sheet(campaign: Campaign, level: int) -> dict[int, int]:
    items = SheetItem.objects.filter(campaign=campaign).select_related("question")
    return {item.question_id: item.question.options.get(position=level).pk for item in items}


def build(world, side) -> None:
    org, name = side.organizer, side.committee.name
    contact = world.user("agency") if side is world.own else make_user(name=f"Agency contact {name}")
    if side is not world.own:
        members.role_grant(user=contact, kind=Role.Kind.AGENCY_CONTACT, agency=side.agency, by=None)
    settings = dict(evaluators=Campaign.Evaluators.HOUSEHOLDS, quorum=Decimal(0), rectify_all=True,
                    dimensions={"stationed": [f"Service attitude {name}", f"Efficiency {name}"]})
    published = services.campaign_create(committee=side.committee, by=org, settings=services.CampaignSettings(
        year=2025, title=f"Evaluation 2025 {name}", **settings))
    published = services.campaign_open(campaign=published, by=org)
    evaluatee = published.evaluatees.get(agency=side.agency)
    for voter, level in ((side.resident, 3), (side.extra["paper_voter"], 2)):
        services.sheet_submit(campaign=published, voter=voter, ratings=_sheet(published, level),
                              comments={evaluatee.pk: f"Comment of a sheet in {name}"})
    services.campaign_close(campaign=published, by=org)
    # Opened with nobody named, the organizer is the box's one scrutineer: their card opens it.
    box_present(ballot=published.ballot, by=org, code=published.new_card)
    services.campaign_publish(campaign=published, by=org)
    task = published.rectifications.get(agency=side.agency)
    services.rectification_file(task=task, by=contact, targets=f"Targets {name}", measures=f"Measures {name}",
                                head_name=f"Head {name}")
    services.rectification_confirm(task=task, by=contact)
    services.progress_record(task=task, by=org, note=f"Progress {name}")
    side.extra["campaign_published"] = published
    side.extra["rectification"] = task
    opened = services.campaign_create(committee=side.committee, by=org, settings=services.CampaignSettings(
        year=2026, title=f"Evaluation 2026 {name}", **settings))
    side.extra["campaign_open"] = services.campaign_open(campaign=opened, by=org)


register_builder(build)


def committee(w, s):
    return {"pk": s.committee.pk}


def street(w, s):
    return {"pk": s.street.pk}


def campaign(key, **more):
    return lambda w, s: {"pk": s.extra[key].pk, **more}


EXPECTATIONS = {
    # The committee's list and a new campaign: organizers, the street's officers, site admins.
    "evaluations:committee_campaigns": Entry(kwargs=committee, get=scoped({RUNNERS: 200})),
    "evaluations:campaign_create": Entry(kwargs=committee, get=scoped({RUNNERS: 200})),
    # The street office's pages, charts and export: the street's officers and site admins.
    "evaluations:street_campaigns": Entry(kwargs=street, get=scoped(STREET)),
    "evaluations:street_launch": Entry(kwargs=street, get=scoped(STREET)),
    "evaluations:street_dashboard": Entry(kwargs=street, get=scoped(STREET)),
    "evaluations:chart_bars": Entry(kwargs=street, get=scoped(STREET)),
    "evaluations:chart_trend": Entry(kwargs=street, get=scoped(STREET)),
    "evaluations:street_export": Entry(kwargs=street, get=scoped(STREET)),
    # An open campaign: runners and the committee's residents; never an agency contact.
    "evaluations:campaign_detail": Entry(kwargs=campaign("campaign_open"), get=scoped({f"{RUNNERS} {RESIDENTS}": 200})),
    # Naming the scrutineers of the campaign's ballot box: its runners.
    "evaluations:campaign_scrutineers": Entry(kwargs=campaign("campaign_open"), get=scoped({RUNNERS: 200})),
    "evaluations:campaign_transition": Entry(kwargs=campaign("campaign_open", move="close"),
                                             get=scoped({RUNNERS: 200})),
    # The evaluator's own sheet; a runner without a voice is sent back to the campaign page.
    "evaluations:sheet_fill": Entry(kwargs=campaign("campaign_open"),
                                    get=scoped({RESIDENTS: 200, RUNNERS: REDIRECT})),
    # Published aggregates (never fewer than MIN_ANSWERS broken down): runners and residents.
    "evaluations:campaign_results": Entry(kwargs=campaign("campaign_published"),
                                          get=scoped({f"{RUNNERS} {RESIDENTS}": 200})),
    # The printable report and the spreadsheet: runners only.
    "evaluations:campaign_report": Entry(kwargs=campaign("campaign_published"), get=scoped({RUNNERS: 200})),
    "evaluations:campaign_export": Entry(kwargs=campaign("campaign_published"), get=scoped({RUNNERS: 200})),
    # Agency contacts: their own agency's aggregates and tasks.
    "evaluations:agency_home": Entry(get=everyone(404, agency=200), sides=("own",)),
    "evaluations:rectification_detail": Entry(kwargs=lambda w, s: {"pk": s.extra["rectification"].pk},
                                              get=scoped({f"{RUNNERS} agency": 200})),
    # GET goes back to the task page; POST records progress (the committee; a contact is told it may not).
    "evaluations:rectification_transition": Entry(
        kwargs=lambda w, s: {"pk": s.extra["rectification"].pk, "move": "progress"},
        get=scoped({f"{RUNNERS} agency": REDIRECT})),
}
