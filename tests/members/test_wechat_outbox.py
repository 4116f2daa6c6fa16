"""The WeChat outbox (members/wechat/outbox.py): every copy for a WeChat chooser is a row, sent after
commit or by the scheduled job, retried with back-off, never twice, and sent by SMS instead only when
WeChat finally does not take it; against the local fake of WeChat's API (tests/members/wechat_fake.py)."""

import logging
import threading
import time
from datetime import timedelta
from io import StringIO

import pytest
from allauth.socialaccount.models import SocialAccount
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from decisions import services
from members.messaging import channels
from members.messaging.models import ContactChoice, SmsMessage
from members.models import Notification, User, WeChatMessage
from members.notifications import notify
from members.wechat import messages
from members.wechat import outbox as wechat_outbox
from tests.decisions.factories import choices, make_open_ballot
from tests.factories import make_user

pytestmark = pytest.mark.django_db

BUSY = {"errcode": -1, "errmsg": "system error"}


def _choosers(wechat, n: int, *, phones: bool = True) -> list[User]:
    """``n`` people who linked the official account (and follow it) and chose to be told by WeChat."""
    people = User.objects.bulk_create([
        User(username=f"wx{i}", full_name=f"居民{i}", phone=f"+86137{i:08d}" if phones else None,
             phone_verified=phones, password="!") for i in range(n)])
    SocialAccount.objects.bulk_create([SocialAccount(user=p, provider="weixin_mp", uid=f"o-resident-{p.pk:06d}")
                                       for p in people])
    ContactChoice.objects.bulk_create([ContactChoice(user=p, channel="wechat") for p in people])
    wechat.followers.update(f"o-resident-{p.pk:06d}" for p in people)
    return people


def _tell(people, *, title="投票开始：加装电梯"):
    return notify(users=people, kind=Notification.Kind.OPENING, title=title, body="请在 12 月 14 日前投票",
                  url="/ballots/7/")


def test_five_hundred_choosers_each_get_a_wechat_row_and_the_scheduled_job_sends_them_all(
        wechat, sms_outbox, django_capture_on_commit_callbacks):
    people = _choosers(wechat, 500)
    with django_capture_on_commit_callbacks(execute=True):
        _tell(people)
    assert WeChatMessage.objects.filter(status=WeChatMessage.Status.QUEUED).count() == 500
    assert wechat.sent == [] and not SmsMessage.objects.exists()  # a whole electorate waits for the job

    out = StringIO()
    call_command("messages_send_due", stdout=out)

    assert sorted(m["touser"] for m in wechat.sent) == sorted(f"o-resident-{p.pk:06d}" for p in people)
    assert {m["data"]["thing1"]["value"] for m in wechat.sent} == {"投票开始：加装电梯"}
    assert WeChatMessage.objects.filter(status=WeChatMessage.Status.SENT, openid="").count() == 500
    assert not SmsMessage.objects.exists() and not sms_outbox
    assert "WeChat: 500 sent of 500 tried" in out.getvalue()
    call_command("messages_send_due", stdout=StringIO())
    assert len(wechat.sent) == 500  # nothing twice


def test_a_batch_of_wechat_choosers_is_written_in_a_constant_number_of_queries(
        wechat, django_assert_max_num_queries):
    people = _choosers(wechat, 50)
    # A dozen whatever the batch (SQLite may split the bulk insert by its limit on parameters);
    # one query per person would be over 50.
    with django_assert_max_num_queries(14):
        _tell(people)
    assert WeChatMessage.objects.count() == 50


def test_a_few_copies_go_once_the_change_commits_and_the_row_keeps_no_openid(
        wechat, django_capture_on_commit_callbacks):
    (person,) = _choosers(wechat, 1)
    with django_capture_on_commit_callbacks(execute=True):
        (notification,) = _tell([person])
    row = WeChatMessage.objects.get()
    assert (row.status, row.attempts, row.openid, row.fallback) == (WeChatMessage.Status.SENT, 1, "", "")
    assert row.user == person and row.notification == notification and row.dedupe_key == f"notice:{notification.pk}"
    assert row.recipient == "o-r****" + f"{person.pk:06d}"[-2:] and row.msgid
    assert wechat.sent[0]["url"].endswith("/ballots/7/")


def test_a_rolled_back_change_writes_no_wechat_row(wechat, django_capture_on_commit_callbacks):
    people = _choosers(wechat, 2)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        _tell(people)
        raise RuntimeError("rolled back")
    assert not WeChatMessage.objects.exists() and wechat.sent == []


def test_one_dedupe_key_is_written_and_sent_once(wechat, django_capture_on_commit_callbacks):
    message = wechat_outbox.WeChat(openid="o-follower", data={"thing1": "停水通知"}, kind="announcement",
                                   dedupe_key="notice:once")
    with django_capture_on_commit_callbacks(execute=True):
        first = wechat_outbox.wechat_enqueue_many([message])
        again = wechat_outbox.wechat_enqueue_many([message])
    assert len(first) == 1 and again == []
    assert WeChatMessage.objects.count() == 1 and len(wechat.sent) == 1


def test_a_busy_wechat_is_retried_with_back_off_until_it_takes_the_message(
        wechat, sms_outbox, django_capture_on_commit_callbacks):
    (person,) = _choosers(wechat, 1)
    wechat.next_message_answers.extend([BUSY, {"errcode": 45009, "errmsg": "reach max api daily quota limit"}])
    with django_capture_on_commit_callbacks(execute=True):
        _tell([person])
    row = WeChatMessage.objects.get()
    assert (row.status, row.attempts, row.errcode) == (WeChatMessage.Status.QUEUED, 1, -1)
    assert row.openid and row.next_attempt_at > timezone.now() + timedelta(seconds=50)
    first = row.next_attempt_at
    assert wechat_outbox.wechat_send_due(now=first - timedelta(seconds=1))["tried"] == 0  # not yet

    assert wechat_outbox.wechat_send_due(now=first) == {"interrupted": 0, "tried": 1, "sent": 0, "by_sms": 0}
    row.refresh_from_db()
    assert (row.status, row.attempts, row.errcode) == (WeChatMessage.Status.QUEUED, 2, 45009)
    assert row.next_attempt_at - first >= timedelta(seconds=115)  # twice the first wait

    assert wechat_outbox.wechat_send_due(now=row.next_attempt_at)["sent"] == 1
    row.refresh_from_db()
    assert (row.status, row.attempts, row.openid, row.fallback) == (WeChatMessage.Status.SENT, 3, "", "")
    assert len(wechat.sent) == 1 and not SmsMessage.objects.exists() and not sms_outbox


def test_after_the_last_attempt_the_notification_goes_by_sms_once(
        wechat, settings, sms_outbox, django_capture_on_commit_callbacks):
    settings.WECHAT_MAX_ATTEMPTS = 2
    (person,) = _choosers(wechat, 1)
    wechat.next_message_answers.extend([BUSY, BUSY])
    with django_capture_on_commit_callbacks(execute=True):
        (notification,) = _tell([person])
    row = WeChatMessage.objects.get()
    assert row.status == WeChatMessage.Status.QUEUED and not SmsMessage.objects.exists()  # not yet by SMS

    done = wechat_outbox.wechat_send_due(now=row.next_attempt_at)

    assert done == {"interrupted": 0, "tried": 1, "sent": 0, "by_sms": 1}
    row.refresh_from_db()
    assert (row.status, row.attempts, row.openid) == (WeChatMessage.Status.FAILED, 2, "")
    assert row.fallback == WeChatMessage.Fallback.SMS and row.fallback_sms.dedupe_key == f"notice:{notification.pk}"
    call_command("messages_send_due", stdout=StringIO())
    call_command("messages_send_due", stdout=StringIO())
    assert [(m["phone"], m["template"], m["params"]) for m in sms_outbox] == [
        (person.phone, "notice", ["投票开始：加装电梯"])]
    assert SmsMessage.objects.get().status == SmsMessage.Status.SENT and wechat.sent == []


@pytest.mark.parametrize("answer", [{"errcode": 43004, "errmsg": "require subscribe"},
                                    {"errcode": 40003, "errmsg": "invalid openid"}])
def test_an_unfollowed_account_or_invalid_openid_goes_by_sms_at_once_without_retries(
        wechat, answer, sms_outbox, django_capture_on_commit_callbacks):
    (person,) = _choosers(wechat, 1)
    wechat.next_message_answers.append(answer)
    with django_capture_on_commit_callbacks(execute=True):
        _tell([person])
    row = WeChatMessage.objects.get()
    assert (row.status, row.attempts, row.errcode) == (WeChatMessage.Status.FAILED, 1, answer["errcode"])
    assert row.fallback == WeChatMessage.Fallback.SMS and [m["phone"] for m in sms_outbox] == [person.phone]
    assert wechat_outbox.wechat_send_due(now=timezone.now() + timedelta(hours=1))["tried"] == 0


def test_the_sms_instead_of_wechat_counts_against_the_sms_caps(
        wechat, settings, sms_outbox, django_capture_on_commit_callbacks):
    settings.SMS_CAPS = {**settings.SMS_CAPS, "PHONE_HOUR": 0}
    (person,) = _choosers(wechat, 1)
    wechat.next_message_answers.append({"errcode": 43004, "errmsg": "require subscribe"})
    with django_capture_on_commit_callbacks(execute=True):
        _tell([person])
    row = WeChatMessage.objects.get()
    assert row.fallback == WeChatMessage.Fallback.SMS
    assert (row.fallback_sms.status, row.fallback_sms.reason) == (SmsMessage.Status.REFUSED, "phone_hour")
    assert not sms_outbox


def test_a_final_failure_without_a_phone_is_recorded_and_nothing_else_is_sent(
        wechat, sms_outbox, django_capture_on_commit_callbacks):
    (person,) = _choosers(wechat, 1, phones=False)
    wechat.next_message_answers.append({"errcode": 43004, "errmsg": "require subscribe"})
    with django_capture_on_commit_callbacks(execute=True):
        _tell([person])
    row = WeChatMessage.objects.get()
    assert (row.status, row.fallback, row.fallback_sms) == (WeChatMessage.Status.FAILED,
                                                            WeChatMessage.Fallback.NO_PHONE, None)
    assert not SmsMessage.objects.exists() and not sms_outbox


def test_a_chooser_without_a_usable_link_is_told_by_sms_and_gets_no_wechat_row(
        wechat, sms_outbox, django_capture_on_commit_callbacks):
    person = make_user(phone="+8613800000071")
    SocialAccount.objects.create(user=person, provider="weixin_open", uid="o-website-only")  # not the account
    ContactChoice.objects.create(user=person, channel="wechat")  # chosen while it was linked
    with django_capture_on_commit_callbacks(execute=True):
        _tell([person])
    assert not WeChatMessage.objects.exists() and wechat.calls == []
    assert [m["phone"] for m in sms_outbox] == [person.phone]


@pytest.mark.django_db(transaction=True)
def test_two_senders_racing_for_the_same_due_rows_send_each_once(wechat, settings, monkeypatch):
    settings.WECHAT_SEND_AT_ONCE = 0  # all left to the senders below
    people = _choosers(wechat, 40)
    real_send = messages.template_message_send

    def slow_send(**kwargs):
        time.sleep(0.01)  # WeChat's round trip, so that the two senders overlap
        return real_send(**kwargs)

    monkeypatch.setattr(messages, "template_message_send", slow_send)
    _tell(people)
    assert WeChatMessage.objects.filter(status=WeChatMessage.Status.QUEUED).count() == 40
    start = threading.Barrier(2)
    errors = []

    def sender():
        try:
            start.wait()
            while wechat_outbox.wechat_send_due(limit=5)["tried"]:
                pass
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(m["touser"] for m in wechat.sent) == sorted(f"o-resident-{p.pk:06d}" for p in people)
    assert WeChatMessage.objects.filter(status=WeChatMessage.Status.SENT).count() == 40


def test_a_crash_while_sending_fails_the_message_without_sending_it_again_or_by_sms(wechat, sms_outbox):
    (person,) = _choosers(wechat, 1)
    notification = Notification.objects.create(user=person, kind=Notification.Kind.OPENING, title="t")
    wechat_outbox.wechat_enqueue_many([wechat_outbox.WeChat(
        openid=f"o-resident-{person.pk:06d}", data={"thing1": "t"}, kind="opening",
        dedupe_key=f"notice:{notification.pk}", user_id=person.pk, notification_id=notification.pk)])
    from members.messaging import claims

    (claimed,) = claims.claim(WeChatMessage, now=timezone.now())  # a sender claimed it, then died
    done = wechat_outbox.wechat_send_due(now=timezone.now() + timedelta(minutes=11))
    claimed.refresh_from_db()
    assert done["interrupted"] == 1
    assert (claimed.status, claimed.reason, claimed.openid) == (WeChatMessage.Status.FAILED, "interrupted", "")
    assert wechat.sent == [] and not SmsMessage.objects.exists()


def test_logs_name_the_masked_openid_and_never_the_message(wechat, caplog, django_capture_on_commit_callbacks):
    caplog.set_level(logging.DEBUG)
    (person,) = _choosers(wechat, 1)
    wechat.next_message_answers.append(BUSY)
    with django_capture_on_commit_callbacks(execute=True):
        _tell([person], title="三号楼加装电梯")
    openid = f"o-resident-{person.pk:06d}"
    assert openid not in caplog.text and "三号楼加装电梯" not in caplog.text
    assert WeChatMessage.objects.get().recipient in caplog.text


def test_the_closing_reminder_of_a_secret_ballot_says_nothing_of_anyone_s_choice(
        wechat, django_capture_on_commit_callbacks):
    ballot, _organizer, voters = make_open_ballot(n=3)
    for voter in voters:
        SocialAccount.objects.create(user=voter, provider="weixin_mp", uid=f"o-voter-{voter.pk:06d}")
        wechat.followers.add(f"o-voter-{voter.pk:06d}")
        channels.contact_choice_set(user=voter, channel="wechat")
    services.vote_cast(ballot=ballot, voter=voters[0], choices=choices(ballot, "yes"))
    services.vote_cast(ballot=ballot, voter=voters[1], choices=choices(ballot, "no"))
    WeChatMessage.objects.all().delete()
    wechat.sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.ballot_remind(ballot=ballot)
    # Only the one who has not voted (from the register, never the papers), in the notification's words.
    (row,) = WeChatMessage.objects.all()
    (notification,) = Notification.objects.filter(kind=Notification.Kind.REMINDER)
    assert row.user == voters[2] and row.notification == notification
    assert (row.data, row.url) == messages.notification_message(notification)
    written = " ".join([str(row.data), row.url, row.dedupe_key, row.kind, row.reason, str(wechat.sent)])
    labels = {o.label for q in ballot.questions.all() for o in q.options.all()}
    assert labels and not any(label in written for label in labels)


def test_the_admin_outbox_shows_masked_openids_only(admin_client, wechat):
    (person,) = _choosers(wechat, 1)
    _tell([person])
    row = WeChatMessage.objects.get()
    assert row.openid == f"o-resident-{person.pk:06d}"  # queued: kept until sent
    page = admin_client.get(reverse("admin:members_wechatmessage_changelist")).content.decode()
    detail = admin_client.get(reverse("admin:members_wechatmessage_change", args=[row.pk])).content.decode()
    assert row.recipient in page and row.openid not in page and row.openid not in detail
