"""The resident's home page journey: what is waiting, a notification, and turning a kind off.

Read it as a story. 赵阿姨 lives in 延长新村 2号楼. Two ballots of her building are open: the
corridor clean-up closes tomorrow morning, the bicycle shed next week; the committee's scheduled
job has reminded everyone who has not voted on the first. She signs in on her phone, sees both
waiting on her home page (the one closing first on top), follows the first and votes, comes back
to find only one left, reads her notifications (the ballot she opened is read already), and turns
reminders off.
A screenshot is saved after each step in test-artifacts/screenshots/<test name>/.
"""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import Page, expect

from decisions import services
from decisions.models import Ballot
from members import services as member_services
from members.models import Notification, NotificationOptOut
from tests.factories import (
    make_building,
    make_committee,
    make_compound,
    make_household,
    make_organizer,
    make_resident,
    make_user,
)

PHONE, PASSWORD = "13900000888", "Yanchang-2hao-lou"
SOON, LATER = "2号楼楼道堆物清理", "2号楼自行车棚改造"


@pytest.fixture
def building_2():
    committee = make_committee(name="延长居民区")
    building = make_building(make_compound(committee, name="延长新村"), name="2号楼")
    organizer = make_organizer(committee, user=make_user(name="王主任"))
    zhao = make_user(name="赵阿姨", phone=f"+86{PHONE}", password=PASSWORD)
    membership = member_services.membership_ensure_verified(
        user=zhao, household=make_household(building, door_number="301"), by=None)
    member_services.membership_set_representative(membership=membership, by=None)
    neighbour = make_user(name="钱师傅")
    member_services.membership_set_representative(membership=member_services.membership_ensure_verified(
        user=neighbour, household=make_household(building, door_number="302"), by=None), by=None)
    now = timezone.now()
    ballots = {}
    with time_machine.travel(now - timedelta(days=3), tick=False):   # both opened three days ago
        for title, closes in ((LATER, now + timedelta(days=7)), (SOON, now + timedelta(hours=15))):
            ballot = services.ballot_create(committee=committee, by=organizer, title=title, closes_at=closes,
                                            electorate=Ballot.Electorate.HOUSEHOLDS, building=building)
            ballots[title] = services.ballot_open(ballot=ballot, by=organizer)
    services.ballots_send_reminders()   # the scheduled job: SOON closes within 24 hours
    return {"zhao": zhao, "ballots": ballots}


def fits_a_phone(page: Page) -> None:
    """Nothing scrolls sideways at 390 px."""
    assert page.evaluate("document.documentElement.scrollWidth") <= page.evaluate("window.innerWidth") == 390


def main_nav(page: Page):
    return page.get_by_role("navigation", name="Main")


def test_a_resident_sees_what_is_waiting_follows_it_and_manages_notifications(
        page: Page, building_2, shot, browser_console_errors):
    zhao, ballots = building_2["zhao"], building_2["ballots"]

    # --- 1. She signs in with her phone number and sees what is waiting, soonest first ----------
    page.goto("/accounts/login/")
    page.get_by_label("Mobile phone or username").fill(PHONE)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, 赵阿姨")
    waiting = page.get_by_role("region", name="Waiting for you")
    expect(waiting).to_contain_text("2 things are waiting for you.")
    items = waiting.get_by_role("listitem")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_contain_text(SOON)
    expect(items.nth(0)).to_contain_text("延长新村 2号楼")
    expect(items.nth(1)).to_contain_text(LATER)
    # Two openings and one reminder: the count in the menu.
    expect(main_nav(page).get_by_role("link", name="Notifications")).to_contain_text("3")
    shot(page, "home-two-waiting")
    fits_a_phone(page)

    # --- 2. She follows the first one and votes --------------------------------------------
    items.nth(0).get_by_role("link", name="Vote").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(SOON)
    shot(page, "ballot-from-home")
    page.get_by_role("button", name="同意", exact=True).click()
    page.get_by_role("button", name="Confirm my vote").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your receipt")

    # Back home the other ballot waits on top; the one she voted on follows, changeable until it closes.
    main_nav(page).get_by_role("link", name="Home").click()
    waiting = page.get_by_role("region", name="Waiting for you")
    expect(waiting).to_contain_text("One thing is waiting for you.")
    items = waiting.get_by_role("listitem")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_contain_text(LATER)
    expect(items.nth(1)).to_contain_text(SOON)
    expect(items.nth(1)).to_contain_text("Voted · can be changed")
    shot(page, "home-one-left")
    fits_a_phone(page)

    # --- 3. Her notifications: one entry per ballot; the one she voted on is already read -------
    # Opening the ballot read both notifications about it (its opening and the reminder).
    main_nav(page).get_by_role("link", name="Notifications").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    cards = page.locator(".notification")
    expect(cards).to_have_count(2)
    expect(page.locator(".notification.unread")).to_have_count(1)
    expect(cards.first).to_contain_text(LATER)
    expect(cards.first).to_contain_text("1 new")
    voted = cards.filter(has_text=SOON)
    expect(voted).to_contain_text("2 notifications about this")
    expect(voted).to_contain_text("reminders before voting closes")
    shot(page, "notifications-one-unread")
    fits_a_phone(page)

    # She marks the bicycle shed's read without opening it, then opens it from the list.
    cards.first.get_by_role("button", name="Mark as read").click()
    expect(page.get_by_role("status")).to_contain_text("Marked as read.")
    expect(page.locator(".notification.unread")).to_have_count(0)
    expect(main_nav(page).get_by_role("link", name="Notifications")).to_have_text("Notifications")
    expect(page.get_by_role("button", name="Mark all as read")).to_have_count(0)
    page.locator(".notification").filter(has_text=LATER).get_by_role("button", name="Open").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(LATER)
    assert not Notification.objects.filter(user=zhao, read_at__isnull=True).exists()
    assert Notification.objects.get(user=zhao, url=ballots[LATER].get_absolute_url()).read_at is not None
    main_nav(page).get_by_role("link", name="Notifications").click()
    shot(page, "notifications-all-read")
    fits_a_phone(page)

    # --- 4. She turns reminders off --------------------------------------------------------
    page.get_by_role("link", name="Choose what you are told about").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notification settings")
    reminders = page.get_by_label("reminders before voting closes")
    expect(reminders).to_be_checked()
    reminders.uncheck()
    shot(page, "settings-reminders-off")
    fits_a_phone(page)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Your notification settings are saved.")
    expect(page.get_by_label("reminders before voting closes")).not_to_be_checked()
    expect(page.get_by_label("published results and outcomes")).to_be_checked()
    assert list(NotificationOptOut.objects.filter(user=zhao).values_list("kind", flat=True)) == ["reminder"]

    # The same pages on a wide screen.
    page.set_viewport_size({"width": 1280, "height": 900})
    main_nav(page).get_by_role("link", name="Home").click()
    shot(page, "home-desktop")
    assert browser_console_errors == []


@pytest.mark.browser_context_args(locale="zh-CN")
def test_the_home_page_and_notifications_in_chinese_on_a_phone(page: Page, building_2, login_as, shot):
    login_as(building_2["zhao"])
    page.goto("/")
    expect(page.get_by_role("region", name="等您办理")).to_contain_text("有 2 件事等您办理。")
    expect(page.get_by_role("link", name="去投票")).to_have_count(2)
    shot(page, "home-zh")
    fits_a_phone(page)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="通知").click()
    expect(page.locator(".notification").first).to_contain_text("投票将在24小时内截止：" + SOON)
    shot(page, "notifications-zh")
    fits_a_phone(page)
    page.goto("/me/notifications/settings/")
    shot(page, "settings-zh")
    fits_a_phone(page)


def test_nothing_waiting_is_said_plainly(page: Page, login_as, shot):
    login_as(make_resident(name="老居民"))
    page.goto("/")
    expect(page.locator(".empty-state")).to_contain_text("Nothing is waiting for you right now.")
    shot(page, "home-empty")
    fits_a_phone(page)


def test_a_newcomer_is_asked_first_to_join_a_household(page: Page, login_as, shot):
    login_as(make_user(name="新居民"))
    page.goto("/")
    waiting = page.get_by_role("region", name="Waiting for you")
    expect(waiting).to_contain_text("One thing is waiting for you.")
    waiting.get_by_role("link", name="Join a household").click()
    expect(page).to_have_url("/join/")
    shot(page, "join-from-home")
