"""An elderly resident's phone (360×740): the header leaves the screen to the page, and every task
from the home page takes few taps, counted.

Every tap of these journeys goes through ``Taps``, which clicks and counts; each journey starts on
the home page and fails when it needs more taps than its limit. Typing is not a tap, and none of
these journeys types anything. Screenshots at 360 px and at 200 % text are saved under
test-artifacts/screenshots/<test name>/.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import Locator, Page, expect

from decisions import services
from decisions.models import Ballot
from members.models import Notification
from members.notifications import notify
from tests.decisions.factories import close_count_publish, make_open_ballot
from tests.deliberation.party_factories import make_consultation
from tests.factories import make_organizer

PHONE = {"width": 360, "height": 740}
# At most about 15 % of the first screen.
HEADER_MAX_PX = 111

# The header's boxes: the bar, and each item in it (the site's name, Home, Notifications, Menu).
HEADER_BOXES_JS = """() => {
  const box = el => { const r = el.getBoundingClientRect();
                      return {text: el.textContent.trim(), x: r.x, y: r.y, w: r.width, h: r.height}; };
  const header = document.querySelector('.site-header');
  return {header: box(header),
          items: [...header.querySelectorAll('.topbar > a, .topbar > details > summary')].map(box)};
}"""


class Taps:
    """Clicks (a link, a button, an option) and counts them."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, locator: Locator) -> None:
        locator.click()
        self.count += 1


def double_text(page: Page) -> None:
    """200 % text: the root font size doubled (the style sheet's base is 112.5 %). Set through the
    CSS object model, which the Content-Security-Policy allows, unlike an inline style."""
    page.evaluate("document.documentElement.style.fontSize = '225%'")


def assert_header_fits(page: Page) -> dict:
    boxes = page.evaluate(HEADER_BOXES_JS)
    header, items = boxes["header"], boxes["items"]
    assert header["h"] <= HEADER_MAX_PX, boxes
    assert len(items) == 4, items
    for item in items:
        assert item["h"] >= 44 and item["x"] >= 0 and item["x"] + item["w"] <= PHONE["width"] + 0.5, item
    for i, a in enumerate(items):
        for b in items[i + 1:]:
            overlap_x = min(a["x"] + a["w"], b["x"] + b["w"]) - max(a["x"], b["x"])
            overlap_y = min(a["y"] + a["h"], b["y"] + b["h"]) - max(a["y"], b["y"])
            assert overlap_x <= 0.5 or overlap_y <= 0.5, (a, b)
    assert_fits_the_width(page)
    return boxes


def assert_fits_the_width(page: Page) -> None:
    wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
      .filter(el => el.checkVisibility() && el.getBoundingClientRect().right > window.innerWidth + 0.5)
      .map(el => el.tagName + '.' + el.className + ': ' + el.textContent.trim().slice(0, 30))""")
    assert wide == [], wide


@pytest.fixture
def voter_with_ballot():
    ballot, organizer, voters = make_open_ballot(n=3)
    notify(users=[voters[0]], kind=Notification.Kind.ANNOUNCEMENT, title="听证会下周举行")
    return ballot, organizer, voters[0]


def header_and_pages_fit(page: Page, login_as, shot, ballot, voter, menu_name: str, sign_out: str) -> None:
    login_as(voter)
    page.set_viewport_size(PHONE)
    for label, text_size in (("100", None), ("200", double_text)):
        page.goto(reverse("home"))
        if text_size:
            text_size(page)
        shot(page, f"home-{label}-percent")
        page.locator(".site-header").screenshot(path=str(shot(page, f"header-{label}-percent-page").with_name(
            f"header-{label}-percent.png")))
        assert_header_fits(page)
        page.goto(ballot.get_absolute_url())
        if text_size:
            text_size(page)
        shot(page, f"ballot-{label}-percent")
        assert_header_fits(page)
    # The menu opens over the page, sign-out inside it.
    page.get_by_role("navigation").locator("summary", has_text=menu_name).click()
    expect(page.get_by_role("button", name=sign_out)).to_be_visible()
    shot(page, "menu-open-200-percent")
    page.locator(".menu-panel").screenshot(path=str(shot(page, "menu-open-page").with_name("menu-open-panel.png")))
    assert_fits_the_width(page)


@pytest.mark.browser_context_args(locale="zh-CN")
def test_the_header_takes_little_of_a_phone_screen_at_100_and_200_percent_text(
        page: Page, voter_with_ballot, login_as, shot, browser_console_errors):
    ballot, _organizer, voter = voter_with_ballot
    header_and_pages_fit(page, login_as, shot, ballot, voter, "菜单", "退出登录")
    assert browser_console_errors == []


def test_the_header_fits_in_english_too(page: Page, voter_with_ballot, login_as, shot):
    ballot, _organizer, voter = voter_with_ballot
    header_and_pages_fit(page, login_as, shot, ballot, voter, "Menu", "Sign out")


def test_voting_and_changing_the_vote_take_three_taps_each_from_home(page: Page, voter_with_ballot, login_as, shot):
    ballot, _organizer, voter = voter_with_ballot
    login_as(voter)
    page.set_viewport_size(PHONE)

    page.goto(reverse("home"))
    tap = Taps()
    item = page.get_by_role("region", name="Waiting for you").get_by_role("listitem").filter(has_text=ballot.title)
    tap(item.get_by_role("link", name="Vote"))
    shot(page, "ballot-options")
    tap(page.get_by_role("button", name="同意", exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your vote")
    expect(page.locator("dd.chosen")).to_have_text("同意")
    shot(page, "check-before-sealing")
    tap(page.get_by_role("button", name="Confirm my vote"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your receipt")
    assert tap.count <= 3, tap.count

    # The voted ballot stays on the home page, "voted · can be changed", with a direct button.
    page.goto(reverse("home"))
    item = page.get_by_role("region", name="Waiting for you").get_by_role("listitem").filter(has_text=ballot.title)
    expect(item).to_contain_text("Voted · can be changed")
    shot(page, "home-voted-changeable")
    tap = Taps()
    tap(item.get_by_role("link", name="Change my vote"))
    tap(page.get_by_role("button", name="反对", exact=True))
    expect(page.locator("dd.chosen")).to_have_text("反对")
    expect(page.get_by_text("This vote replaces your earlier one")).to_be_visible()
    tap(page.get_by_role("button", name="Confirm my vote"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your receipt")
    assert tap.count <= 3, tap.count
    assert ballot.participations.get(version=2).user == voter


def test_a_receipt_is_checked_by_tapping_it_in_my_ballots(page: Page, voter_with_ballot, login_as, shot):
    ballot, organizer, voter = voter_with_ballot
    participation = services.vote_cast(ballot=ballot, voter=voter, choices={
        ballot.questions.get().pk: [ballot.questions.get().options.get(meaning="yes").pk]})
    close_count_publish(ballot, organizer)
    login_as(voter)
    page.set_viewport_size(PHONE)
    page.goto(reverse("home"))
    tap = Taps()
    tap(page.get_by_role("navigation", name="Main").locator("summary"))
    tap(page.get_by_role("link", name="My ballots"))
    tap(page.get_by_role("link", name=f"Check receipt {participation.receipt}"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Check a receipt")
    expect(page.get_by_label("Receipt code")).to_have_value(participation.receipt)
    expect(page.locator(".answer-ok")).to_contain_text("counted")
    shot(page, "receipt-checked")
    assert tap.count <= 3, tap.count


def test_a_floor_consultation_is_answered_in_three_taps_from_home(page: Page, login_as, shot):
    consultation, _leader, residents = make_consultation()
    login_as(residents[0])
    page.set_viewport_size(PHONE)
    page.goto(reverse("home"))
    tap = Taps()
    item = page.get_by_role("region", name="Waiting for you").get_by_role("listitem").filter(
        has_text=consultation.title)
    tap(item.get_by_role("link", name="Give your household's opinion"))
    shot(page, "answer-form")
    tap(page.get_by_label("同意", exact=True))
    tap(page.get_by_role("button", name="Give our opinion"))
    expect(page.get_by_role("status")).to_contain_text("Your household's opinion was recorded.")
    assert tap.count <= 3, tap.count


def test_an_organizer_opens_the_menu_and_reaches_the_floor_consultations(page: Page, voter_with_ballot, login_as,
                                                                        shot):
    ballot, _organizer, _voter = voter_with_ballot
    organizer = make_organizer(ballot.committee)
    login_as(organizer)
    page.set_viewport_size(PHONE)
    page.goto(reverse("home"))
    menu = page.get_by_role("navigation", name="Main")
    expect(menu.get_by_role("link", name="Floor consultations")).to_be_hidden()
    menu.locator("summary").click()
    shot(page, "organizer-menu")
    for name in ("My household", "My ballots", "Hearings", "Coordination", f"Manage {ballot.committee.name}"):
        expect(menu.get_by_role("link", name=name)).to_be_visible()
    expect(menu.get_by_role("link", name="Party agenda")).to_have_count(0)
    boxes = [link.bounding_box() for link in menu.locator(".menu-list a").all()]
    assert all(box["height"] >= 44 and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] for box in boxes)
    menu.get_by_role("link", name="Floor consultations").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.url.rstrip("/").endswith(str(ballot.building_id)) or "/floors/" in page.url
    # Escape closes the menu (static/js/menu.js).
    menu.locator("summary").click()
    page.keyboard.press("Escape")
    expect(menu.get_by_role("link", name="My ballots")).to_be_hidden()
    assert Ballot.objects.filter(pk=ballot.pk).exists()
