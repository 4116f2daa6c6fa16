"""The first journey: a new resident signs up, joins a household, and an organizer verifies them.

Read it as a story. Each step is what a person does on a phone; a screenshot is saved after
each step in test-artifacts/screenshots/<test name>/. The journey runs in English (the browser
asks for en-US) so the locators do not depend on the Chinese translations; the last test checks
that a Chinese browser gets the Chinese site.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from members.models import Membership, User
from tests.e2e.menu import open_menu
from tests.factories import (
    make_building,
    make_committee,
    make_compound,
    make_household,
    make_organizer,
    make_street,
    make_user,
)

RESIDENT_NAME = "李华"
RESIDENT_PHONE_TYPED = "139 1234 5678"  # as a person types it at sign-up
RESIDENT_PHONE_LOGIN = "13912345678"  # as a person types it when signing in again
RESIDENT_PHONE_E164 = "+8613912345678"  # as it is stored and as the SMS is addressed
RESIDENT_PASSWORD = "Yanchang-201-spring"
ORGANIZER_USERNAME = "organizer-wang"
ORGANIZER_PASSWORD = "Juweihui-2025-desk"


@pytest.fixture
def neighbourhood():
    """延长居民区 with one compound, one building and three doors, and its organizer."""
    committee = make_committee(make_street("静安区 大宁路街道"), name="延长居民区")
    compound = make_compound(committee, name="延长新村")
    building = make_building(compound, name="3号楼")
    for door in ("101", "102", "201"):
        make_household(building, door_number=door)
    organizer = make_organizer(committee, user=make_user(
        name="王主任", username=ORGANIZER_USERNAME, password=ORGANIZER_PASSWORD))
    return {"committee": committee, "organizer": organizer}


def main_nav(page: Page):
    return page.get_by_role("navigation", name="Main")


def test_new_resident_signs_up_joins_a_household_and_is_verified_by_the_organizer(
        page: Page, neighbourhood, shot, sms_code, browser_console_errors):
    committee, organizer = neighbourhood["committee"], neighbourhood["organizer"]

    # (a) A new resident opens the home page and signs up with their phone.
    page.goto("/")
    shot(page, "home-signed-out")
    page.get_by_role("link", name="Sign up with your phone").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Sign up", re.I))
    page.get_by_label("Your name").fill(RESIDENT_NAME)
    page.get_by_label("Phone").press_sequentially(RESIDENT_PHONE_TYPED)
    page.get_by_label(re.compile(r"^Password:?$")).fill(RESIDENT_PASSWORD)
    page.get_by_label(re.compile(r"^Password \(again\):?$")).fill(RESIDENT_PASSWORD)
    shot(page, "signup-filled")
    page.get_by_role("button", name=re.compile("Sign up", re.I)).click()

    # (b) The site texts a 6-digit code; the resident types it on the verification page.
    expect(page).to_have_url("/accounts/phone/verify/")
    shot(page, "phone-verify")
    page.get_by_label("Code").fill(sms_code(RESIDENT_PHONE_E164))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {RESIDENT_NAME}")
    shot(page, "home-signed-in")

    # (c) From the home page: join a household — committee, compound, building, door number.
    page.get_by_role("main").get_by_role("link", name="Join a household").click()
    shot(page, "join-1-committee")
    page.get_by_role("link", name="延长居民区").click()
    shot(page, "join-2-compound")
    page.get_by_role("link", name="延长新村").click()
    shot(page, "join-3-building")
    page.get_by_role("link", name="3号楼").click()
    page.get_by_label("Door number").select_option(label="201")
    shot(page, "join-4-door")
    page.get_by_role("button", name="Ask to join").click()

    # The request now waits for the committee; "My household" says so.
    expect(page).to_have_url("/me/memberships/")
    card = page.get_by_role("main").get_by_role("listitem").filter(has_text="延长新村 3号楼 201")
    expect(card).to_contain_text("pending")
    expect(card).to_contain_text("Your request is waiting for the committee.")
    shot(page, "my-household-pending")

    # (d) The resident signs out; the organizer signs in with username and password.
    open_menu(page).get_by_role("button", name="Sign out").click()
    expect(main_nav(page).get_by_role("link", name="Sign in")).to_be_visible()
    main_nav(page).get_by_role("link", name="Sign in").click()
    page.get_by_label("Mobile phone or username").fill(ORGANIZER_USERNAME)
    page.get_by_label("Password").fill(ORGANIZER_PASSWORD)
    shot(page, "organizer-login")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, 王主任")
    shot(page, "organizer-home")

    # The organizer opens the committee's requests to join and reviews the new one.
    page.get_by_role("main").get_by_role("link", name="延长居民区").click()
    page.get_by_role("link", name="Requests to join").click()
    row = page.get_by_role("row").filter(has_text=RESIDENT_NAME)
    expect(row).to_contain_text("延长新村 3号楼 201")
    shot(page, "organizer-requests")
    row.get_by_role("link", name="Review").click()
    expect(page.get_by_role("main")).to_contain_text("139 1234 5678")
    shot(page, "organizer-review")
    page.get_by_role("button", name="Approve: this person lives here").click()
    expect(page.get_by_role("status")).to_contain_text(f"{RESIDENT_NAME} is now a verified resident")
    expect(page.get_by_role("main")).to_contain_text("No requests are waiting.")
    shot(page, "organizer-approved")
    open_menu(page).get_by_role("button", name="Sign out").click()

    # (e) The resident signs in again with phone and password and sees the verified membership.
    main_nav(page).get_by_role("link", name="Sign in").click()
    page.get_by_label("Mobile phone or username").press_sequentially(RESIDENT_PHONE_LOGIN)
    page.get_by_label("Password").fill(RESIDENT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {RESIDENT_NAME}")
    shot(page, "resident-home-verified")
    open_menu(page).get_by_role("link", name="My household").click()
    card = page.get_by_role("main").get_by_role("listitem").filter(has_text="延长新村 3号楼 201")
    expect(card).to_contain_text("verified")
    expect(card).to_contain_text("Verified on")
    shot(page, "my-household-verified")

    # The database agrees: one membership, verified, decided by the organizer.
    resident = User.objects.get(phone=RESIDENT_PHONE_E164)
    assert resident.full_name == RESIDENT_NAME
    assert resident.phone_verified
    membership = Membership.objects.get(user=resident)
    assert membership.status == Membership.Status.VERIFIED
    assert membership.decided_by == organizer
    assert membership.household.door_number == "201"
    assert membership.household.building.compound.committee == committee
    # No JavaScript errors and no Content-Security-Policy violations on the way.
    assert browser_console_errors == []


@pytest.mark.browser_context_args(locale="zh-CN")
def test_a_chinese_browser_gets_the_home_page_in_simplified_chinese(page: Page, shot):
    response = page.goto("/")
    # Django's LocaleMiddleware read Accept-Language: zh-CN and answered in Simplified Chinese.
    assert response.headers["content-language"] == "zh-hans"
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("select[name=language]")).to_have_value("zh-hans")
    shot(page, "home-zh")


def test_an_organizer_without_a_phone_can_sign_in_by_username(page: Page, shot):
    committee = make_committee(name="延长居民区")
    make_organizer(committee, user=make_user(name="王主任", username=ORGANIZER_USERNAME,
                                             password=ORGANIZER_PASSWORD, phone=None))
    page.goto("/accounts/login/")
    page.get_by_label("Mobile phone or username").fill(ORGANIZER_USERNAME)
    page.get_by_label("Password").fill(ORGANIZER_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    shot(page, "after-sign-in")
    # Today: back on an empty sign-in form, with no message saying why.
    assert page.get_by_role("heading", level=1).inner_text() == "Hello, 王主任"
