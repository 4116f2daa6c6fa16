"""Floor pages: only the building sees a consultation; answering, assisting, concluding; query counts."""

import datetime

import pytest
from django.urls import reverse

from decisions.models import Ballot, Channel, Participation
from deliberation.models import Consultation, HouseholdComment
from deliberation.services import floor as floor_services
from deliberation.services import followups
from members.models import Role
from tests.decisions.factories import (
    card_code,
    make_building_of_households,
    make_committee_role,
    make_floor_leader,
)
from tests.deliberation.party_factories import make_consultation, make_neighbour, yes_option
from tests.factories import make_organizer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client, settings):
    """Pages in English, so the assertions below read like the page."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _urls(consultation) -> list[str]:
    b = consultation.building_id
    return [reverse("deliberation:floor_building", args=[b]), reverse("deliberation:floor_convention", args=[b]),
            reverse("deliberation:floor_consultation_open", args=[b])] + [
        reverse(f"deliberation:{name}", args=[consultation.pk])
        for name in ("floor_consultation", "floor_answer", "floor_households", "floor_assist", "floor_close",
                     "floor_count_publish", "floor_agree", "floor_cancel", "floor_follow_up_add")] + [
        reverse("decisions:ballot_detail", args=[consultation.ballot_id])]


def test_a_resident_of_another_building_gets_404_everywhere(client):
    consultation, leader, residents = make_consultation()
    _other, neighbours = make_building_of_households(2, committee=consultation.committee)
    other_leader = make_floor_leader(_other)
    party_member = make_committee_role(consultation.committee, Role.Kind.PARTY_MEMBER)
    for outsider in (neighbours[0], other_leader, party_member):
        client.force_login(outsider)
        for url in _urls(consultation):
            assert client.get(url).status_code == 404, (outsider, url)
        response = client.post(reverse("deliberation:floor_answer", args=[consultation.pk]),
                               {"option": yes_option(consultation.ballot)})
        assert response.status_code == 404
    assert not Participation.objects.exists()


def test_a_resident_answers_with_a_comment_and_cannot_run_the_consultation(client):
    consultation, leader, residents = make_consultation()
    client.force_login(residents[0])
    assert client.get(reverse("deliberation:floor_index")).status_code == 302
    assert client.get(consultation.get_absolute_url()).status_code == 200
    response = client.post(reverse("deliberation:floor_answer", args=[consultation.pk]),
                           {"option": yes_option(consultation.ballot), "comment": "同意按面积分摊"})
    assert response.status_code == 302
    assert HouseholdComment.objects.get().body == "同意按面积分摊"
    assert "同意按面积分摊" in client.get(consultation.get_absolute_url()).content.decode()
    for name in ("floor_households", "floor_assist", "floor_close", "floor_count_publish", "floor_agree",
                 "floor_cancel"):
        assert client.get(reverse(f"deliberation:{name}", args=[consultation.pk])).status_code == 404


def test_the_floor_leader_sees_who_has_not_answered_and_records_an_assisted_opinion(client):
    consultation, leader, residents = make_consultation(n=3)
    floor_services.consultation_answer(consultation=consultation, by=residents[0],
                                       option_id=yes_option(consultation.ballot))
    client.force_login(leader)
    page = client.get(reverse("deliberation:floor_households", args=[consultation.pk])).content.decode()
    assert "2 households have not answered yet." in page
    household = residents[2].memberships.get().household
    response = client.post(reverse("deliberation:floor_assist", args=[consultation.pk]), {
        "household": household.pk, "option": yes_option(consultation.ballot), "consent_note": "上门询问",
        "comment": ""})
    assert response.status_code == 302
    assert Participation.objects.get(voice__household=household).channel == Channel.ASSISTED
    # A bad household id is a form error, not a 500.
    response = client.post(reverse("deliberation:floor_assist", args=[consultation.pk]), {
        "household": 999999, "option": yes_option(consultation.ballot), "consent_note": "x"})
    assert response.status_code == 200


def test_a_secret_consultation_does_not_show_who_has_answered(client):
    consultation, leader, residents = make_consultation(secrecy=Ballot.Secrecy.SECRET)
    floor_services.consultation_answer(consultation=consultation, by=residents[0],
                                       option_id=yes_option(consultation.ballot))
    client.force_login(leader)
    page = client.get(reverse("deliberation:floor_households", args=[consultation.pk])).content.decode()
    assert residents[0].display_name not in page


def test_close_agree_and_the_building_sees_who_agreed(client):
    consultation, leader, residents = make_consultation(n=3)
    for person in residents:
        floor_services.consultation_answer(consultation=consultation, by=person,
                                           option_id=yes_option(consultation.ballot))
    client.force_login(leader)
    client.post(reverse("deliberation:floor_close", args=[consultation.pk]))
    client.post(reverse("deliberation:floor_agree", args=[consultation.pk]), {"opinion": "按面积分摊，下月施工"})
    consultation.refresh_from_db()
    assert consultation.status == Consultation.Status.AGREED
    client.force_login(residents[1])
    page = client.get(consultation.get_absolute_url()).content.decode()
    assert "按面积分摊，下月施工" in page and "3 households agreed" in page
    assert residents[0].display_name in page


def test_an_organizer_opens_a_consultation_from_the_page(client):
    building, residents = make_building_of_households(2)
    organizer = make_organizer(building.compound.committee)
    client.force_login(organizer)
    response = client.post(reverse("deliberation:floor_consultation_open", args=[building.pk]), {
        "title": "电梯维保", "matter": "lift", "description": "", "question": "", "rule": "art278",
        "secrecy": "named", "proposed_convention": ""})
    consultation = Consultation.objects.get()
    assert response["Location"] == consultation.get_absolute_url()
    assert consultation.ballot.rule == Ballot.Rule.ART278 and consultation.ballot.created_by_id == organizer.pk


def test_floor_pages_keep_their_queries_with_many_rows(client, django_assert_max_num_queries):
    consultation, leader, residents = make_consultation(n=55)
    for person in residents[:50]:
        floor_services.consultation_answer(consultation=consultation, by=person,
                                           option_id=yes_option(consultation.ballot), comment="同意")
    building = consultation.building
    for i in range(54):
        floor_services.consultation_open(building=building, by=leader, title=f"议题 {i}", matter="corridor")
    client.force_login(leader)
    with django_assert_max_num_queries(15):
        assert client.get(reverse("deliberation:floor_building", args=[building.pk])).status_code == 200
    with django_assert_max_num_queries(15):
        assert client.get(reverse("deliberation:floor_households", args=[consultation.pk])).status_code == 200
    with django_assert_max_num_queries(15):
        assert client.get(reverse("deliberation:floor_assist", args=[consultation.pk])).status_code == 200
    floor_services.consultation_close(consultation=consultation, by=leader)
    floor_services.consultation_agree(consultation=consultation, by=leader, opinion="同意")
    for i in range(55):
        followups.follow_up_add(parent=consultation, by=leader, what=f"事项 {i}", owner="物业",
                                due_on=datetime.date(2026, 12, 1))
    with django_assert_max_num_queries(25):
        assert client.get(consultation.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("deliberation:floor_index")).status_code in (200, 302)


# --- Secret consultations: the card at opening, the box after closing, then the count ---------

def test_opening_a_secret_consultation_shows_the_opener_their_scrutineer_card_once(client):
    building, residents = make_building_of_households(2)
    leader = make_floor_leader(building, make_neighbour(building))
    client.force_login(leader)
    response = client.post(reverse("deliberation:floor_consultation_open", args=[building.pk]), {
        "title": "电梯维保", "matter": "lift", "description": "", "question": "", "rule": "simple_majority",
        "secrecy": "secret", "proposed_convention": ""})
    consultation = Consultation.objects.get()
    code = card_code(consultation.ballot, leader)
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert response.context["code"] == code and 'data-testid="card-code"' in response.content.decode()
    assert "You are its only scrutineer" in response.content.decode()
    # Only once: the consultation's page never shows it again.
    page = client.get(consultation.get_absolute_url()).content.decode()
    assert code not in page and 'data-testid="card-code"' not in page


def test_a_secret_consultation_is_closed_then_its_box_opened_then_its_count_published(client):
    consultation, leader, residents = make_consultation(secrecy=Ballot.Secrecy.SECRET)
    for person in residents[:3]:
        floor_services.consultation_answer(consultation=consultation, by=person,
                                           option_id=yes_option(consultation.ballot))
    box_url = reverse("decisions:ballot_box", args=[consultation.ballot_id])
    client.force_login(leader)
    page = client.get(reverse("deliberation:floor_close", args=[consultation.pk])).content.decode()
    assert "its scrutineer opens the box with their card" in page
    response = client.post(reverse("deliberation:floor_close", args=[consultation.pk]), follow=True)
    page = response.content.decode()
    assert "Opinions are closed and sealed in the ballot box" in page
    assert 'data-testid="box-to-open"' in page and box_url in page
    assert reverse("deliberation:floor_agree", args=[consultation.pk]) not in page
    # A resident of the building is told the count is coming, with no way into the box.
    client.force_login(residents[0])
    page = client.get(consultation.get_absolute_url()).content.decode()
    assert 'data-testid="box-to-open"' in page and box_url not in page
    assert client.get(box_url).status_code == 404
    # The scrutineer presents the card on the core's box page, and comes back to publish the count.
    client.force_login(leader)
    client.post(box_url, {"code": consultation.new_card})
    page = client.get(consultation.get_absolute_url()).content.decode()
    publish_url = reverse("deliberation:floor_count_publish", args=[consultation.pk])
    assert 'data-testid="box-counted"' in page and publish_url in page
    assert "Publish the count" in client.get(publish_url).content.decode()
    response = client.post(publish_url, follow=True)
    page = response.content.decode()
    assert "The count was published." in page and "3 of 4 households gave an opinion." in page
    assert reverse("deliberation:floor_agree", args=[consultation.pk]) in page
    consultation.refresh_from_db()
    assert consultation.ballot.status == Ballot.Status.PUBLISHED


def test_publishing_the_count_before_the_box_is_opened_says_so(client):
    consultation, leader, residents = make_consultation(secrecy=Ballot.Secrecy.SECRET)
    floor_services.consultation_close(consultation=consultation, by=leader)
    client.force_login(leader)
    response = client.post(reverse("deliberation:floor_count_publish", args=[consultation.pk]), follow=True)
    assert "have not opened the ballot box yet" in response.content.decode()
    consultation.refresh_from_db()
    assert consultation.ballot.status == Ballot.Status.CLOSED
