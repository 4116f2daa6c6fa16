"""Every page a resident or an organizer meets in the first journey fits a phone held upright.

At 390 px wide: nothing scrolls sideways, body text is at least 18 px, every visible field has a
label, and every link or button in a navigation bar is at least 44 px tall (a thumb's width).
"""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from decisions import services as ballot_services
from decisions.models import Ballot
from members import services as member_services
from members.models import Role
from tests.factories import (
    make_building,
    make_committee,
    make_compound,
    make_household,
    make_organizer,
    make_resident,
    make_street,
    make_user,
)

PHONE_WIDTH = 390
MIN_FONT_PX = 18
MIN_TAP_PX = 44

# The fields a person can see that have neither a <label> nor an aria-label(ledby).
UNLABELLED_FIELDS_JS = """() =>
  [...document.querySelectorAll('input, select, textarea')]
    .filter(el => el.type !== 'hidden' && el.checkVisibility())
    .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                  && !el.getAttribute('aria-labelledby'))
    .map(el => el.outerHTML)
"""

# Each link and button inside any <nav>, with its height.
NAV_TARGETS_JS = """() =>
  [...document.querySelectorAll('nav a, nav button')]
    .filter(el => el.checkVisibility())
    .map(el => ({text: el.textContent.trim(), height: el.getBoundingClientRect().height}))
"""


@pytest.fixture
def places():
    """One committee with a compound, a building, a few households and residents; an organizer."""
    committee = make_committee(make_street("大宁路街道"), name="延长居民区")
    compound = make_compound(committee, name="延长新村")
    building = make_building(compound, name="3号楼")
    voters = [make_resident(make_household(building, door_number=door), name=name, phone=phone,
                            representative=True)
              for door, name, phone in [("101", "张伟", "+8613900000101"), ("102", "王芳", "+8613900000102"),
                                        ("201", "刘洋", "+8613900000201")]]
    organizer = make_organizer(committee, user=make_user(name="王主任", phone="+8613800000001"))
    resident = make_user(name="李华", phone="+8613912345678")
    ballot = ballot_services.ballot_create(
        committee=committee, by=organizer, title="3号楼加装电梯", electorate=Ballot.Electorate.HOUSEHOLDS,
        building=building, rule=Ballot.Rule.ART278, description="按《民法典》第二百七十八条表决。")
    ballot = ballot_services.ballot_open(ballot=ballot, by=organizer)
    return {"committee": committee, "compound": compound, "building": building,
            "organizer": organizer, "resident": resident, "voter": voters[0], "ballot": ballot}


# (page name, who is signed in, how to build the URL from the places)
PAGES = [
    ("home-signed-out", None, lambda p: reverse("home")),
    ("signup", None, lambda p: reverse("account_signup")),
    ("login", None, lambda p: reverse("account_login")),
    ("home-resident", "resident", lambda p: reverse("home")),
    ("join-start", "resident", lambda p: reverse("members:join_start")),
    ("join-committee", "resident", lambda p: reverse("members:join_committee", args=[p["committee"].pk])),
    ("join-compound", "resident", lambda p: reverse("members:join_compound", args=[p["compound"].pk])),
    ("join-building", "resident", lambda p: reverse("members:join_building", args=[p["building"].pk])),
    ("committee-residents", "organizer",
     lambda p: reverse("members:committee_residents", args=[p["committee"].pk])),
    ("my-ballots", "voter", lambda p: reverse("decisions:my_ballots")),
    ("ballot-vote", "voter", lambda p: reverse("decisions:ballot_detail", args=[p["ballot"].pk])),
    ("committee-ballots", "organizer",
     lambda p: reverse("decisions:committee_ballots", args=[p["committee"].pk])),
    ("ballot-create", "organizer", lambda p: reverse("decisions:ballot_create", args=[p["committee"].pk])),
    ("ballot-manage", "organizer", lambda p: reverse("decisions:ballot_manage", args=[p["ballot"].pk])),
    ("paper-batches", "organizer", lambda p: reverse("decisions:paper_batches", args=[p["ballot"].pk])),
    ("assisted-vote", "organizer", lambda p: reverse("decisions:assisted_vote", args=[p["ballot"].pk])),
]


@pytest.mark.parametrize(("name", "who", "url"), PAGES, ids=[name for name, _, _ in PAGES])
def test_page_is_usable_on_a_phone(page: Page, places, login_as, shot, name, who, url):
    if who:
        login_as(places[who])
    response = page.goto(url(places))
    assert response.status == 200
    shot(page, name)

    # Nothing sticks out to the right: the page never scrolls sideways.
    assert page.evaluate("window.innerWidth") == PHONE_WIDTH
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= PHONE_WIDTH, f"{name}: page is {scroll_width}px wide on a {PHONE_WIDTH}px phone"

    # Body text is large enough to read without zooming.
    font_px = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert font_px >= MIN_FONT_PX

    # Every field says what it is for.
    assert page.evaluate(UNLABELLED_FIELDS_JS) == []

    # Every navigation link and button is big enough for a thumb.
    targets = page.evaluate(NAV_TARGETS_JS)
    assert targets, "no navigation found"
    too_small = [t for t in targets if t["height"] < MIN_TAP_PX]
    assert too_small == []


# --- The other meeting types: hearings, coordination, evaluations, notifications ---------------------


@pytest.fixture
def meetings():
    """A hearing announced, a coordination meeting in follow-up, an evaluation open in one committee and
    published in another of the same street, and an agency contact; the people who see each page."""
    from tests.coordination.coordination_factories import make_agency_contact, make_meeting, make_neighbourhood
    from tests.evaluations.factories import fill, make_open_campaign, make_world, publish
    from tests.hearings.hearing_factories import advance, make_area, make_hearing

    area = make_area(2)
    hearing = advance(make_hearing(area, title="1号楼加装电梯听证会"), area["organizer"], to="announced")
    n = make_neighbourhood()
    meeting = make_meeting(n, "follow_up")
    world = make_world(committees=2, reps=3)
    first, second = world.committees
    open_campaign = make_open_campaign(world, first, title="2026年度派驻机构和物业服务评议")
    published = make_open_campaign(world, second, title="2026年度评议")
    for i, rep in enumerate(world.reps[second.pk]):
        fill(published, rep, level_for=lambda item, i=i: 1 + (item.question_id + i) % 4)
    publish(published, world.organizers[second.pk])
    # An organizer who is also a resident representative, a street officer and an agency contact:
    # the longest main menu a person can have.
    busy = world.organizers[first.pk]
    member_services.role_grant(user=busy, kind=Role.Kind.STREET_OFFICER, street=world.street, by=None)
    make_agency_contact(world.agencies[0], busy)
    return {"hearing": hearing, "resident": area["residents"][0], "hearing_organizer": area["organizer"],
            "meeting": meeting, "coordination_resident": n.resident, "firm_contact": n.firm_contact,
            "open_campaign": open_campaign, "rep": world.reps[first.pk][0], "published": published,
            "second_rep": world.reps[second.pk][0], "officer": world.officer, "street": world.street, "busy": busy}


MEETING_PAGES = [
    ("hearing-mine", "resident", lambda p: reverse("hearings:hearing_mine")),
    ("hearing-public", "resident", lambda p: reverse("hearings:hearing_detail", args=[p["hearing"].pk])),
    ("hearing-desk", "hearing_organizer", lambda p: reverse("hearings:hearing_manage", args=[p["hearing"].pk])),
    ("notifications", "resident", lambda p: reverse("members:notification_list")),
    ("coordination-mine", "coordination_resident", lambda p: reverse("coordination:coordination_mine")),
    ("coordination-meeting", "coordination_resident",
     lambda p: reverse("coordination:coordination_detail", args=[p["meeting"].pk])),
    ("coordination-meeting-firm", "firm_contact",
     lambda p: reverse("coordination:coordination_detail", args=[p["meeting"].pk])),
    ("evaluation-sheet", "rep", lambda p: reverse("evaluations:sheet_fill", args=[p["open_campaign"].pk])),
    ("evaluation-results", "second_rep",
     lambda p: reverse("evaluations:campaign_results", args=[p["published"].pk])),
    ("street-dashboard", "officer", lambda p: reverse("evaluations:street_dashboard", args=[p["street"].pk])),
    ("home-longest-menu", "busy", lambda p: reverse("home")),
    ("agency-home", "busy", lambda p: reverse("evaluations:agency_home")),
]


@pytest.mark.parametrize(("name", "who", "url"), MEETING_PAGES, ids=[name for name, _, _ in MEETING_PAGES])
def test_meeting_page_is_usable_on_a_phone(page: Page, meetings, login_as, shot, name, who, url):
    test_page_is_usable_on_a_phone(page, meetings, login_as, shot, name, who, url)


def test_the_main_menu_on_a_phone_is_one_column_of_large_buttons(page: Page, meetings, login_as, shot):
    """The longest menu opens from the header's Menu button: every entry a visible, outlined button of
    at least 52 px, the width of the phone; the header bar itself stays short."""
    login_as(meetings["busy"])
    page.goto(reverse("home"))
    bar = page.get_by_role("navigation", name="Main")
    # One row in Chinese; in English "Notifications" is long and the bar may take two, still under ~15 %.
    assert page.locator(".site-header").bounding_box()["height"] <= 111
    expect(bar.get_by_role("link", name="Home")).to_have_attribute("aria-current", "page")
    bar.locator("summary").click()
    menu = page.locator(".menu-panel")
    boxes = [link.bounding_box() for link in menu.locator(".menu-list a").all()]
    assert len(boxes) >= 9
    assert all(box["height"] >= 52 and box["width"] >= 300 for box in boxes), boxes
    assert all(box["x"] >= 0 and box["x"] + box["width"] <= PHONE_WIDTH for box in boxes), boxes
    assert len({round(box["x"]) for box in boxes}) == 1  # one column
    page.screenshot(path=str(shot(page, "menu-full-page").parent / "menu-phone-viewport.png"))
    page.set_viewport_size({"width": 1280, "height": 800})
    page.screenshot(path=str(shot(page, "menu-desktop").parent / "menu-desktop-viewport.png"))
