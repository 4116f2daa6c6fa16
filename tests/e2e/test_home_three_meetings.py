"""One resident's home page gathers what every kind of meeting waits for from her.

Read it as a story. 陈静 lives in 延长新村 1号楼 101 and represents her household; she is also one of
延长居民区's resident representatives. This week four things wait for her, from four meeting types:
  - a hearing (听证会) on adding a lift to 1号楼 is announced: she may register and give an opinion;
  - the year-end evaluation (年度评议) is open: she has an evaluation sheet to fill in;
  - her floor leader opened a floor consultation (楼组协商) on the corridor repair costs;
  - the committee's ordinary ballot on the bicycle shed is open for 1号楼's households.
She signs in on her phone, sees all of them on her home page, follows each one, does it, and comes
back to find that item gone — until nothing is waiting. Screenshots at 390 px and on a desktop in
test-artifacts/screenshots/<test name>/.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from decisions import services as ballot_services
from decisions.models import Ballot
from deliberation.services import floor as floor_services
from members import services as member_services
from members.models import Role
from tests.decisions.factories import make_floor_leader
from tests.evaluations.factories import make_open_campaign, make_world
from tests.factories import make_building, make_compound, make_household, make_resident, make_user
from tests.hearings.hearing_factories import advance, make_hearing

PHONE, PASSWORD = "13900000101", "Yanchang-1hao-lou"
HEARING, SHEET, FLOOR, BALLOT = "1号楼加装电梯听证会", "2026年度评议", "楼道公共部位维修费用分摊", "1号楼自行车棚改造"


@pytest.fixture
def chen_jing():
    world = make_world(reps=2)
    committee = world.committees[0]
    organizer = world.organizers[committee.pk]
    compound = make_compound(committee, name="延长新村")
    building = make_building(compound, name="1号楼")
    chen = make_user(name="陈静", phone=f"+86{PHONE}", password=PASSWORD)
    membership = member_services.membership_ensure_verified(
        user=chen, household=make_household(building, door_number="101", floor_area="90.00"), by=None)
    member_services.membership_set_representative(membership=membership, by=None)
    member_services.role_grant(user=chen, kind=Role.Kind.RESIDENT_REPRESENTATIVE, committee=committee, by=None)
    neighbour = make_resident(make_household(building, door_number="102"), name="周强", representative=True)

    # The hearing on the lift, announced for two weeks from now (written opinions open today).
    hearing = make_hearing({"committee": committee, "organizer": organizer, "building": building}, title=HEARING)
    advance(hearing, organizer, to="announced")
    # The year-end evaluation of the agencies serving 延长: 陈静 is one of the evaluators.
    now = timezone.now()
    make_open_campaign(world, title=SHEET, closes_at=now + timedelta(days=10))
    # The floor consultation opened by 1号楼's floor leader.
    floor_services.consultation_open(building=building, by=make_floor_leader(building, neighbour), title=FLOOR,
                                     matter="repair_costs", description="楼道墙面维修")
    # The committee's ordinary ballot for 1号楼's households, closing in three days.
    ballot = ballot_services.ballot_create(committee=committee, by=organizer, title=BALLOT,
                                           closes_at=now + timedelta(days=3),
                                           electorate=Ballot.Electorate.HOUSEHOLDS, building=building)
    ballot_services.ballot_open(ballot=ballot, by=organizer)
    return chen


def fits_a_phone(page: Page) -> None:
    """Nothing scrolls sideways at 390 px."""
    assert page.evaluate("document.documentElement.scrollWidth") <= page.evaluate("window.innerWidth") == 390


def waiting_items(page: Page):
    """What is still to do (a vote already cast stays listed, as done, while it may be changed)."""
    return page.get_by_role("region", name="Waiting for you").locator("li.waiting-item:not(.waiting-done)")


def done_items(page: Page):
    return page.get_by_role("region", name="Waiting for you").locator("li.waiting-done")


def go_home(page: Page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Home").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, 陈静")


def follow(page: Page, title: str, action: str) -> None:
    item = waiting_items(page).filter(has_text=title).filter(has=page.get_by_role("link", name=action))
    expect(item).to_have_count(1)
    item.get_by_role("link", name=action).click()


def test_one_resident_sees_and_does_what_four_meeting_types_wait_for(
        page: Page, chen_jing, shot, browser_console_errors):
    # --- 1. She signs in and sees five things from four meeting types ------------------------
    page.goto("/accounts/login/")
    page.get_by_label("Mobile phone or username").fill(PHONE)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, 陈静")
    expect(page.get_by_role("region", name="Waiting for you")).to_contain_text("5 things are waiting for you.")
    items = waiting_items(page)
    expect(items).to_have_count(5)
    for title, action in ((HEARING, "Register to speak or observe"), (HEARING, "Give your written opinion"),
                          (SHEET, "Fill in your evaluation sheet"), (FLOOR, "Give your household's opinion"),
                          (BALLOT, "Vote")):
        expect(items.filter(has_text=title).get_by_role("link", name=action)).to_have_count(1)
    # The soonest first: the ballot closes in three days, the hearing in two weeks.
    expect(items.first).to_contain_text(BALLOT)
    shot(page, "home-five-waiting")
    fits_a_phone(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    shot(page, "home-five-waiting-desktop")
    page.set_viewport_size({"width": 390, "height": 844})

    # --- 2. The ordinary ballot: she votes -----------------------------------------------------
    follow(page, BALLOT, "Vote")
    expect(page.get_by_role("heading", level=1)).to_have_text(BALLOT)
    page.get_by_role("button", name="同意", exact=True).click()
    page.get_by_role("button", name="Confirm my vote").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your receipt")
    go_home(page)
    expect(waiting_items(page)).to_have_count(4)
    expect(waiting_items(page).filter(has_text=BALLOT)).to_have_count(0)
    expect(done_items(page).filter(has_text=BALLOT)).to_contain_text("Voted · can be changed")

    # --- 3. The hearing: she registers to observe, then gives her written opinion ---------------
    follow(page, HEARING, "Register to speak or observe")
    expect(page.get_by_role("heading", level=1)).to_have_text(HEARING)
    shot(page, "hearing-from-home")
    fits_a_phone(page)
    page.get_by_label("observe", exact=False).first.check()
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("status")).to_contain_text("You are registered.")
    go_home(page)
    expect(waiting_items(page)).to_have_count(3)
    follow(page, HEARING, "Give your written opinion")
    page.get_by_label("Your written opinion").fill("支持加装电梯，希望施工避开午休。")
    page.get_by_role("button", name="Save my opinion").click()
    expect(page.get_by_role("status")).to_contain_text("Your opinion was saved.")
    go_home(page)
    expect(waiting_items(page)).to_have_count(2)
    expect(waiting_items(page).filter(has_text=HEARING)).to_have_count(0)
    shot(page, "home-two-left")
    fits_a_phone(page)

    # --- 4. The floor consultation: her household's opinion ------------------------------------
    follow(page, FLOOR, "Give your household's opinion")
    expect(page.get_by_role("link", name=FLOOR)).to_be_visible()   # the answer form, its crumb the consultation
    shot(page, "floor-from-home")
    fits_a_phone(page)
    page.get_by_label("同意", exact=True).check()
    page.get_by_role("button", name="Give our opinion").click()
    expect(page.get_by_role("status")).to_contain_text("Your household's opinion was recorded.")
    go_home(page)
    expect(waiting_items(page)).to_have_count(1)
    expect(waiting_items(page).first).to_contain_text(SHEET)

    # --- 5. The evaluation sheet: every question answered, handed in ---------------------------
    follow(page, SHEET, "Fill in your evaluation sheet")
    expect(page.get_by_role("heading", level=1)).to_have_text("My evaluation sheet")
    # One evaluatee per screen, then a review of every answer before handing in.
    while True:
        fieldsets = page.locator("fieldset.rating")
        for i in range(fieldsets.count()):
            fieldsets.nth(i).get_by_label("满意", exact=True).check()
        fits_a_phone(page)
        next_screen = page.get_by_role("button", name="Next")
        if not next_screen.count():
            break
        next_screen.click()
    shot(page, "sheet-from-home")
    page.get_by_role("button", name="Check my answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check my answers")
    expect(page.locator(".review-item.incomplete")).to_have_count(0)
    page.get_by_role("button", name="Hand in my sheet").click()
    expect(page.get_by_role("status")).to_contain_text("Your sheet has been recorded.")

    # --- 6. Nothing is waiting any more ----------------------------------------------------------
    go_home(page)
    expect(page.get_by_role("region", name="Waiting for you")).to_contain_text(
        "You have done everything waiting for you.")
    expect(waiting_items(page)).to_have_count(0)
    expect(done_items(page)).to_have_count(1)
    shot(page, "home-nothing-left")
    fits_a_phone(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    shot(page, "home-nothing-left-desktop")
    assert browser_console_errors == []
