"""Pages: scoping (404 outside the user's places), secrecy, the sheet, results hidden before close, exports."""

import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from decisions.models import Participation
from evaluations import services
from evaluations.models import Campaign, Comment, Rectification
from members import services as member_services
from members.models import Role
from tests.decisions.factories import card_code
from tests.evaluations.factories import fill, make_open_campaign, make_world, publish, settings, sheet
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _client(client, user):
    client.force_login(user)
    return client


def _text(response) -> str:
    """The page's text without its tags (a card code is printed in groups, with break hints between)."""
    return re.sub(r"<[^>]+>", "", response.content.decode())


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
    assert Participation.objects.filter(ballot=campaign.ballot).count() == 1
    assert not Comment.objects.exists()  # sealed in the paper until the box is opened
    # Incomplete sheet: a message, nothing recorded.
    incomplete = {k: v for k, v in list(data.items())[1:]}
    incomplete["after"] = "1"
    response = client.post(reverse("evaluations:sheet_fill", args=[campaign.pk]), incomplete)
    assert response.status_code == 200 and Participation.objects.filter(ballot=campaign.ballot).count() == 1
    publish(campaign, world.organizers[campaign.committee_id])
    assert Comment.objects.get().text == "楼道灯坏了很久"


def test_street_launch_page_creates_campaigns_for_all_committees(client):
    world = make_world(committees=3)
    _client(client, world.officer)
    form = client.get(reverse("evaluations:street_launch", args=[world.street.pk]))
    assert form.status_code == 200
    data = {k: v.initial for k, v in form.context["form"].fields.items() if v.initial is not None}
    data.update({"year": 2026, "title": "2026年度评议", "evaluators": "resident_reps", "rate_formula": "positive",
                 "allow_change": "on"})
    assert data["open_now"] is False  # opening at once makes the officer the only scrutineer: asked for, not default
    data["open_now"] = "on"
    response = client.post(reverse("evaluations:street_launch", args=[world.street.pk]), data)
    # Opened at once: the officer's scrutineer cards, one per committee, shown once.
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    page = _text(response)
    assert response.content.decode().count('data-testid="card-code"') == 3
    for campaign in Campaign.objects.filter(committee__street=world.street):
        assert card_code(campaign.ballot, world.officer) in page
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

    world = make_world(committees=2, reps=3)
    empty = world.committees[1]
    for rep in world.reps[empty.pk]:
        rep.roles.all().delete()
    with pytest.raises(ValidationError) as error:
        services.campaign_launch(street=world.street, by=world.officer, settings=settings(), open_now=True)
    assert empty.name in error.value.messages[0]
    assert not Campaign.objects.exists()


def test_a_double_submitted_or_garbled_sheet_records_one_sheet_and_never_500s(client):
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


def test_scrutineers_are_named_on_the_campaign_take_their_cards_and_open_the_box_after_close(client):
    world = make_world(reps=6)
    committee = world.committees[0]
    organizer = world.organizers[committee.pk]
    campaign = services.campaign_create(committee=committee, by=organizer, settings=settings())
    _client(client, world.officer)
    page = client.get(reverse("evaluations:campaign_detail", args=[campaign.pk])).content.decode()
    assert "No scrutineer is named yet" in page
    url = reverse("evaluations:campaign_scrutineers", args=[campaign.pk])
    form = client.get(url)
    assert form.status_code == 200 and organizer.display_name in form.content.decode()
    assert client.post(url, {"scrutineers": [organizer.pk, world.officer.pk], "threshold": "3"}).status_code == 200
    assert not Campaign.objects.get(pk=campaign.pk).ballot_id  # refused: nothing built, nothing named
    response = client.post(url, {"scrutineers": [organizer.pk, world.officer.pk], "threshold": "2"})
    assert response.status_code == 302
    campaign.refresh_from_db()
    page = client.get(reverse("evaluations:campaign_detail", args=[campaign.pk])).content.decode()
    assert page.count("has not taken their card yet") == 2
    assert reverse("decisions:ballot_card", args=[campaign.ballot_id]) in page
    for user in (organizer, world.officer):
        _client(client, user)
        card = client.post(reverse("decisions:ballot_card", args=[campaign.ballot_id]))
        assert card.status_code == 200 and 'data-testid="card-code"' in card.content.decode()
    open_url = reverse("evaluations:campaign_transition", args=[campaign.pk, "open"])
    assert "any 2 of the scrutineers named" in client.get(open_url).content.decode().replace("\n", " ")
    assert client.post(open_url).status_code == 302  # named and carded: no card to show
    for voter in world.reps[committee.pk]:
        fill(campaign, voter, level=1)
    services.campaign_close(campaign=campaign, by=organizer)

    _client(client, organizer)
    detail = reverse("evaluations:campaign_detail", args=[campaign.pk])
    page = client.get(detail).content.decode()
    box_url = reverse("decisions:ballot_box", args=[campaign.ballot_id])
    assert "2 more scrutineers must present their cards" in page and box_url in page
    publish_url = reverse("evaluations:campaign_transition", args=[campaign.pk, "publish"])
    assert 'data-testid="box-shut"' in client.get(publish_url).content.decode()
    refused = client.post(publish_url, follow=True).content.decode()
    assert "have not opened the ballot box yet" in refused
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.CLOSED
    for user in (organizer, world.officer):
        _client(client, user)
        assert client.post(box_url, {"code": card_code(campaign.ballot, user)}).status_code == 302
    _client(client, organizer)
    assert "The box was opened and counted" in client.get(detail).content.decode()
    assert client.post(publish_url).status_code == 302
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.PUBLISHED


def test_opening_with_nobody_named_shows_the_opener_their_card_once(client):
    world = make_world(reps=2)
    committee = world.committees[0]
    organizer = world.organizers[committee.pk]
    campaign = services.campaign_create(committee=committee, by=organizer, settings=settings())
    _client(client, organizer)
    url = reverse("evaluations:campaign_transition", args=[campaign.pk, "open"])
    assert "you will be the only scrutineer" in client.get(url).content.decode()
    response = client.post(url)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    campaign.refresh_from_db()
    code = card_code(campaign.ballot, organizer)
    assert code in _text(response)
    assert code not in _text(client.get(reverse("evaluations:campaign_detail", args=[campaign.pk])))
    assert 'data-testid="single-scrutineer"' in client.get(
        reverse("evaluations:campaign_detail", args=[campaign.pk])).content.decode()


def test_the_scrutineers_page_is_for_runners_of_the_committee_only(client):
    world = make_world(committees=2)
    campaign = services.campaign_create(committee=world.committees[1], by=world.organizers[world.committees[1].pk],
                                        settings=settings())
    url = reverse("evaluations:campaign_scrutineers", args=[campaign.pk])
    for user in (world.organizers[world.committees[0].pk], world.reps[world.committees[1].pk][0]):
        _client(client, user)
        assert client.get(url).status_code == 404
        assert client.post(url, {"scrutineers": [user.pk], "threshold": "1"}).status_code == 404
    assert not Campaign.objects.get(pk=campaign.pk).ballot_id
