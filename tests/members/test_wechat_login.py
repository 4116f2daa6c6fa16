"""WeChat sign-in, end to end: the real allauth code and the site's WeChat adapter, with WeChat's
servers answered by a local fake (tests/members/wechat_fake.py)."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.socialaccount.models import SocialAccount
from django.core.exceptions import ValidationError
from django.urls import reverse

from members.models import User
from members.wechat.services import wechat_sign_in_by_phone
from tests.factories import make_user
from tests.members.wechat_fake import MP_APP, OPEN_APP, FakeWeChat

pytestmark = pytest.mark.django_db

COMPUTER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"
IN_WECHAT = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
             "Mobile/15E148 MicroMessenger/8.0.49(0x18003130) NetType/WIFI Language/zh_CN")
OPEN_URL = "https://open.weixin.qq.com"


def wechat_apps(*, open_app=True, mp_app=True, mp_scope="snsapi_userinfo") -> dict:
    """SOCIALACCOUNT_PROVIDERS as config/settings.py builds it from the WECHAT_* variables."""
    apps = []
    if open_app:
        apps.append({"name": "WeChat website", "provider_id": "weixin_open", "client_id": OPEN_APP[0],
                     "secret": OPEN_APP[1]})
    if mp_app:
        apps.append({"name": "WeChat official account", "provider_id": "weixin_mp", "client_id": MP_APP[0],
                     "secret": MP_APP[1], "settings": {"scope": [mp_scope]}})
    return {"weixin": {"provider_class": "members.wechat.provider.WeChatProvider", "APPS": apps}}


@pytest.fixture(autouse=True)
def _sent_at_commit_time(monkeypatch):
    """The SMS code is read in the middle of a flow, but the outbox sends after commit and a test's
    transaction never commits: here, what waits for the commit runs at once."""
    from django.db import transaction

    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: func())


@pytest.fixture
def wechat(settings):
    with FakeWeChat() as fake:
        settings.WECHAT_API_URL = fake.url
        settings.WECHAT_OPEN_URL = OPEN_URL  # only the person's browser goes there, never the server
        settings.SOCIALACCOUNT_PROVIDERS = wechat_apps()
        yield fake


def start(client, user_agent: str, *, process: str = "login", next_url: str = ""):
    """Tap "Sign in with WeChat": the redirect to WeChat's authorisation page, parsed."""
    query = f"?process={process}" + (f"&next={next_url}" if next_url else "")
    response = client.post(reverse("weixin_login") + query, HTTP_USER_AGENT=user_agent)
    assert response.status_code == 302
    parts = urlsplit(response["Location"])
    return parts, {key: values[0] for key, values in parse_qs(parts.query).items()}


def come_back(client, user_agent: str, params: dict):
    """WeChat sends the browser back to the callback with the code (or without, when refused)."""
    return client.get(reverse("weixin_callback"), params, HTTP_USER_AGENT=user_agent)


def sign_in_at_wechat(client, fake, *, user_agent=IN_WECHAT, openid="o-resident-1", nickname="老王"):
    _parts, query = start(client, user_agent)
    code = fake.authorise(appid=query["appid"], openid=openid, scope=query["scope"], nickname=nickname)
    return come_back(client, user_agent, {"code": code, "state": query["state"]})


def prove_phone(client, sms_outbox, phone="13800001111"):
    response = client.post(reverse("wechat_phone"), {"phone": phone})
    assert response.status_code == 302 and response["Location"] == reverse("wechat_code")
    code = re.search(r"(\d{6})", sms_outbox[-1]["message"]).group(1)
    return client.post(reverse("wechat_code"), {"code": code})


def signed_in_user(client) -> User | None:
    pk = client.session.get("_auth_user_id")
    return User.objects.get(pk=pk) if pk else None


# --- The right WeChat application in each browser ---------------------------------------------

def test_a_computer_is_sent_to_the_open_platform_qr_code(client, wechat):
    parts, query = start(client, COMPUTER)

    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{OPEN_URL}/connect/qrconnect"
    assert query["appid"] == OPEN_APP[0] and query["scope"] == "snsapi_login"
    assert query["redirect_uri"] == "http://testserver" + reverse("weixin_callback")
    assert parts.fragment == "wechat_redirect"


def test_wechat_s_own_browser_is_sent_to_the_official_account_s_authorisation(client, wechat):
    parts, query = start(client, IN_WECHAT)

    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{OPEN_URL}/connect/oauth2/authorize"
    assert query["appid"] == MP_APP[0] and query["scope"] == "snsapi_userinfo"
    assert list(query) == ["appid", "redirect_uri", "response_type", "scope", "state"]  # WeChat's order
    assert parts.fragment == "wechat_redirect"


def test_the_content_security_policy_lets_the_wechat_buttons_lead_to_wechat(client, wechat):
    # Browsers hold the redirect after a form's POST to form-action: without WeChat's origin there,
    # "Sign in with WeChat" stays on the login page (seen in tests/e2e/test_wechat_journey.py).
    from django.conf import settings

    assert OPEN_URL in settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"]
    response = client.get(reverse("account_login"), HTTP_USER_AGENT=IN_WECHAT)
    assert f"form-action 'self' {OPEN_URL}" in response["Content-Security-Policy"]


def test_the_login_page_shows_the_wechat_button_only_where_its_app_is_configured(client, wechat, settings):
    response = client.get(reverse("account_login"), HTTP_USER_AGENT=COMPUTER)
    assert 'class="btn btn-large btn-wechat"' in response.content.decode()

    settings.SOCIALACCOUNT_PROVIDERS = wechat_apps(open_app=False)
    response = client.get(reverse("account_login"), HTTP_USER_AGENT=COMPUTER)
    assert "btn-wechat" not in response.content.decode()
    response = client.get(reverse("account_login"), HTTP_USER_AGENT=IN_WECHAT)
    assert "btn-wechat" in response.content.decode()


def test_without_the_app_this_browser_needs_wechat_sign_in_says_so_on_the_login_page(client, wechat, settings):
    settings.SOCIALACCOUNT_PROVIDERS = wechat_apps(open_app=False)

    response = client.post(reverse("weixin_login"), HTTP_USER_AGENT=COMPUTER, follow=True)

    assert response.redirect_chain[-1][0] == reverse("account_login")
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


def test_the_apps_can_be_socialapp_rows_instead_of_settings(client, wechat, settings):
    from allauth.socialaccount.models import SocialApp

    settings.SOCIALACCOUNT_PROVIDERS = wechat_apps(open_app=False, mp_app=False)
    SocialApp.objects.create(provider="weixin", provider_id="weixin_mp", name="MP", client_id=MP_APP[0],
                             secret=MP_APP[1], settings={"scope": ["snsapi_userinfo"]})

    response = sign_in_at_wechat(client, wechat)

    assert response.status_code == 302 and response["Location"] == reverse("wechat_phone")


# --- A first sign-in: the phone is proven by SMS before anything is linked ----------------------

def test_a_first_wechat_sign_in_links_the_account_whose_phone_is_proven_by_code(client, wechat, sms_outbox):
    resident = make_user(name="王建国", phone="+8613800001111", password=None)
    User.objects.filter(pk=resident.pk).update(phone_verified=False)  # imported from a roster, never signed in

    response = sign_in_at_wechat(client, wechat, openid="o-wang", nickname="老王")
    assert response["Location"] == reverse("wechat_phone")
    assert not SocialAccount.objects.exists() and signed_in_user(client) is None

    response = prove_phone(client, sms_outbox, "138 0000 1111")

    assert response.status_code == 302
    assert sms_outbox[-1]["phone"] == "+8613800001111" and len(sms_outbox) == 1
    account = SocialAccount.objects.get()
    assert (account.user, account.provider, account.uid) == (resident, "weixin_mp", "o-wang")
    assert account.extra_data["nickname"] == "老王"
    resident.refresh_from_db()
    assert resident.phone_verified and resident.full_name == "王建国"
    assert signed_in_user(client) == resident
    assert "wechat_pending" not in client.session


def test_a_first_wechat_sign_in_with_a_new_phone_makes_the_account_after_code_and_name(client, wechat, sms_outbox):
    sign_in_at_wechat(client, wechat, user_agent=COMPUTER, openid="o-li")

    response = prove_phone(client, sms_outbox, "13800002222")
    assert response["Location"] == reverse("wechat_name")
    assert not User.objects.exists() and not SocialAccount.objects.exists()

    response = client.post(reverse("wechat_name"), {"full_name": " 李梅 "})

    user = User.objects.get()
    assert (user.full_name, user.phone, user.phone_verified) == ("李梅", "+8613800002222", True)
    assert not user.has_usable_password()  # signs in by WeChat or by SMS code
    assert SocialAccount.objects.get().provider == "weixin_open"  # the Open Platform's identity, from the QR code
    assert signed_in_user(client) == user
    assert response.status_code == 302


def test_an_abandoned_wechat_sign_in_leaves_no_account_and_no_link(client, wechat, sms_outbox):
    sign_in_at_wechat(client, wechat)
    client.post(reverse("wechat_phone"), {"phone": "13800003333"})

    assert not User.objects.exists() and not SocialAccount.objects.exists()
    assert signed_in_user(client) is None
    # The name step cannot be reached before the code.
    response = client.post(reverse("wechat_name"), {"full_name": "Somebody"})
    assert response["Location"] == reverse("wechat_phone")
    assert not User.objects.exists()


def test_wrong_codes_link_nothing_and_the_fifth_needs_a_new_code(client, wechat, sms_outbox):
    make_user(phone="+8613800004444")
    sign_in_at_wechat(client, wechat)
    client.post(reverse("wechat_phone"), {"phone": "13800004444"})
    right = re.search(r"(\d{6})", sms_outbox[-1]["message"]).group(1)
    wrong = "000000" if right != "000000" else "111111"

    for _try in range(4):
        response = client.post(reverse("wechat_code"), {"code": wrong})
        assert response.status_code == 200
        assert response.context["form"].errors.as_data()["code"][0].code == "wrong_code"
    response = client.post(reverse("wechat_code"), {"code": wrong})
    assert response["Location"] == reverse("wechat_phone")
    response = client.post(reverse("wechat_code"), {"code": right})  # too late: that code is spent

    assert response["Location"] == reverse("wechat_phone")
    assert not SocialAccount.objects.exists() and signed_in_user(client) is None


def test_a_second_code_within_half_a_minute_is_refused_with_a_message(client, wechat, sms_outbox):
    sign_in_at_wechat(client, wechat)
    client.post(reverse("wechat_phone"), {"phone": "13800005555"})

    response = client.post(reverse("wechat_phone"), {"phone": "13800005555"})

    assert response.status_code == 200
    assert response.context["form"].errors.as_data()["phone"][0].code == "too_many_codes"
    assert len(sms_outbox) == 1


def test_the_phone_steps_without_a_wechat_sign_in_send_back_to_the_login_page(client):
    for name in ("wechat_phone", "wechat_code", "wechat_name"):
        response = client.post(reverse(name), {"phone": "13800006666", "code": "123456", "full_name": "X"})
        assert response["Location"] == reverse("account_login")


def test_a_linked_wechat_signs_in_at_once_without_sms(client, wechat, sms_outbox):
    resident = make_user(phone="+8613800007777")
    SocialAccount.objects.create(user=resident, provider="weixin_mp", uid="o-linked")

    response = sign_in_at_wechat(client, wechat, openid="o-linked")

    assert response.status_code == 302 and response["Location"] != reverse("wechat_phone")
    assert signed_in_user(client) == resident and sms_outbox == []


def test_after_sign_in_the_person_lands_where_they_were_going(client, wechat, sms_outbox):
    make_user(phone="+8613800008888")
    _parts, query = start(client, IN_WECHAT, next_url="/me/memberships/")
    code = wechat.authorise(appid=query["appid"], openid="o-next", scope=query["scope"])
    come_back(client, IN_WECHAT, {"code": code, "state": query["state"]})

    response = prove_phone(client, sms_outbox, "13800008888")

    assert response["Location"] == "/me/memberships/"


# --- WeChat's errors end on a friendly page ----------------------------------------------------

def test_a_code_wechat_refuses_ends_on_a_friendly_page(client, wechat):
    _parts, query = start(client, IN_WECHAT)

    response = come_back(client, IN_WECHAT, {"code": "not-a-code", "state": query["state"]})

    assert response.status_code == 401  # allauth's status for a failed third-party sign-in
    assert "socialaccount/authentication_error.html" in [t.name for t in response.templates]
    assert wechat.calls == ["/sns/oauth2/access_token"]  # WeChat answered 40029
    assert signed_in_user(client) is None and not SocialAccount.objects.exists()


def test_a_cancelled_authorisation_ends_on_a_friendly_page(client, wechat):
    _parts, query = start(client, COMPUTER)

    # Refused in WeChat: it comes back with the state only.
    response = come_back(client, COMPUTER, {"state": query["state"]})

    assert response.status_code == 401  # allauth's status for a failed third-party sign-in
    assert "socialaccount/authentication_error.html" in [t.name for t in response.templates]
    assert wechat.calls == [] and signed_in_user(client) is None


def test_a_profile_wechat_refuses_ends_on_a_friendly_page(client, wechat):
    wechat.next_userinfo_answers.append({"errcode": 40003, "errmsg": "invalid openid"})

    response = sign_in_at_wechat(client, wechat)

    assert response.status_code == 401  # allauth's status for a failed third-party sign-in
    assert "socialaccount/authentication_error.html" in [t.name for t in response.templates]
    assert wechat.calls == ["/sns/oauth2/access_token", "/sns/userinfo"]
    assert "wechat_pending" not in client.session


def test_a_wrong_app_secret_ends_on_a_friendly_page(client, wechat, settings):
    apps = wechat_apps()
    apps["weixin"]["APPS"][1]["secret"] = "not-the-secret"
    settings.SOCIALACCOUNT_PROVIDERS = apps

    response = sign_in_at_wechat(client, wechat)

    assert response.status_code == 401  # allauth's status for a failed third-party sign-in
    assert "socialaccount/authentication_error.html" in [t.name for t in response.templates]


def test_a_silent_authorisation_signs_in_with_the_openid_alone(client, wechat, settings, sms_outbox):
    settings.SOCIALACCOUNT_PROVIDERS = wechat_apps(mp_scope="snsapi_base")
    resident = make_user(phone="+8613800009999")
    _parts, query = start(client, IN_WECHAT)
    assert query["scope"] == "snsapi_base"
    code = wechat.authorise(appid=query["appid"], openid="o-silent", scope="snsapi_base")

    come_back(client, IN_WECHAT, {"code": code, "state": query["state"]})
    prove_phone(client, sms_outbox, "13800009999")

    assert "/sns/userinfo" not in wechat.calls  # WeChat refuses profiles to snsapi_base
    assert SocialAccount.objects.get(uid="o-silent").user == resident


# --- The service: one rule for linking ---------------------------------------------------------

def test_an_identity_linked_to_another_account_is_not_moved(db):
    owner, other = make_user(phone="+8613800000001"), make_user(phone="+8613800000002")
    SocialAccount.objects.create(user=owner, provider="weixin_open", uid="o-taken")

    with pytest.raises(ValidationError) as error:
        wechat_sign_in_by_phone(phone=other.phone, provider="weixin_open", uid="o-taken", extra_data={})

    assert error.value.code == "linked_elsewhere"
    assert SocialAccount.objects.get(uid="o-taken").user == owner


def test_a_new_phone_needs_a_name_and_nothing_else_is_accepted(db):
    with pytest.raises(ValidationError) as error:
        wechat_sign_in_by_phone(phone="+8613800000003", provider="weixin_open", uid="o-1", extra_data={},
                                full_name="  ")
    assert error.value.code == "name_required"
    with pytest.raises(ValidationError) as error:
        wechat_sign_in_by_phone(phone="+8613800000003", provider="github", uid="o-1", extra_data={}, full_name="A")
    assert error.value.code == "not_wechat"
    assert not User.objects.exists() and not SocialAccount.objects.exists()


def test_signing_in_again_with_the_same_phone_and_identity_changes_nothing(db):
    user, first = wechat_sign_in_by_phone(phone="+8613800000004", provider="weixin_open", uid="o-2", extra_data={},
                                          full_name="张三")
    again, second = wechat_sign_in_by_phone(phone="+8613800000004", provider="weixin_open", uid="o-2", extra_data={})

    assert (again, second) == (user, first) and SocialAccount.objects.count() == 1


# --- A person's own WeChat -------------------------------------------------------------------------

def test_a_person_sees_their_linked_wechat_and_unlinks_it(client, wechat):
    person = make_user(phone="+8613800000005")
    identity = SocialAccount.objects.create(user=person, provider="weixin_mp", uid="o-own",
                                            extra_data={"nickname": "小张"})
    client.force_login(person)

    page = client.get(reverse("members:wechat_account"))
    assert "小张" in page.content.decode()
    confirm = client.get(reverse("members:wechat_unlink", args=[identity.pk]))
    assert confirm.status_code == 200 and SocialAccount.objects.exists()
    response = client.post(reverse("members:wechat_unlink", args=[identity.pk]))

    assert response["Location"] == reverse("members:wechat_account")
    assert not SocialAccount.objects.exists()


def test_nobody_unlinks_another_person_s_wechat(client):
    owner, intruder = make_user(phone="+8613800000006"), make_user(phone="+8613800000007")
    identity = SocialAccount.objects.create(user=owner, provider="weixin_open", uid="o-owner")
    client.force_login(intruder)

    assert client.post(reverse("members:wechat_unlink", args=[identity.pk])).status_code == 404
    assert SocialAccount.objects.filter(pk=identity.pk).exists()


def test_a_signed_in_person_with_a_proven_phone_links_wechat_from_their_page(client, wechat, sms_outbox):
    person = make_user(phone="+8613800000008")
    client.force_login(person)

    _parts, query = start(client, IN_WECHAT, process="connect", next_url=reverse("members:wechat_account"))
    code = wechat.authorise(appid=query["appid"], openid="o-connect", scope=query["scope"])
    response = come_back(client, IN_WECHAT, {"code": code, "state": query["state"]})

    assert response.status_code == 302
    assert SocialAccount.objects.get(uid="o-connect").user == person and sms_outbox == []


def test_a_person_without_a_proven_phone_cannot_link_wechat(client, wechat):
    staff = make_user(phone=None, username="officer7")
    client.force_login(staff)

    _parts, query = start(client, COMPUTER, process="connect")
    code = wechat.authorise(appid=query["appid"], openid="o-staff", scope=query["scope"])
    response = come_back(client, COMPUTER, {"code": code, "state": query["state"]})

    assert response["Location"] == reverse("members:wechat_account")
    assert not SocialAccount.objects.exists()


def test_a_linked_identity_finds_its_own_app_in_any_browser(client, wechat, settings):
    # On a computer, where only the QR app is used, an official-account identity still finds the
    # official account (allauth names identities, in the admin for one, through their app).
    person = make_user(phone="+8613800000009")
    mp = SocialAccount.objects.create(user=person, provider="weixin_mp", uid="o-mp", extra_data={"nickname": "阿姨"})
    qr = SocialAccount.objects.create(user=person, provider="weixin_open", uid="o-open")

    for user_agent in (COMPUTER, IN_WECHAT):
        request = client.get(reverse("home"), HTTP_USER_AGENT=user_agent).wsgi_request
        assert mp.get_provider(request).app.client_id == MP_APP[0]
        assert qr.get_provider(request).app.client_id == OPEN_APP[0]
        mp._provider = qr._provider = None


def test_allauth_s_page_of_third_party_accounts_is_the_person_s_own_wechat_page(client):
    client.force_login(make_user(phone="+8613800000014"))

    response = client.get("/accounts/3rdparty/")

    assert response["Location"] == reverse("members:wechat_account")


def test_two_apps_for_one_browser_show_one_button_and_refuse_to_guess(client, wechat):
    from allauth.socialaccount.models import SocialApp

    SocialApp.objects.create(provider="weixin", provider_id="weixin_mp", name="Same MP, also a row",
                             client_id="wxother", secret="s")

    page = client.get(reverse("account_login"), HTTP_USER_AGENT=IN_WECHAT).content.decode()
    response = client.post(reverse("weixin_login"), HTTP_USER_AGENT=IN_WECHAT)

    assert page.count("btn-wechat") == 1
    assert response["Location"] == reverse("account_login")


def test_my_wechat_page_reads_in_a_fixed_number_of_queries(client, wechat, django_assert_max_num_queries):
    person = make_user(phone="+8613800000010")
    for n in range(6):
        SocialAccount.objects.create(user=person, provider="weixin_mp" if n % 2 else "weixin_open", uid=f"o-{n}")
    client.force_login(person)

    with django_assert_max_num_queries(8):
        response = client.get(reverse("members:wechat_account"), HTTP_USER_AGENT=IN_WECHAT)

    assert response.content.decode().count(">解绑<") + response.content.decode().count(">Unlink<") == 6
