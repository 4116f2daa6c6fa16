"""Reminders through the official account (members/wechat/messages.py), against a local fake of
WeChat's API (tests/members/wechat_fake.py, the ``wechat`` fixture of tests/members/conftest.py):
the real requests go out, only 127.0.0.1 answers."""

import socket

import pytest
from allauth.socialaccount.models import SocialAccount

from members.wechat import messages
from tests.factories import make_user
from tests.members.wechat_fake import MP_TEMPLATE as TEMPLATE


def send(**overrides):
    arguments = {"openid": "o-follower", "template_id": TEMPLATE, "data": {"thing1": "投票将在明天截止"},
                 "url": "https://sanhui.example.org/ballots/7/"} | overrides
    return messages.template_message_send(**arguments)


def test_a_template_message_is_sent_with_a_token_fetched_once_and_reused(wechat):
    first, second = send(), send()

    assert first.status == second.status == messages.SENT and first.msgid
    assert wechat.token_fetches == 1
    assert wechat.sent[0] == {"path": "/cgi-bin/message/template/send", "touser": "o-follower",
                              "template_id": TEMPLATE, "url": "https://sanhui.example.org/ballots/7/",
                              "data": {"thing1": {"value": "投票将在明天截止"}}}


def test_a_person_who_does_not_follow_the_account_is_a_failure_not_to_retry(wechat):
    result = send(openid="o-stranger")

    assert (result.status, result.errcode) == (messages.FAILED, 43004)
    assert "follow" in result.reason and wechat.sent == []


def test_an_invalid_token_is_refreshed_and_the_message_sent_once_more(wechat):
    send()
    wechat.revoke_api_tokens()  # e.g. someone fetched a new token with the same AppID elsewhere

    result = send()

    assert result.status == messages.SENT
    assert wechat.token_fetches == 2 and len(wechat.sent) == 2


def test_only_one_retry_after_refreshing_the_token(wechat):
    invalid = {"errcode": 40001, "errmsg": "invalid credential"}
    wechat.next_message_answers.extend([invalid, invalid, invalid])

    result = send()

    assert (result.status, result.errcode) == (messages.RETRY, 40001)
    assert wechat.token_fetches == 2 and len(wechat.next_message_answers) == 1


def test_wechat_busy_or_rate_limited_means_try_later(wechat):
    wechat.next_message_answers.extend([{"errcode": -1, "errmsg": "system error"},
                                        {"errcode": 45009, "errmsg": "reach max api daily quota limit"}])

    assert (send().status, send().status) == (messages.RETRY, messages.RETRY)


def test_an_unknown_template_is_a_failure(wechat):
    result = send(template_id="TPL-unknown")

    assert (result.status, result.errcode) == (messages.FAILED, 40037)


def test_a_wrong_secret_is_a_failure_and_nothing_is_sent(wechat, settings):
    settings.WECHAT_MP_APP_SECRET = "not-the-secret"

    result = send()

    assert (result.status, result.errcode) == (messages.FAILED, 40125)
    assert wechat.sent == [] and "/cgi-bin/message/template/send" not in wechat.calls


def test_wechat_unreachable_means_try_later(wechat, settings):
    with socket.socket() as unused:  # a port nothing listens on
        unused.bind(("127.0.0.1", 0))
        settings.WECHAT_API_URL = f"http://127.0.0.1:{unused.getsockname()[1]}"
    settings.WECHAT_TIMEOUT = 2

    result = send()

    assert result.status == messages.RETRY and "not fetched" in result.reason


def test_without_the_official_account_configured_nothing_is_tried(wechat, settings):
    settings.WECHAT_MP_APP_ID = ""

    assert send().status == messages.FAILED and wechat.calls == []


def test_a_subscription_notice_goes_to_its_own_api_with_page(wechat, settings):
    settings.WECHAT_MP_MESSAGE_API = "subscribe"

    result = send()

    assert result.status == messages.SENT
    assert wechat.sent[0]["path"] == "/cgi-bin/message/subscribe/bizsend"
    assert wechat.sent[0]["page"] == "https://sanhui.example.org/ballots/7/" and "url" not in wechat.sent[0]


@pytest.mark.django_db
def test_a_reminder_goes_to_the_openid_of_the_official_account_identity(wechat):
    person = make_user(phone="+8613800000011")
    SocialAccount.objects.create(user=person, provider="weixin_open", uid="o-website-openid")
    SocialAccount.objects.create(user=person, provider="weixin_mp", uid="o-follower")

    result = messages.reminder_send(user=person, title="三号楼加装电梯听证会投票", body="明天 18:00 截止，请尽快投票",
                                    url="https://sanhui.example.org/ballots/7/", when="2026-12-08 18:00")

    assert result.status == messages.SENT
    sent = wechat.sent[0]
    assert sent["touser"] == "o-follower"
    assert sent["data"] == {"thing1": {"value": "三号楼加装电梯听证会投票"},
                            "thing2": {"value": "明天 18:00 截止，请尽快投票"},
                            "time3": {"value": "2026-12-08 18:00"}}


@pytest.mark.django_db
def test_a_long_title_is_cut_to_what_wechat_accepts(wechat):
    person = make_user(phone="+8613800000012")
    SocialAccount.objects.create(user=person, provider="weixin_mp", uid="o-follower")

    messages.reminder_send(user=person, title="关于" * 15, body="b", url="", when="")

    value = wechat.sent[0]["data"]["thing1"]["value"]
    assert len(value) == messages.FIELD_MAX and value.endswith("…")
    assert "time3" not in wechat.sent[0]["data"]


@pytest.mark.django_db
def test_a_person_without_the_official_account_gets_no_reminder_there(wechat):
    person = make_user(phone="+8613800000013")
    SocialAccount.objects.create(user=person, provider="weixin_open", uid="o-website-only")

    result = messages.reminder_send(user=person, title="t", body="b", url="", when="")

    assert result.status == messages.FAILED and wechat.calls == []


@pytest.mark.django_db
def test_a_stored_notification_goes_out_with_an_absolute_link(wechat, settings):
    from members.models import Notification
    from members.notifications import notify

    settings.SITE_URL = "https://sanhui.example.org"
    person = make_user(phone="+8613800000015")
    SocialAccount.objects.create(user=person, provider="weixin_mp", uid="o-follower")
    notification = notify(users=[person], kind=Notification.Kind.ANNOUNCEMENT, title="停水通知",
                          body="明天 9:00-12:00 停水", url="/ballots/7/", dedupe_key="wechat-test")[0]

    result = messages.notification_send(notification)

    assert result.status == messages.SENT
    sent = wechat.sent[0]
    assert sent["url"] == "https://sanhui.example.org/ballots/7/"
    assert sent["data"]["thing1"] == {"value": "停水通知"} and sent["data"]["time3"]["value"].startswith("20")


@pytest.mark.django_db
def test_a_person_who_chose_wechat_is_told_there_and_by_sms_when_wechat_does_not_take_it(
        wechat, sms_outbox, django_capture_on_commit_callbacks):
    from members.messaging import channels
    from members.models import Notification
    from members.notifications import notify

    follower, left = make_user(phone="+8613800000061"), make_user(phone="+8613800000062")
    SocialAccount.objects.create(user=follower, provider="weixin_mp", uid="o-follower")
    SocialAccount.objects.create(user=left, provider="weixin_mp", uid="o-stranger")  # no longer follows
    unlinked = make_user(phone="+8613800000063")
    for person in (follower, left):
        channels.contact_choice_set(user=person, channel="wechat")
    assert "wechat" not in [c.name for c in channels.available_to(unlinked)]
    with django_capture_on_commit_callbacks(execute=True):
        notify(users=[follower, left], kind=Notification.Kind.OPENING, title="投票开始：加装电梯", url="/b/1/")
    assert [m["touser"] for m in wechat.sent] == ["o-follower"]
    assert wechat.sent[0]["data"]["thing1"] == {"value": "投票开始：加装电梯"}
    # WeChat refused the other copy (43004): it went by SMS instead, so nobody is left untold.
    assert [(m["phone"], m["template"]) for m in sms_outbox] == [("+8613800000062", "notice")]
