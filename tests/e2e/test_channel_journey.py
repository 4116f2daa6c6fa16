"""How a resident chooses to be told: by SMS instead of e-mail, and the next ballot comes by SMS.

Read it as a story. 钱阿姨 lives in 延长新村 5号楼 102 and represents her household. The committee
has her mobile number and her daughter's e-mail address, so until now the copies of her
notifications went by e-mail, which she never reads. On her phone she opens "我家" → "通知方式",
chooses "发短信到我的手机" and saves. When the organizer opens the next ballot of her building, the
SMS goes to her phone, no e-mail goes out, and the site's notification list shows the same notice.
The pages are in Chinese on a 360-px phone (the common Android width); a screenshot is saved after
each step in test-artifacts/screenshots/<test name>/.
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from decisions import services
from decisions.models import Ballot
from members import services as member_services
from members.messaging.models import ContactChoice
from members.models import Notification
from tests.e2e.menu import open_menu
from tests.factories import make_building, make_committee, make_compound, make_household, make_organizer, make_user

PHONE_E164, EMAIL = "+8613900000888", "qian.daughter@example.org"
TITLE = "5号楼电动车充电桩安装"
SMALL_PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True, "locale": "zh-CN"}


@pytest.fixture
def building_5():
    committee = make_committee(name="延长居民区")
    building = make_building(make_compound(committee, name="延长新村"), name="5号楼")
    organizer = make_organizer(committee, user=make_user(name="王主任"))
    qian = make_user(name="钱阿姨", phone=PHONE_E164, email=EMAIL)
    membership = member_services.membership_ensure_verified(
        user=qian, household=make_household(building, door_number="102"), by=None)
    member_services.membership_set_representative(membership=membership, by=None)
    return {"committee": committee, "building": building, "organizer": organizer, "qian": qian}


def main_nav(page: Page):
    return page.get_by_role("navigation", name="主导航")


def fits_the_phone(page: Page) -> None:
    """Nothing scrolls sideways at 360 px, and every button and choice is a thumb-size target."""
    assert page.evaluate("document.documentElement.scrollWidth") <= page.evaluate("window.innerWidth") == 360
    small = page.evaluate("""() => [...document.querySelectorAll('main .btn, main button, main label.check')]
        .filter(el => el.offsetParent !== null)
        .map(el => [el.textContent.trim(), el.getBoundingClientRect().height])
        .filter(([, height]) => height < 44)""")
    assert small == [], f"touch targets under 44 px: {small}"


@pytest.mark.browser_context_args(**SMALL_PHONE)
def test_a_resident_chooses_sms_and_the_next_ballot_reaches_her_phone(
        page: Page, building_5, login_as, shot, sms_outbox, browser_console_errors):
    qian, organizer = building_5["qian"], building_5["organizer"]
    login_as(qian)

    # --- 1. "我家" → "通知方式": e-mail is chosen for her, as she has an address ------------------
    page.goto("/")
    open_menu(page).get_by_role("link", name="我家").click()
    shot(page, "my-household")
    page.get_by_role("main").get_by_role("link", name="通知方式").click()
    expect(page).to_have_url("/me/notifications/channel/")
    expect(page.get_by_role("heading", level=1)).to_have_text("通知方式")
    choices = page.get_by_role("group", name="通过以下方式通知我").get_by_role("radio")
    expect(choices).to_have_count(3)
    sms, email = page.get_by_label("发短信到我的手机"), page.get_by_label("电子邮件")
    expect(email).to_be_checked()
    expect(page.get_by_label("只在本网站上")).not_to_be_checked()
    shot(page, "channel-email-by-default")
    fits_the_phone(page)

    # --- 2. She chooses SMS and saves -------------------------------------------------------
    sms.check()
    expect(sms).to_be_checked()
    shot(page, "channel-sms-chosen")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("status")).to_contain_text("今后将按此方式通知您。")
    expect(page.get_by_label("发短信到我的手机")).to_be_checked()
    expect(page.get_by_label("电子邮件")).not_to_be_checked()
    shot(page, "channel-sms-saved")
    fits_the_phone(page)
    assert ContactChoice.objects.get(user=qian).channel == "sms"

    # --- 3. The organizer opens a ballot of her building -----------------------------------------
    assert sms_outbox == [] and mail.outbox == []
    ballot = services.ballot_create(committee=building_5["committee"], by=organizer, title=TITLE,
                                    closes_at=timezone.now() + timedelta(days=7),
                                    electorate=Ballot.Electorate.HOUSEHOLDS, building=building_5["building"])
    services.ballot_open(ballot=ballot, by=organizer)

    # The copy went by SMS to her phone (the "notice" template), and by nothing else.
    (text,) = sms_outbox
    assert (text["phone"], text["template"], text["params"]) == (PHONE_E164, "notice", [f"表决已开始：{TITLE}"])
    assert text["message"] == f"三会通知：表决已开始：{TITLE}。请登录三会查看。"
    assert mail.outbox == []

    # --- 4. The site's own list has the same notice ---------------------------------------------
    page.reload()
    notifications_link = main_nav(page).get_by_role("link", name="通知")
    expect(notifications_link).to_contain_text("1")  # one unread
    notifications_link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("通知")
    cards = page.locator(".notification")
    expect(cards).to_have_count(1)
    expect(cards.first.get_by_role("heading")).to_have_text(f"表决已开始：{TITLE}")
    expect(cards.first).to_contain_text("延长居民区请您投票")
    expect(page.locator(".notification.unread")).to_have_count(1)
    shot(page, "notifications-the-same-notice")
    fits_the_phone(page)
    assert Notification.objects.filter(user=qian, kind=Notification.Kind.OPENING).count() == 1

    # She opens it and lands on the ballot.
    cards.first.get_by_role("button", name="查看").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    shot(page, "ballot-from-the-notice")
    assert browser_console_errors == []
