"""The SMS outbox and its gateways: the real Tencent Cloud and Alibaba Cloud SDKs against a local fake
of each provider on 127.0.0.1 (only the network is answered locally), retries, caps, masking."""

import json
import logging
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from members.messaging import outbox
from members.messaging.models import SmsMessage
from tests.factories import make_committee, make_user

pytestmark = pytest.mark.django_db

PHONE = "+8613800000001"


class FakeProvider(BaseHTTPRequestHandler):
    """Answers SendSms as Tencent Cloud (JSON, X-TC-Action) or Alibaba Cloud (RPC, Action=SendSms) does."""

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        server = self.server
        if self.headers.get("X-TC-Action"):
            request = json.loads(body or b"{}")
            server.requests.append({"provider": "tencent", "action": self.headers["X-TC-Action"], **request})
        else:
            fields = {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}
            fields.update({k: v[0] for k, v in parse_qs(body.decode()).items()})
            server.requests.append({"provider": "aliyun", **fields})
        pulling = self.headers.get("X-TC-Action") == "PullSmsSendStatus"
        mode = server.modes.pop(0) if server.modes and not pulling else "ok"
        if mode == "timeout":
            time.sleep(1.5)
        answer = (self._tencent if self.headers.get("X-TC-Action") else self._aliyun)(mode)
        data = json.dumps(answer).encode()
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _tencent(self, mode):
        if self.headers["X-TC-Action"] == "PullSmsSendStatus":
            reports, self.server.reports = self.server.reports, []
            return {"Response": {"PullSmsSendStatusSet": reports, "RequestId": "r-3"}}
        if mode == "template":
            return {"Response": {"Error": {"Code": "FailedOperation.TemplateIncorrectOrUnapproved",
                                           "Message": "template is not approved"}, "RequestId": "r-1"}}
        code = {"ok": "Ok", "limited": "LimitExceeded.PhoneNumberThirtySecondLimit"}.get(mode, "Ok")
        return {"Response": {"SendStatusSet": [{"SerialNo": "2640:3019184322416582738920", "PhoneNumber": PHONE,
                                                "Fee": 1, "SessionContext": "", "Code": code,
                                                "Message": "send success" if code == "Ok" else "limit",
                                                "IsoCode": "CN"}], "RequestId": "r-2"}}

    def _aliyun(self, mode):
        code = {"ok": "OK", "limited": "isv.BUSINESS_LIMIT_CONTROL", "template": "isv.SMS_TEMPLATE_ILLEGAL"}.get(
            mode, "OK")
        answer = {"Code": code, "Message": "OK" if code == "OK" else code, "RequestId": "F655A8D5-B967-440B"}
        if code == "OK":
            answer["BizId"] = "900619746936498440^0"
        return answer


@pytest.fixture
def provider():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeProvider)
    server.requests, server.modes, server.reports = [], [], []
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(params=["tencent", "aliyun"])
def gateway(request, provider, settings):
    endpoint = f"127.0.0.1:{provider.server_address[1]}"
    settings.SMS_BACKEND = request.param
    settings.SMS_SIGN_NAME = "大宁路居委会"
    settings.SMS_TIMEOUT = 0.5
    settings.SMS_TEMPLATES = {**settings.SMS_TEMPLATES, "verify": "1110001", "notice": "SMS_465391234"}
    settings.SMS_TENCENT = {"SECRET_ID": "AKIDtest", "SECRET_KEY": "secret", "APP_ID": "1400000001",
                            "REGION": "ap-guangzhou", "ENDPOINT": endpoint, "SCHEME": "http"}
    settings.SMS_ALIYUN = {"ACCESS_KEY_ID": "LTAItest", "ACCESS_KEY_SECRET": "secret", "ENDPOINT": endpoint,
                           "SCHEME": "http"}
    return request.param


def _queue_code(code="431741", **kwargs):
    return outbox.sms_enqueue(phone=PHONE, template="verify", params=[code], kind="verify", **kwargs)


def test_a_sent_code_reaches_the_provider_as_template_and_parameters_and_is_blanked(
        gateway, provider, django_capture_on_commit_callbacks, caplog):
    caplog.set_level(logging.DEBUG)  # even at DEBUG (the SDKs' request logs) no number and no code
    with django_capture_on_commit_callbacks(execute=True):
        message = _queue_code()
    message.refresh_from_db()
    assert message.status == SmsMessage.Status.SENT and message.provider == gateway
    assert message.provider_id and message.attempts == 1
    # What the provider got: the approved template id, its parameters, the signature; no free text.
    (sent,) = provider.requests
    if gateway == "tencent":
        assert sent["TemplateId"] == "1110001" and sent["TemplateParamSet"] == ["431741"]
        assert sent["SignName"] == "大宁路居委会" and sent["PhoneNumberSet"] == [PHONE]
        assert sent["SmsSdkAppId"] == "1400000001"
    else:
        assert sent["TemplateCode"] == "1110001" and json.loads(sent["TemplateParam"]) == {"code": "431741"}
        assert sent["SignName"] == "大宁路居委会" and sent["PhoneNumbers"] == "13800000001"
    # Afterwards the database keeps neither the number nor the code, and the log never had them.
    assert message.phone == "" and message.params == ["******"] and message.recipient == "138****0001"
    assert "431741" not in caplog.text and "13800000001" not in caplog.text
    assert "138****0001" in caplog.text


@pytest.mark.parametrize("mode", ["limited", "timeout"])
def test_a_rate_limited_or_timed_out_message_stays_queued_for_a_later_try(
        gateway, provider, mode, django_capture_on_commit_callbacks):
    provider.modes = [mode]
    with django_capture_on_commit_callbacks(execute=True):
        message = outbox.sms_enqueue(phone=PHONE, template="notice", params=["投票开始：加装电梯"], kind="opening")
    message.refresh_from_db()
    assert message.status == SmsMessage.Status.QUEUED and message.attempts == 1
    assert message.phone == PHONE  # kept: it must still be sent
    assert message.reason and message.next_attempt_at > timezone.now() + timedelta(seconds=50)


def test_a_template_the_provider_rejects_fails_for_good(gateway, provider, django_capture_on_commit_callbacks):
    provider.modes = ["template"]
    with django_capture_on_commit_callbacks(execute=True):
        message = _queue_code()
    message.refresh_from_db()
    assert message.status == SmsMessage.Status.FAILED
    assert message.reason in ("FailedOperation.TemplateIncorrectOrUnapproved", "isv.SMS_TEMPLATE_ILLEGAL")
    assert message.phone == "" and message.params == ["******"]
    assert outbox.sms_send_due(now=timezone.now() + timedelta(hours=1))["tried"] == 0


def test_the_scheduled_job_retries_with_back_off_until_the_provider_accepts(
        gateway, provider, django_capture_on_commit_callbacks):
    provider.modes = ["limited", "limited"]
    with django_capture_on_commit_callbacks(execute=True):
        message = outbox.sms_enqueue(phone=PHONE, template="notice", params=["结果公布"], kind="result")
    message.refresh_from_db()
    first = message.next_attempt_at
    assert outbox.sms_send_due(now=first - timedelta(seconds=1))["tried"] == 0  # not yet
    assert outbox.sms_send_due(now=first) == {"interrupted": 0, "tried": 1, "sent": 0, "delivered": 0}
    message.refresh_from_db()
    assert message.attempts == 2 and message.status == SmsMessage.Status.QUEUED
    assert message.next_attempt_at - first >= timedelta(seconds=115)  # twice the first wait
    assert outbox.sms_send_due(now=message.next_attempt_at)["sent"] == 1
    message.refresh_from_db()
    assert message.status == SmsMessage.Status.SENT and message.attempts == 3 and message.phone == ""
    assert len([r for r in provider.requests if r.get("action") != "PullSmsSendStatus"]) == 3


def test_tencent_delivery_reports_mark_sent_messages_delivered(settings, provider, django_capture_on_commit_callbacks):
    settings.SMS_BACKEND = "tencent"
    settings.SMS_TEMPLATES = {**settings.SMS_TEMPLATES, "notice": "1110002"}
    settings.SMS_TENCENT = {"SECRET_ID": "AKIDtest", "SECRET_KEY": "secret", "APP_ID": "1400000001",
                            "REGION": "ap-guangzhou", "ENDPOINT": f"127.0.0.1:{provider.server_address[1]}",
                            "SCHEME": "http"}
    with django_capture_on_commit_callbacks(execute=True):
        message = outbox.sms_enqueue(phone=PHONE, template="notice", params=["结果公布"])
    message.refresh_from_db()
    assert message.status == SmsMessage.Status.SENT
    provider.reports = [{"UserReceiveTime": "2026-12-07 18:00:03", "CountryCode": "86",
                         "SubscriberNumber": "13800000001", "PhoneNumber": PHONE, "SerialNo": message.provider_id,
                         "ReportStatus": "SUCCESS", "Description": "用户短信送达成功", "SessionContext": ""}]
    assert outbox.sms_send_due()["delivered"] == 1
    message.refresh_from_db()
    assert message.status == SmsMessage.Status.DELIVERED
    assert message.delivered_at.isoformat() == "2026-12-07T10:00:03+00:00"


def test_a_message_that_never_gets_through_fails_after_the_last_attempt(settings, sms_outbox, monkeypatch):
    from members.messaging.backends import LocmemBackend, Outcome

    settings.SMS_MAX_ATTEMPTS = 2
    monkeypatch.setattr(LocmemBackend, "send", lambda self, **kw: Outcome(Outcome.RETRY, code="isp.SYSTEM_ERROR"))
    message = outbox.sms_enqueue(phone=PHONE, template="notice", params=["x"], kind="opening")
    outbox.sms_send_due(now=timezone.now())
    message.refresh_from_db()
    assert message.status == SmsMessage.Status.QUEUED
    outbox.sms_send_due(now=message.next_attempt_at)
    message.refresh_from_db()
    assert message.status == SmsMessage.Status.FAILED and message.phone == "" and message.attempts == 2


def test_a_late_login_code_is_given_up_not_sent(sms_outbox):
    message = _queue_code(send_before=timezone.now() - timedelta(seconds=1))
    outbox.sms_send_due()
    message.refresh_from_db()
    assert message.status == SmsMessage.Status.FAILED and message.reason == "expired"
    assert message.params == ["******"] and not sms_outbox


def test_one_dedupe_key_is_written_and_sent_once(sms_outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = outbox.sms_enqueue(phone=PHONE, template="notice", params=["a"], dedupe_key="notice:1")
        again = outbox.sms_enqueue(phone=PHONE, template="notice", params=["a"], dedupe_key="notice:1")
    assert first is not None and again is None
    assert SmsMessage.objects.filter(dedupe_key="notice:1").count() == 1 and len(sms_outbox) == 1


def test_a_crash_while_sending_fails_the_message_rather_than_send_it_twice(sms_outbox):
    message = outbox.sms_enqueue(phone=PHONE, template="notice", params=["a"])
    (claimed,) = outbox._claim(now=timezone.now())  # a sender claimed it, then died
    assert claimed.pk == message.pk
    done = outbox.sms_send_due(now=timezone.now() + timedelta(minutes=11))
    message.refresh_from_db()
    assert done["interrupted"] == 1 and message.status == SmsMessage.Status.FAILED
    assert message.reason == "interrupted" and message.phone == "" and not sms_outbox


def test_a_large_batch_is_left_to_the_scheduled_job(settings, sms_outbox, django_capture_on_commit_callbacks):
    settings.SMS_SEND_AT_ONCE = 2
    with django_capture_on_commit_callbacks(execute=True):
        outbox.sms_enqueue_many([outbox.Sms(phone=f"+861370000{i:04d}", template="notice", params=["x"])
                                 for i in range(3)])
    assert not sms_outbox
    assert outbox.sms_send_due()["sent"] == 3 and len(sms_outbox) == 3


# --- Caps -----------------------------------------------------------------------------------

def test_over_the_hourly_cap_of_a_number_nothing_is_sent_and_the_row_says_why(
        settings, sms_outbox, django_capture_on_commit_callbacks):
    settings.SMS_CAPS = {**settings.SMS_CAPS, "PHONE_HOUR": 2}
    with django_capture_on_commit_callbacks(execute=True):
        rows = [outbox.sms_enqueue(phone=PHONE, template="notice", params=[str(i)]) for i in range(3)]
    assert [r.status for r in rows] == ["queued", "queued", "refused"]
    assert rows[2].reason == "phone_hour" and rows[2].phone == ""
    assert len(sms_outbox) == 2
    other = outbox.sms_enqueue(phone="+8613800000002", template="notice", params=["x"])
    assert other.status == SmsMessage.Status.QUEUED


def test_the_daily_cap_of_a_committee_holds_within_one_batch(settings, sms_outbox):
    settings.SMS_CAPS = {**settings.SMS_CAPS, "COMMITTEE_DAY": 3}
    committee = make_committee()
    rows = outbox.sms_enqueue_many([outbox.Sms(phone=f"+861380000{i:04d}", template="notice", params=["x"],
                                               committee_id=committee.pk) for i in range(5)])
    assert [r.status for r in rows].count("queued") == 3
    assert {r.reason for r in rows if r.status == "refused"} == {"committee_day"}


def test_login_by_code_over_the_cap_shows_a_clear_message_and_sends_nothing(
        client, settings, sms_outbox, django_capture_on_commit_callbacks):
    settings.SMS_CAPS = {**settings.SMS_CAPS, "PHONE_HOUR": 1}
    make_user(phone=PHONE, password=None)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(reverse("account_request_login_code"), {"phone": "138 0000 0001"})
        second = Client().post(reverse("account_request_login_code"), {"phone": "138 0000 0001"})
    assert first.status_code == 302 and len(sms_outbox) == 1
    assert second.status_code == 200 and len(sms_outbox) == 1
    assert "phone_hour" in [e.code for e in second.context["form"].errors.as_data()["phone"]]
    assert SmsMessage.objects.count() == 1


# --- Concurrent senders ------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_two_senders_racing_for_the_same_due_rows_send_each_once(settings, monkeypatch):
    from members.messaging.backends import LocmemBackend, Outcome

    sent, lock = [], threading.Lock()

    def slow_send(self, *, phone, template, template_id, params, reference):
        time.sleep(0.01)  # a gateway's round trip, so that the two senders overlap
        with lock:
            sent.append(reference)
        return Outcome(Outcome.SENT, provider_id=reference)

    monkeypatch.setattr(LocmemBackend, "send", slow_send)
    settings.SMS_SEND_AT_ONCE = 0  # all left to the senders below
    rows = outbox.sms_enqueue_many([outbox.Sms(phone=f"+861390000{i:04d}", template="notice", params=["x"],
                                               dedupe_key=f"race:{i}") for i in range(40)])
    assert len(rows) == 40 and SmsMessage.objects.filter(status=SmsMessage.Status.QUEUED).count() == 40
    assert not sent
    start = threading.Barrier(2)
    errors = []

    def sender():
        try:
            start.wait()
            while outbox.sms_send_due(limit=5)["tried"]:
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
    assert sorted(sent) == sorted(f"race:{i}" for i in range(40))  # every one, none twice
    assert SmsMessage.objects.filter(status=SmsMessage.Status.SENT).count() == 40


def test_the_operations_guide_gives_every_template_as_each_provider_registers_it():
    from pathlib import Path

    from members.messaging.sms_templates import TEMPLATES

    guide = (Path(__file__).resolve().parents[2] / "docs" / "OPERATIONS.md").read_text()
    for template in TEMPLATES.values():
        assert (f"| `{template.name}` | `{template.setting}` | {template.tencent_text()} | "
                f"{template.aliyun_text()} |") in guide


# --- The scheduled job and the admin ------------------------------------------------------------

def test_the_ballot_schedule_sends_what_is_due_in_the_outbox(sms_outbox):
    from io import StringIO

    from django.core.management import call_command

    message = outbox.sms_enqueue(phone=PHONE, template="notice", params=["x"])  # its on-commit send never ran
    out = StringIO()
    call_command("run_ballot_schedule", stdout=out)
    message.refresh_from_db()
    assert message.status == SmsMessage.Status.SENT and len(sms_outbox) == 1
    assert "SMS: 1 sent of 1 tried" in out.getvalue()
    call_command("messages_send_due", stdout=StringIO())
    assert len(sms_outbox) == 1  # nothing is sent twice


def test_an_administrator_retries_a_failed_message_to_the_persons_number(sms_outbox, monkeypatch):
    from django.core.exceptions import ValidationError

    from members.messaging.backends import LocmemBackend, Outcome

    person = make_user(phone=PHONE)
    monkeypatch.setattr(LocmemBackend, "send",
                        lambda self, **kw: Outcome(Outcome.FAILED, code="isv.SMS_TEMPLATE_ILLEGAL"))
    message = outbox.sms_enqueue(phone=PHONE, template="notice", params=["x"], user_id=person.pk)
    code = _queue_code(user_id=person.pk)
    outbox.sms_send_due()
    message.refresh_from_db()
    assert message.status == SmsMessage.Status.FAILED and message.phone == ""
    monkeypatch.undo()
    outbox.sms_retry(message=message)
    outbox.sms_send_due()
    message.refresh_from_db()
    assert message.status == SmsMessage.Status.SENT and [m["phone"] for m in sms_outbox] == [PHONE]
    with pytest.raises(ValidationError) as error:
        outbox.sms_retry(message=code)  # a login code is never resent
    assert error.value.code == "secret"
    with pytest.raises(ValidationError) as error:
        outbox.sms_retry(message=message)  # a sent message is not sent again
    assert error.value.code == "invalid_transition"


def test_the_admin_outbox_shows_masked_numbers_only_and_retries(admin_client, sms_outbox):
    person = make_user(phone=PHONE)
    queued = outbox.sms_enqueue(phone=PHONE, template="notice", params=["x"], user_id=person.pk)
    page = admin_client.get(reverse("admin:members_smsmessage_changelist"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "138****0001" in body and "13800000001" not in body
    detail = admin_client.get(reverse("admin:members_smsmessage_change", args=[queued.pk])).content.decode()
    assert "13800000001" not in detail and queued.phone_key not in detail
    SmsMessage.objects.filter(pk=queued.pk).update(status=SmsMessage.Status.FAILED, phone="")
    response = admin_client.post(reverse("admin:members_smsmessage_changelist"),
                                 {"action": "retry", "_selected_action": [queued.pk]})
    assert response.status_code == 302
    queued.refresh_from_db()
    assert queued.status == SmsMessage.Status.QUEUED and queued.phone == PHONE
