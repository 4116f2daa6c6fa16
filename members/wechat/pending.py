"""A WeChat identity seen for the first time, waiting in the session for a phone proven by SMS code.

Nothing is written to the database until the code is right: an abandoned sign-in leaves no
account and no link. The code is kept only as a keyed hash, for 15 minutes and 5 tries.
"""

import secrets
import time

from allauth.socialaccount.models import SocialLogin
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare, salted_hmac

SESSION_KEY = "wechat_pending"
CODE_SECONDS = 15 * 60
CODE_TRIES = 5


def store(request: HttpRequest, sociallogin: SocialLogin) -> None:
    """Keep a new WeChat identity until its phone is proven (any earlier one is dropped)."""
    request.session[SESSION_KEY] = {"login": sociallogin.serialize(), "next": sociallogin.state.get("next") or ""}


def get(request: HttpRequest) -> dict | None:
    return request.session.get(SESSION_KEY)


def identity(pending: dict) -> SocialLogin | None:
    """The waiting identity, or None when the session holds something that is not one."""
    try:
        return SocialLogin.deserialize(pending["login"])
    except (KeyError, ValueError, TypeError):
        return None


def forget(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)


def _hash(phone: str, code: str) -> str:
    return salted_hmac("members.wechat.pending", f"{phone}:{code}").hexdigest()


def new_code(request: HttpRequest, phone: str) -> str:
    """Make the code for ``phone``, replacing any earlier one; return it (to send it by SMS)."""
    code = f"{secrets.randbelow(10**6):06d}"
    pending = get(request)
    pending.update({"phone": phone, "code": _hash(phone, code), "expires": time.time() + CODE_SECONDS,
                    "tries": 0, "proven": False})
    request.session[SESSION_KEY] = pending
    return code


def check_code(request: HttpRequest, code: str) -> str:
    """Check a typed code: "ok" (the phone is proven), "wrong", or "expired" (ask for a new one)."""
    pending = get(request)
    if not pending.get("code") or time.time() > pending.get("expires", 0) or pending.get("tries", 0) >= CODE_TRIES:
        return "expired"
    if constant_time_compare(_hash(pending["phone"], code.strip()), pending["code"]):
        pending.update({"code": None, "proven": True})
        request.session[SESSION_KEY] = pending
        return "ok"
    pending["tries"] = pending.get("tries", 0) + 1
    if pending["tries"] >= CODE_TRIES:
        pending["code"] = None
    request.session[SESSION_KEY] = pending
    return "expired" if pending["code"] is None else "wrong"


def proven_phone(pending: dict | None) -> str | None:
    """The phone the person proved in this session, or None."""
    if pending and pending.get("proven") and pending.get("phone"):
        return pending["phone"]
    return None
