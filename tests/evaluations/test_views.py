"""Pages: scoping (404 outside the user's places), secrecy, the sheet, results hidden before close, exports."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from evaluations.models import Campaign, Comment, Rectification
from members import services as member_services
from members.models import Role
from tests.evaluations.factories import fill, make_open_campaign, make_world, publish, sheet
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _client(client, user):
    client.force_login(user)
    return client


def test_pages_of_another_committee_or_street_are_404(client):
    world = make_world(committees=2)
    campaign = make_open_campaign(world, committee=world.committees[1])
    other = world.organizers[world.committees[0].pk]
    _client(client, other)
    for name in ("campaign_detail", "campaign_results", "campaign_report", "campaign_export", "sheet_fill"):
        assert client.get(reverse(f"evaluations:{name}", args=[campaign.pk])).status_code == 404, name
    assert client.get(reverse("evaluations:campaign_transition", args=[campaign.pk, "close"])).status_code == 404
    assert client.get(reverse("evaluations:committee_campaigns", args=[world.committees[1].pk])).status_code == 404
    stranger_street = make_world().street
    _client(client, world.officer)
    for name in ("street_campaigns", "street_dashboard", "street_launch", "street_export", "chart_bars"):
        assert client.get(reverse(f"evaluations:{name}", args=[stranger_street.pk])).status_code == 404, name


def test_agency_contact_sees_no_campaign_page_only_own_agency_aggregates(client):
    world = make_world(reps=6, stationed=2)
    campaign = make_open_campaign(world, rectify_all=True)
    for voter in world.reps[campaign.committee_id]:
        fill(campaign, voter, level=1)
    publish(campaign, world.organizers[campaign.committee_id])
    police, other = [e.agency for e in campaign.evaluatees.filter(kind="stationed").order_by("position")]
    contact = make_user(name="Police contact")
    member_services.role_grant(user=contact, kind=Role.Kind.AGENCY_CONTACT, agency=police, by=None)
    _client(client, contact)
    assert client.get(reverse("evaluations:campaign_results", args=[campaign.pk])).status_code == 404
    assert client.get(reverse("evaluations:campaign_detail", args=[campaign.pk])).status_code == 404
    page = client.get(reverse("evaluations:agency_home")).content.decode()
    assert police.name in page and other.name not in page
    foreign_task = Rectification.objects.get(agency=other)
    assert client.get(reverse("evaluations:rectification_detail", args=[foreign_task.pk])).status_code == 404
    own = Rectification.objects.get(agency=police)
    response = client.post(reverse("evaluations:rectification_transition", args=[own.pk, "file"]),
                           {"targets": "=HYPERLINK(1)", "measures": "巡逻", "head_name": "李所长"})
    assert response.status_code == 302
    client.post(reverse("evaluations:rectification_transition", args=[own.pk, "confirm"]))
    own.refresh_from_db()
    assert own.status == Rectification.Status.CONFIRMED


def test_before_close_only_turnout_shows(client):
    world = make_world(reps=6)
    campaign = make_open_campaign(world)
    for voter in world.reps[campaign.committee_id]:
        fill(campaign, voter, level=3, comments={campaign.evaluatees.first().pk: "SECRET-COMMENT"})
    for user in (world.organizers[campaign.committee_id], world.officer):
        page = _client(client, user).get(reverse("evaluations:campaign_results", args=[campaign.pk])).content.decode()
        assert "6 of 6" in page
        assert "SECRET-COMMENT" not in page and "不满意" not in page
        assert client.get(reverse("evaluations:campaign_report", args=[campaign.pk])).status_code == 404
        assert client.get(reverse("evaluations:campaign_export", args=[campaign.pk])).status_code == 404
    services_close = reverse("evaluations:campaign_transition", args=[campaign.pk, "close"])
    _client(client, world.organizers[campaign.committee_id]).post(services_close)
    page = client.get(reverse("evaluations:campaign_results", args=[campaign.pk])).content.decode()
    assert "SECRET-COMMENT" not in page


def test_no_page_for_organizer_officer_or_contact_names_who_rated_what(client):
    """Schema: nothing of this app stores a person with a rating; pages list no voter with a choice."""
    from evaluations import models

    for model in (models.Comment, models.Result, models.SheetItem):
        names = {f.name for f in model._meta.get_fields()}
        assert not names & {"user", "voter", "participation", "voice", "receipt"}, model
    assert not hasattr(models.Comment, "history")
    world = make_world(reps=6)
    campaign = make_open_campaign(world)
    voters = world.reps[campaign.committee_id]
    for i, voter in enumerate(voters):
        fill(campaign, voter, level=1 + i % 3)
    publish(campaign, world.organizers[campaign.committee_id])
    _client(client, world.organizers[campaign.committee_id])
    for name in ("campaign_detail", "campaign_results", "campaign_report"):
        page = client.get(reverse(f"evaluations:{name}", args=[campaign.pk])).content.decode()
        assert not any(v.full_name in page for v in voters), name


def test_sheet_page_records_ratings_and_anonymous_comments(client):
    world = make_world(reps=6)
    campaign = make_open_campaign(world)
    voter = world.reps[campaign.committee_id][0]
    _client(client, voter)
    page = client.get(reverse("evaluations:sheet_fill", args=[campaign.pk]))
    assert page.status_code == 200 and b"data-draft-key" in page.content
    data = {f"q{q}": str(o) for q, o in sheet(campaign, lambda item: 2).items()}
    evaluatee = campaign.evaluatees.first()
    data[f"c{evaluatee.pk}"] = "楼道灯坏了很久"
    data["after"] = "0"
    response = client.post(reverse("evaluations:sheet_fill", args=[campaign.pk]), data)
    assert response.status_code == 302
    assert Comment.objects.get().text == "楼道灯坏了很久"
    # Incomplete sheet: a message, nothing recorded.
    incomplete = {k: v for k, v in list(data.items())[1:]}
    incomplete["after"] = "1"
    response = client.post(reverse("evaluations:sheet_fill", args=[campaign.pk]), incomplete)
    assert response.status_code == 200 and Comment.objects.count() == 1


def test_street_launch_page_creates_campaigns_for_all_committees(client):
    world = make_world(committees=3)
    _client(client, world.officer)
    form = client.get(reverse("evaluations:street_launch", args=[world.street.pk]))
    assert form.status_code == 200
    data = {k: v.initial for k, v in form.context["form"].fields.items() if v.initial is not None}
    data.update({"year": 2026, "title": "2026年度评议", "evaluators": "resident_reps", "rate_formula": "positive",
                 "open_now": "on", "allow_change": "on"})
    response = client.post(reverse("evaluations:street_launch", args=[world.street.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Campaign.objects.filter(committee__street=world.street, status="open").count() == 3


def test_xlsx_export_has_the_numbers_and_escapes_formula_cells(client):
    world = make_world(reps=6)
    campaign = make_open_campaign(world)
    evaluatee = campaign.evaluatees.get(kind="property_firm")
    evaluatee.name = "=cmd|' /C calc'!A0"
    evaluatee.save()
    for i, voter in enumerate(world.reps[campaign.committee_id]):
        fill(campaign, voter, level_for=lambda item, i=i: 1 if i < 4 else 3)
    publish(campaign, world.organizers[campaign.committee_id])
    _client(client, world.officer)
    response = client.get(reverse("evaluations:campaign_export", args=[campaign.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    header = rows[0]
    firm_overall = next(r for r in rows if r[2] == "'=cmd|' /C calc'!A0" and r[5] == "Overall")
    assert firm_overall[header.index("Satisfaction rate (%)")] == pytest.approx(66.7)
    assert firm_overall[header.index("Valid answers")] == 24
    assert firm_overall[6] == "满意: 16"
    info = list(book.worksheets[1].iter_rows(values_only=True))
    assert info[1][3] == 6 and info[1][4] == 6
    assert any(len(str(r[8] or "")) == 64 for r in info[1:])
    assert not any(isinstance(c, str) and c[:1] in "=+-@" for r in rows + info for c in r)
    assert Decimal(str(firm_overall[header.index("Weighted score")])) == Decimal("66.7")


def test_overdue_plans_are_flagged_to_the_street_office(client):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    world = make_world(reps=6)
    campaign = make_open_campaign(world, rectify_all=True)
    for voter in world.reps[campaign.committee_id]:
        fill(campaign, voter, level=1)
    publish(campaign, world.organizers[campaign.committee_id])
    _client(client, world.officer)
    url = reverse("evaluations:street_dashboard", args=[world.street.pk])
    assert 'class="card overdue"' not in client.get(url).content.decode()
    with time_machine.travel(timezone.now() + timedelta(days=40)):
        _client(client, world.officer)  # the session of 40 days ago has expired
        page = client.get(url).content.decode()
        listing = client.get(reverse("evaluations:street_campaigns", args=[world.street.pk])).content.decode()
    assert page.count('class="card overdue"') == Rectification.objects.count() == 3
    assert listing.count('class="overdue"') == 3


def test_bad_transition_and_bad_filter_input_give_a_message_or_404_not_a_500(client):
    world = make_world(reps=6)
    campaign = make_open_campaign(world)
    _client(client, world.organizers[campaign.committee_id])
    response = client.post(reverse("evaluations:campaign_transition", args=[campaign.pk, "publish"]), follow=True)
    assert response.status_code == 200 and campaign.status == Campaign.Status.OPEN
    assert "cannot become" in response.content.decode()
    assert client.get(reverse("evaluations:campaign_transition", args=[campaign.pk, "explode"])).status_code == 404
    _client(client, world.officer)
    bad = reverse("evaluations:street_dashboard", args=[world.street.pk]) + "?year=abc&kind=zzz&committee=-1"
    assert client.get(bad).status_code == 200
    assert client.get(reverse("evaluations:street_export", args=[world.street.pk]) + "?agency=999999").status_code \
        == 404


def test_street_export_for_one_supervising_department_has_only_that_agency(client):
    world = make_world(committees=2, reps=6, stationed=2)
    for committee in world.committees:
        campaign = make_open_campaign(world, committee=committee)
        for voter in world.reps[committee.pk]:
            fill(campaign, voter, level=1)
        publish(campaign, world.organizers[committee.pk])
    agency = world.agencies[1]
    _client(client, world.officer)
    response = client.get(reverse("evaluations:street_export", args=[world.street.pk])
                          + f"?year=2026&agency={agency.pk}")
    rows = list(load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))[1:]
    assert len(rows) == 2 * 5 and {r[2] for r in rows} == {agency.name}
    assert {r[4] for r in rows} == {agency.supervising_department}


def test_launch_that_cannot_open_in_one_committee_names_it_and_launches_nothing():
    from django.core.exceptions import ValidationError

    from evaluations import services
    from tests.evaluations.factories import settings

    world = make_world(committees=2, reps=3)
    empty = world.committees[1]
    for rep in world.reps[empty.pk]:
        rep.roles.all().delete()
    with pytest.raises(ValidationError) as error:
        services.campaign_launch(street=world.street, by=world.officer, settings=settings(), open_now=True)
    assert empty.name in error.value.messages[0]
    assert not Campaign.objects.exists()


def test_a_double_submitted_or_garbled_sheet_records_one_sheet_and_never_500s(client):
    from deliberation.models import Participation

    world = make_world(reps=6)
    campaign = make_open_campaign(world)
    voter = world.reps[campaign.committee_id][0]
    _client(client, voter)
    data = {f"q{q}": str(o) for q, o in sheet(campaign, lambda item: 1).items()}
    url = reverse("evaluations:sheet_fill", args=[campaign.pk])
    assert client.post(url, {**data, "after": "0"}).status_code == 302
    assert client.post(url, {**data, "after": "0"}).status_code == 302  # the same form sent twice
    assert Participation.objects.filter(ballot=campaign.ballot).count() == 1
    assert client.post(url, {**data, "after": "x1"}).status_code == 302
    assert client.post(url, {"q1": "abc", "after": "1"}).status_code == 200
