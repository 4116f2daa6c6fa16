"""Signing in with WeChat, in WeChat's own browser on a phone, and unlinking it again.

Read it as a story. 赵阿姨 was imported from the committee's roster: she has an account with her
mobile number but has never signed in. A neighbour shares a link in the building's WeChat group;
she opens it inside WeChat, taps "微信登录", allows it in WeChat, gives her mobile number, types the
code from the SMS and lands on her home page, signed in. The next time one tap is enough. Later, on
"我的微信", she unlinks her WeChat. Another time, on her phone's ordinary browser, she refuses the
sign-in in WeChat and ends on a page that says so plainly.

WeChat's servers are the local fake of tests/members/wechat_fake.py: the site sends the browser to
its authorisation page (settings.WECHAT_OPEN_URL), which sends it straight back to the site's
callback with a code, as WeChat does once the person allows it. The pages are in Chinese, as
WeChat's browser asks for them, on a 360-px phone (the common Android width). A screenshot is
saved after each step in test-artifacts/screenshots/<test name>/.
"""

import copy
import re

import pytest
from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.test import override_settings
from playwright.sync_api import Page, expect

from members import services as member_services
from members.models import User
from tests.e2e.menu import open_menu
from tests.factories import make_building, make_committee, make_compound, make_household, make_user
from tests.members.test_wechat_login import IN_WECHAT, wechat_apps
from tests.members.wechat_fake import FakeWeChat

PHONE_TYPED, PHONE_E164 = "139 0000 0777", "+8613900000777"
OPENID, NICKNAME = "o-zhao-mp", "阳光灿烂"
# Chrome on an Android phone, outside WeChat: the site uses the Open Platform's QR-code app.
PHONE_BROWSER = ("Mozilla/5.0 (Linux; Android 13; M2102J2SC) AppleWebKit/537.36 (KHTML, like Gecko) "
                 "Chrome/124.0 Mobile Safari/537.36")
SMALL_PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True, "locale": "zh-CN"}


@pytest.fixture
def wechat(live_server):
    """The fake WeChat, and the site's two WeChat apps pointed at it (the live server reads these settings).

    The Content-Security-Policy lets forms lead to WeChat's origin (the redirect after "微信登录"):
    here the fake's, as config/settings.py derives it from WECHAT_OPEN_URL.
    """
    with FakeWeChat() as fake:
        csp = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
        csp["DIRECTIVES"]["form-action"] = ["'self'", fake.url]
        with override_settings(WECHAT_OPEN_URL=fake.url, WECHAT_API_URL=fake.url, CONTENT_SECURITY_POLICY=csp,
                               SOCIALACCOUNT_PROVIDERS=wechat_apps()):
            yield fake


@pytest.fixture
def zhao():
    """赵阿姨, imported from the roster of 延长新村 2号楼 301: an account with her number, never signed in."""
    committee = make_committee(name="延长居民区")
    building = make_building(make_compound(committee, name="延长新村"), name="2号楼")
    zhao = make_user(name="赵阿姨", phone=PHONE_E164, password=None)
    User.objects.filter(pk=zhao.pk).update(phone_verified=False)
    member_services.membership_ensure_verified(user=zhao, household=make_household(building, door_number="301"),
                                               by=None)
    return zhao


def at(path: str) -> re.Pattern:
    """The page's address, whatever fragment it kept: a browser keeps "#wechat_redirect" of the link to
    WeChat through the redirects back, as WeChat's redirect to the site has no fragment of its own."""
    return re.compile(re.escape(path) + "(#.*)?$")


def main_nav(page: Page):
    return page.get_by_role("navigation", name="主导航")


def fits_the_phone(page: Page) -> None:
    """Nothing scrolls sideways at 360 px, and every button, link-button and text box is a thumb-size target."""
    assert page.evaluate("document.documentElement.scrollWidth") <= page.evaluate("window.innerWidth") == 360
    small = page.evaluate("""() => [...document.querySelectorAll('main .btn, main button, main input')]
        .filter(el => !['hidden', 'checkbox', 'radio'].includes(el.type) && el.offsetParent !== null)
        .map(el => [el.textContent.trim() || el.name, el.getBoundingClientRect().height])
        .filter(([, height]) => height < 44)""")
    assert small == [], f"touch targets under 44 px: {small}"


@pytest.mark.browser_context_args(user_agent=IN_WECHAT, **SMALL_PHONE)
def test_inside_wechat_a_resident_signs_in_proves_her_phone_and_later_unlinks_wechat(
        page: Page, wechat, zhao, shot, sms_code, sms_outbox, browser_console_errors):
    wechat.will_allow(openid=OPENID, nickname=NICKNAME)

    # --- 1. Inside WeChat she opens the sign-in page and taps "微信登录" ---------------------------
    page.goto("/accounts/login/")
    button = page.get_by_role("button", name="微信登录")
    expect(button).to_be_visible()
    shot(page, "login-in-wechat")
    fits_the_phone(page)
    button.click()

    # WeChat confirmed her (the fake allowed it at once); the site asks for her mobile number.
    expect(page).to_have_url(at("/accounts/weixin/phone/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("验证手机号码")
    assert wechat.calls == ["/connect/oauth2/authorize", "/sns/oauth2/access_token", "/sns/userinfo"]
    assert not SocialAccount.objects.exists()  # nothing is linked before the code
    shot(page, "wechat-asks-for-the-phone")
    fits_the_phone(page)

    # --- 2. Her number, then the code from the SMS -----------------------------------------
    page.get_by_label("您的手机号码").press_sequentially(PHONE_TYPED)
    page.get_by_role("button", name="发送验证码").click()
    expect(page).to_have_url(at("/accounts/weixin/phone/code/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("输入验证码")
    expect(page.get_by_role("main")).to_contain_text("139 0000 0777")
    shot(page, "wechat-code")
    fits_the_phone(page)
    page.get_by_label("短信中的验证码").fill(sms_code(PHONE_E164))
    page.get_by_role("button", name="确认", exact=True).click()

    # Signed in, on her home page, told that WeChat is linked.
    expect(page.get_by_role("heading", level=1)).to_have_text("赵阿姨，您好")
    expect(page.get_by_role("status")).to_contain_text("您的微信已绑定到账号。下次点一下就能登录。")
    expect(open_menu(page).get_by_role("button", name="退出登录")).to_be_visible()
    shot(page, "home-signed-in-by-wechat")
    fits_the_phone(page)
    identity = SocialAccount.objects.get()
    assert (identity.user, identity.provider, identity.uid) == (zhao, "weixin_mp", OPENID)
    zhao.refresh_from_db()
    assert zhao.phone_verified

    # --- 3. Next time, one tap: no phone, no SMS ------------------------------------------
    open_menu(page).get_by_role("button", name="退出登录").click()
    expect(main_nav(page).get_by_role("link", name="登录")).to_be_visible()
    main_nav(page).get_by_role("link", name="登录").click()
    page.get_by_role("button", name="微信登录").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("赵阿姨，您好")
    assert [sms["template"] for sms in sms_outbox] == ["verify"]  # the first code only
    shot(page, "home-one-tap-again")

    # --- 4. "我家" → "我的微信": her WeChat, and unlinking it -------------------------------------
    open_menu(page).get_by_role("link", name="我家").click()
    page.get_by_role("main").get_by_role("link", name="我的微信").click()
    expect(page).to_have_url(at("/me/wechat/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("我的微信")
    card = page.get_by_role("main").get_by_role("listitem").filter(has_text="微信（公众号）")
    expect(card).to_contain_text(NICKNAME)
    expect(card).to_contain_text(re.compile(r"绑定于 \d{4}-\d{2}-\d{2}。"))
    shot(page, "my-wechat-linked")
    fits_the_phone(page)
    card.get_by_role("link", name="解绑").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("解绑微信")
    expect(page.get_by_role("link", name="取消")).to_be_visible()
    assert SocialAccount.objects.exists()  # the confirmation page changes nothing
    shot(page, "unlink-confirm")
    fits_the_phone(page)
    page.get_by_role("main").get_by_role("button", name="解绑").click()

    expect(page).to_have_url(at("/me/wechat/"))
    expect(page.get_by_role("status")).to_contain_text("微信已解绑。您可以用手机号码登录。")
    expect(page.get_by_role("main")).to_contain_text("您的账号还没有绑定微信。")
    expect(page.get_by_role("button", name="绑定微信")).to_be_visible()  # inside WeChat, with a proven phone
    shot(page, "my-wechat-unlinked")
    fits_the_phone(page)
    assert not SocialAccount.objects.exists()
    assert browser_console_errors == []


@pytest.mark.browser_context_args(user_agent=PHONE_BROWSER, **SMALL_PHONE)
def test_a_refused_wechat_authorisation_ends_on_a_friendly_page(page: Page, wechat, zhao, shot,
                                                                 browser_console_errors):
    wechat.will_refuse()  # she taps 拒绝 in WeChat: WeChat sends her back with the state only

    page.goto("/accounts/login/")
    page.get_by_role("button", name="微信登录").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("微信登录没有成功")
    expect(page.get_by_role("main")).to_contain_text("微信没有确认您的身份")
    expect(page.get_by_role("main")).to_contain_text("在微信里没有允许登录")  # says what she did
    assert wechat.calls == ["/connect/qrconnect"]  # a phone's ordinary browser: the Open Platform app
    shot(page, "wechat-refused")
    fits_the_phone(page)
    expect(page.get_by_role("link", name="用短信验证码登录")).to_be_visible()
    expect(main_nav(page).get_by_role("link", name="登录")).to_be_visible()  # not signed in
    assert not SocialAccount.objects.exists()

    # "Try again" leads back to the sign-in page with its WeChat button.
    page.get_by_role("link", name="再试一次").click()
    expect(page).to_have_url(at("/accounts/login/"))
    expect(page.get_by_role("button", name="微信登录")).to_be_visible()
    # The friendly page is answered with allauth's 401, which the browser logs; nothing else.
    assert [e for e in browser_console_errors if "401" not in e] == []

