"""SMS gateways: each sends one template to one number and says what became of it.

``SMS_BACKEND`` picks one: ``tencent`` (Tencent Cloud SMS), ``aliyun`` (Alibaba Cloud SMS), ``none``
(this site sends no SMS: every message fails as ``no_gateway``), and for development and tests only
``console`` (printed) and ``locmem`` (kept in ``members.phone.outbox``); the settings refuse those
two in production. A gateway answers with an ``Outcome``: sent, worth retrying later (rate limits,
timeouts, the provider's own errors) or failed for good (a template or signature not approved, an
invalid number).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings

from members.messaging.sms_templates import SmsTemplate

logger = logging.getLogger(__name__)
# Tencent Cloud's report times are China Standard Time without an offset.
SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Outcome:
    status: str  # "sent", "retry" or "failed"
    code: str = ""  # the provider's code when not sent
    provider_id: str = ""  # the provider's id of the message (for delivery reports)

    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"


def national(phone: str) -> str:
    """A Chinese mobile number without +86 (13812345678), as Alibaba Cloud takes it; others whole."""
    return phone[3:] if phone.startswith("+86") else phone


@dataclass(frozen=True)
class Report:
    """A provider's delivery report of one message it accepted."""

    provider_id: str
    delivered: bool
    at: datetime | None
    code: str = ""


class Backend:
    name = ""

    def send(self, *, phone: str, template: SmsTemplate, template_id: str, params: list[str],
             reference: str) -> Outcome:
        raise NotImplementedError

    def reports(self) -> list[Report]:
        """Delivery reports waiting at the provider (each is handed out once); none by default."""
        return []


class LocmemBackend(Backend):
    """Tests: keep each message in ``members.phone.outbox``, like ``django.core.mail.outbox``."""

    name = "locmem"

    def send(self, *, phone, template, template_id, params, reference):
        from members import phone as phone_module

        phone_module.outbox.append({"phone": phone, "template": template.name, "template_id": template_id,
                                    "params": list(params), "message": template.render(params)})
        return Outcome(Outcome.SENT, provider_id=f"locmem-{len(phone_module.outbox)}")


class ConsoleBackend(Backend):
    """Development: print the message (this is how a developer reads a login code); number masked."""

    name = "console"

    def send(self, *, phone, template, template_id, params, reference):
        from members.phone import mask_phone

        print(f"[SMS to {mask_phone(phone)}] {template.render(params)}", flush=True)  # noqa: T201
        return Outcome(Outcome.SENT)


class NoneBackend(Backend):
    """A site configured to send no SMS at all: every message fails, saying so."""

    name = "none"

    def send(self, *, phone, template, template_id, params, reference):
        return Outcome(Outcome.FAILED, code="no_gateway")


# Tencent Cloud: error codes worth trying again later; every other code is final.
TENCENT_RETRY = ("LimitExceeded.", "InternalError.", "RequestLimitExceeded", "ClientNetworkError",
                 "ServerNetworkError", "FailedOperation.InsufficientBalanceInSmsPackage")


class TencentBackend(Backend):
    """Tencent Cloud SMS (``SendSms`` and ``PullSmsSendStatus`` of API 2021-01-11) through its SDK."""

    name = "tencent"

    def _client(self):
        from tencentcloud.common import credential
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile
        from tencentcloud.sms.v20210111 import sms_client

        cfg = settings.SMS_TENCENT
        http = HttpProfile(endpoint=cfg["ENDPOINT"], protocol=cfg["SCHEME"], reqTimeout=settings.SMS_TIMEOUT)
        return sms_client.SmsClient(credential.Credential(cfg["SECRET_ID"], cfg["SECRET_KEY"]), cfg["REGION"],
                                    ClientProfile(httpProfile=http))

    def reports(self) -> list[Report]:
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
        from tencentcloud.sms.v20210111 import models

        request = models.PullSmsSendStatusRequest()
        request.SmsSdkAppId = settings.SMS_TENCENT["APP_ID"]
        request.Limit = 100
        try:
            response = self._client().PullSmsSendStatus(request)
        except (TencentCloudSDKException, OSError) as exc:  # reports wait at the provider for the next run
            logger.warning("Tencent Cloud delivery reports not fetched: %s",
                           exc.get_code() if isinstance(exc, TencentCloudSDKException) else type(exc).__name__)
            return []
        found = []
        for status in response.PullSmsSendStatusSet or []:
            at = datetime.fromisoformat(status.UserReceiveTime) if status.UserReceiveTime else None
            if at is not None and at.tzinfo is None:
                at = at.replace(tzinfo=SHANGHAI)
            ok = status.ReportStatus == "SUCCESS"
            found.append(Report(provider_id=status.SerialNo or "", delivered=ok, at=at,
                                code="" if ok else (status.Description or "")[:60]))
        return found

    def send(self, *, phone, template, template_id, params, reference):
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
        from tencentcloud.sms.v20210111 import models

        client = self._client()
        request = models.SendSmsRequest()
        request.SmsSdkAppId = settings.SMS_TENCENT["APP_ID"]
        request.SignName = settings.SMS_SIGN_NAME
        request.TemplateId = template_id
        request.TemplateParamSet = list(params)
        request.PhoneNumberSet = [phone]
        request.SessionContext = reference
        try:
            response = client.SendSms(request)
        except TencentCloudSDKException as exc:
            code = exc.get_code() or "TencentCloudSDKException"
            return Outcome(Outcome.RETRY if code.startswith(TENCENT_RETRY) else Outcome.FAILED, code=code[:80])
        except Exception as exc:  # anything the SDK lets through is a network problem: try again later
            return Outcome(Outcome.RETRY, code=type(exc).__name__)
        statuses = response.SendStatusSet or []
        if not statuses:
            return Outcome(Outcome.RETRY, code="EmptyResponse")
        status = statuses[0]
        if status.Code == "Ok":
            return Outcome(Outcome.SENT, provider_id=status.SerialNo or "")
        code = status.Code or "Unknown"
        return Outcome(Outcome.RETRY if code.startswith(TENCENT_RETRY) else Outcome.FAILED, code=code[:80])


# Alibaba Cloud: codes worth trying again later; every other code is final.
ALIYUN_RETRY = ("isv.BUSINESS_LIMIT_CONTROL", "isv.DAY_LIMIT_CONTROL", "isv.OUT_OF_SERVICE", "isp.",
                "Throttling", "ServiceUnavailable", "InternalError")


class AliyunBackend(Backend):
    """Alibaba Cloud SMS (``SendSms`` of API 2017-05-25) through alibabacloud_dysmsapi20170525."""

    name = "aliyun"

    def send(self, *, phone, template, template_id, params, reference):
        from alibabacloud_dysmsapi20170525 import models
        from alibabacloud_dysmsapi20170525.client import Client
        from alibabacloud_tea_openapi import models as openapi_models
        from alibabacloud_tea_util import models as util_models
        from Tea.exceptions import TeaException, UnretryableException

        cfg = settings.SMS_ALIYUN
        timeout_ms = int(settings.SMS_TIMEOUT * 1000)
        client = Client(openapi_models.Config(
            access_key_id=cfg["ACCESS_KEY_ID"], access_key_secret=cfg["ACCESS_KEY_SECRET"],
            endpoint=cfg["ENDPOINT"], protocol=cfg["SCHEME"], read_timeout=timeout_ms, connect_timeout=timeout_ms))
        request = models.SendSmsRequest(
            phone_numbers=national(phone), sign_name=settings.SMS_SIGN_NAME, template_code=template_id,
            template_param=json.dumps(dict(zip(template.params, params, strict=True)), ensure_ascii=False)
            if template.params else None,
            out_id=reference)
        # One attempt per call: the outbox does the retrying, with its own back-off.
        runtime = util_models.RuntimeOptions(autoretry=False, max_attempts=1, read_timeout=timeout_ms,
                                             connect_timeout=timeout_ms)
        try:
            body = client.send_sms_with_options(request, runtime).body
        except UnretryableException as exc:  # the SDK's wrapper of timeouts and refused connections
            return Outcome(Outcome.RETRY, code=type(exc.inner_exception).__name__[:80])
        except TeaException as exc:
            code = str(exc.code or "TeaException")
            return Outcome(Outcome.RETRY if code.startswith(ALIYUN_RETRY) else Outcome.FAILED, code=code[:80])
        except Exception as exc:  # timeouts and refused connections come through as the SDK's own errors
            return Outcome(Outcome.RETRY, code=type(exc).__name__)
        if body.code == "OK":
            return Outcome(Outcome.SENT, provider_id=body.biz_id or "")
        code = body.code or "Unknown"
        return Outcome(Outcome.RETRY if code.startswith(ALIYUN_RETRY) else Outcome.FAILED, code=code[:80])


BACKENDS = {cls.name: cls for cls in (LocmemBackend, ConsoleBackend, NoneBackend, TencentBackend, AliyunBackend)}


def get_backend() -> Backend:
    return BACKENDS[settings.SMS_BACKEND]()
