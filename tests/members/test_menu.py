"""The header's menu offers each person every page that serves them, and nothing that does not."""

import re

import pytest
from django.urls import reverse

from members.models import Role
from tests.coordination.coordination_factories import make_agency_contact
from tests.decisions.factories import make_building_of_households, make_committee_role, make_floor_leader
from tests.factories import make_organizer, make_property_firm, make_street_officer, make_user

pytestmark = pytest.mark.django_db


def menu_links(client, user) -> set[str]:
    """The hrefs inside the header's menu (the <details> under the top bar)."""
    client.force_login(user)
    html = client.get(reverse("home")).content.decode()
    menu = html[html.index('<details class="menu"'):html.index("</details>")]
    return set(re.findall(r'href="([^"]+)"', menu))


@pytest.fixture
def place():
    building, reps = make_building_of_households(2)
    committee = building.compound.committee
    return {"building": building, "committee": committee, "street": committee.street, "resident": reps[0]}


EVERYONE = ("members:my_memberships", "decisions:my_ballots", "members:notification_preferences",
            "hearings:hearing_mine", "coordination:coordination_mine")


def test_a_resident_has_the_personal_pages_and_no_desks(client, place):
    links = menu_links(client, place["resident"])
    assert {reverse(name) for name in EVERYONE} <= links
    assert reverse("deliberation:party_index") not in links
    assert reverse("deliberation:floor_index") not in links
    assert not any("/committees/" in link or "/streets/" in link or "/admin/" in link for link in links)


def test_sign_out_and_the_language_switch_are_in_the_menu_under_mine(client, place):
    client.force_login(place["resident"])
    html = client.get(reverse("home")).content.decode()
    bar, menu = html.split('<details class="menu"', 1)
    mine = menu[menu.index('id="menu-mine"'):menu.index("</details>")]  # the last section
    assert reverse("account_logout") in mine and reverse("set_language") in mine
    assert "_menu" not in mine  # the extra entries' place is a template, included, not printed
    assert reverse("account_logout") not in bar and reverse("set_language") not in bar
    # The bar keeps Home and the notifications with their count.
    assert reverse("members:notification_list") in bar and 'href="/"' in bar


def test_a_party_member_always_has_the_party_agenda(client, place):
    member = make_committee_role(place["committee"], Role.Kind.PARTY_MEMBER)
    links = menu_links(client, member)
    assert reverse("deliberation:party_index") in links
    assert client.get(reverse("deliberation:party_index"), follow=True).status_code == 200


def test_a_floor_leader_has_the_floor_consultations(client, place):
    leader = make_floor_leader(place["building"])
    links = menu_links(client, leader)
    assert reverse("deliberation:floor_index") in links
    assert reverse("deliberation:party_index") not in links


def test_an_organizer_has_the_committee_and_the_floor_consultations(client, place):
    organizer = make_organizer(place["committee"])
    links = menu_links(client, organizer)
    assert reverse("members:committee_detail", args=[place["committee"].pk]) in links
    assert reverse("deliberation:floor_index") in links
    assert reverse("deliberation:party_index") not in links
    assert reverse("coordination:coordination_escalations", args=[place["street"].pk]) not in links
    # The organizer's own pages link to the floor consultations too.
    desk = client.get(reverse("members:committee_detail", args=[place["committee"].pk])).content.decode()
    assert desk.count(f'href="{reverse("deliberation:floor_index")}"') == 2  # the menu and the committee's pages


def test_a_street_officer_has_the_street_and_its_escalated_matters(client, place):
    officer = make_street_officer(place["street"])
    links = menu_links(client, officer)
    assert reverse("members:street_detail", args=[place["street"].pk]) in links
    assert reverse("coordination:coordination_escalations", args=[place["street"].pk]) in links
    assert reverse("deliberation:floor_index") not in links
    assert not any("/committees/" in link for link in links)


def test_an_agency_contact_has_their_agency_evaluations_and_not_the_admin(client, place):
    contact = make_agency_contact(make_property_firm(place["street"]))
    links = menu_links(client, contact)
    assert reverse("evaluations:agency_home") in links
    assert reverse("admin:index") not in links


def test_the_admin_site_link_is_only_for_staff(client, place):
    admin = make_user(name="admin")
    admin.is_staff = True
    admin.save(update_fields=["is_staff"])
    assert reverse("admin:index") in menu_links(client, admin)
    assert reverse("admin:index") not in menu_links(client, place["resident"])


def test_signed_out_the_menu_offers_sign_in_sign_up_and_the_language(client):
    html = client.get(reverse("home")).content.decode()
    menu = html[html.index('<details class="menu"'):html.index("</details>")]
    assert reverse("account_signup") in menu and reverse("set_language") in menu
    assert reverse("account_logout") not in html
