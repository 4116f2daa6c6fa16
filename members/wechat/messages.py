"""Reminders through the official account: one template message (模板消息) or subscription notice
(订阅通知) to one openid, through WeChat's API.

The API's access token is fetched with the official account's AppID and secret and kept in the
shared cache until shortly before it expires, so every worker uses the same one. An answer saying
the token is no longer valid (40001, 40014, 42001) fetches a new one and sends once more. The result
says what to do next: ``sent``; ``failed`` (do not try again: the person does not follow the
account, refused the notices, the template is wrong …); or ``retry`` (WeChat busy, rate-limited or
unreachable: try later). Nothing here knows about outboxes or channels: the WeChat outbox
(``members.wechat.outbox``) sends its rows with ``template_message_send``; ``notification_send``
(a stored notification) and ``reminder_send`` (any reminder) send one at once.
"""

import logging
from dataclasses import dataclass

import requests
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation

from members.models import Notification, User
from members.wechat.selectors import official_account_openid

logger = logging.getLogger(__name__)

SENT, FAILED, RETRY = "sent", "failed", "retry"
# Answers meaning the access token is no longer good: fetch a new one and send once more.
TOKEN_ERRORS = {40001, 40014, 42001}
# Answers after which the same message will not go through later either.
PERMANENT = {
    40003: "invalid openid",
    40036: "invalid template id size",
    40037: "invalid template id",
    41028: "invalid form id",
    43004: "the person does not follow the official account",
    43101: "the person refused this notice",
    47003: "template data does not fit the template",
    48001: "the official account may not use this API",
    40013: "invalid AppID",
    40125: "invalid AppSecret",
    40164: "the server's IP address is not on the official account's whitelist",
}
# WeChat allows 20 characters in a "thing" field (and in a template keyword since 2023).
FIELD_MAX = 20
TOKEN_MARGIN = 300  # seconds: a token is renewed this long before WeChat's expiry


@dataclass(frozen=True)
class SendResult:
    status: str  # SENT, FAILED or RETRY
    reason: str = ""
    errcode: int | None = None
    msgid: str = ""

    @property
    def sent(self) -> bool:
        return self.status == SENT


def _cache_key() -> str:
    return f"wechat:mp:access-token:{settings.WECHAT_MP_APP_ID}"


class _TokenError(Exception):
    def __init__(self, result: SendResult) -> None:
        super().__init__(result.reason)
        self.result = result


def access_token(*, refresh: bool = False) -> str:
    """The official account's API access token: from the cache, or fetched (and cached) when missing."""
    if not refresh:
        token = cache.get(_cache_key())
        if token:
            return token
    try:
        response = requests.get(f"{settings.WECHAT_API_URL}/cgi-bin/token", timeout=settings.WECHAT_TIMEOUT,
                                params={"grant_type": "client_credential", "appid": settings.WECHAT_MP_APP_ID,
                                        "secret": settings.WECHAT_MP_APP_SECRET})
        response.raise_for_status()
        answer = response.json()
    except (requests.RequestException, ValueError) as error:
        raise _TokenError(SendResult(RETRY, f"access token not fetched: {type(error).__name__}")) from error
    token = answer.get("access_token") if isinstance(answer, dict) else None
    if not token:
        code = answer.get("errcode") if isinstance(answer, dict) else None
        status = FAILED if code in PERMANENT else RETRY
        raise _TokenError(SendResult(status, f"access token refused: {PERMANENT.get(code) or code}", code))
    lifetime = int(answer.get("expires_in") or 7200)
    cache.set(_cache_key(), token, max(lifetime - TOKEN_MARGIN, 60))
    return token


def _post(token: str, payload: dict) -> dict:
    path = "/cgi-bin/message/subscribe/bizsend" if settings.WECHAT_MP_MESSAGE_API == "subscribe" \
        else "/cgi-bin/message/template/send"
    response = requests.post(f"{settings.WECHAT_API_URL}{path}", params={"access_token": token}, json=payload,
                             timeout=settings.WECHAT_TIMEOUT)
    response.raise_for_status()
    answer = response.json()
    if not isinstance(answer, dict):
        raise ValueError("not a JSON object")
    return answer


def template_message_send(*, openid: str, template_id: str, data: dict[str, str], url: str = "") -> SendResult:
    """Send one template message (or subscription notice) to one openid; say whether it went."""
    if not (settings.WECHAT_MP_APP_ID and settings.WECHAT_MP_APP_SECRET):
        return SendResult(FAILED, "the official account is not configured")
    if not (openid and template_id):
        return SendResult(FAILED, "no openid or no template id")
    payload = {"touser": openid, "template_id": template_id,
               "data": {key: {"value": str(value)} for key, value in data.items()}}
    if url:
        payload["page" if settings.WECHAT_MP_MESSAGE_API == "subscribe" else "url"] = url
    try:
        token = access_token()
        for attempt in (1, 2):
            answer = _post(token, payload)
            code = int(answer.get("errcode") or 0)
            if code in TOKEN_ERRORS and attempt == 1:
                cache.delete(_cache_key())
                token = access_token(refresh=True)
                continue
            break
    except _TokenError as error:
        return _logged(error.result)
    except (requests.RequestException, ValueError) as error:
        return _logged(SendResult(RETRY, f"WeChat not reached: {type(error).__name__}"))
    if code == 0:
        return SendResult(SENT, msgid=str(answer.get("msgid", "")))
    if code in PERMANENT:
        return _logged(SendResult(FAILED, PERMANENT[code], code))
    return _logged(SendResult(RETRY, f"WeChat answered {code}: {answer.get('errmsg', '')}"[:200], code))


def _logged(result: SendResult) -> SendResult:
    logger.warning("WeChat message not sent (%s): %s", result.status, result.reason)
    return result


def reminder_data(*, title: str, body: str, when: str) -> dict[str, str]:
    """The reminder's fields as the configured template names them (WECHAT_MP_TEMPLATE_FIELDS)."""
    values = {"title": title, "body": body, "time": when}
    return {field: _fit(values[name]) for name, field in settings.WECHAT_MP_TEMPLATE_FIELDS.items()
            if name in values and values[name]}


def _fit(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= FIELD_MAX else text[:FIELD_MAX - 1] + "…"


def reminder_send(*, user: User, title: str, body: str, url: str, when: str) -> SendResult:
    """Send one reminder to a person through the official account, if they linked it."""
    openid = official_account_openid(user)
    if not openid:
        return SendResult(FAILED, "no WeChat linked through the official account")
    return template_message_send(openid=openid, template_id=settings.WECHAT_MP_TEMPLATE_ID,
                                 data=reminder_data(title=title, body=body, when=when), url=url)


def notification_message(notification: Notification) -> tuple[dict[str, str], str]:
    """A stored notification as a reminder's template data and its absolute link to the site."""
    url = notification.url
    if url.startswith("/"):
        url = settings.SITE_URL.rstrip("/") + url
    when = timezone.localtime(notification.created_at).strftime("%Y-%m-%d %H:%M")
    # People have no language of their own: the copy is in the site's.
    with translation.override(settings.LANGUAGE_CODE):
        return reminder_data(title=notification.shown_title, body=notification.shown_body, when=when), url


def notification_send(notification: Notification) -> SendResult:
    """Send a stored notification to its person through the official account, linking to the site."""
    openid = official_account_openid(notification.user)
    if not openid:
        return SendResult(FAILED, "no WeChat linked through the official account")
    data, url = notification_message(notification)
    return template_message_send(openid=openid, template_id=settings.WECHAT_MP_TEMPLATE_ID, data=data, url=url)


def mask_openid(openid: str) -> str:
    """An openid as logs and the admin show it: enough to tell two apart, not enough to write to one."""
    return f"{openid[:3]}****{openid[-2:]}" if len(openid) > 8 else "****"
