"""Every page a resident or an organizer meets in the first journey fits a phone held upright.

At 390 px wide: nothing scrolls sideways, body text is at least 18 px, every visible field has a
label, and every link or button in a navigation bar is at least 44 px tall (a thumb's width).
"""

import pytest
from django.urls import reverse
from playwright.sync_api import Page

from deliberation import services as ballot_services
from deliberation.models import Ballot
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
    ("my-ballots", "voter", lambda p: reverse("deliberation:my_ballots")),
    ("ballot-vote", "voter", lambda p: reverse("deliberation:ballot_detail", args=[p["ballot"].pk])),
    ("committee-ballots", "organizer",
     lambda p: reverse("deliberation:committee_ballots", args=[p["committee"].pk])),
    ("ballot-create", "organizer", lambda p: reverse("deliberation:ballot_create", args=[p["committee"].pk])),
    ("ballot-manage", "organizer", lambda p: reverse("deliberation:ballot_manage", args=[p["ballot"].pk])),
    ("paper-batches", "organizer", lambda p: reverse("deliberation:paper_batches", args=[p["ballot"].pk])),
    ("assisted-vote", "organizer", lambda p: reverse("deliberation:assisted_vote", args=[p["ballot"].pk])),
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
