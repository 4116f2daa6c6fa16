"""allauth adapters: phone numbers live on members.User; WeChat identities wait for a proven phone."""

from datetime import timedelta
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.stages import PhoneVerificationStage
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from allauth.socialaccount.providers.base import AuthProcess
from django.contrib import messages
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from members import wechat
from members.messaging.outbox import cap_message
from members.models import User
from members.phone import normalize_phone, send_sms

# The wording of the verification template says 15 minutes.
CODE_VALID_MINUTES = 15


def user_display(user: AbstractBaseUser) -> str:
    """How allauth's messages name a person: by name, not by the generated username."""
    return getattr(user, "display_name", None) or user.get_username()


class PhoneVerificationUnlessNoPhoneStage(PhoneVerificationStage):
    """Verify a resident's phone at login, but let accounts without one through.

    Sign-up always asks for a phone; accounts without one are staff (organizers, street officers,
    admins) created by an administrator, who sign in by username and password.
    """

    def handle(self):
        if self.login.user is not None and not getattr(self.login.user, "phone", None):
            return None, True
        return super().handle()


class AccountAdapter(DefaultAccountAdapter):
    def get_login_stages(self) -> list[str]:
        return [
            "members.adapter.PhoneVerificationUnlessNoPhoneStage" if stage.endswith(".PhoneVerificationStage")
            else stage
            for stage in super().get_login_stages()
        ]

    def phone_form_field(self, **kwargs: Any) -> Any:
        from members.forms import PhoneField

        return PhoneField(**kwargs)

    def clean_phone(self, phone: str) -> str:
        return normalize_phone(phone)

    # Each SMS is an approved template (members/messaging/sms_templates.py), sent through the outbox.
    def send_verification_code_sms(self, user: AbstractBaseUser, phone: str, code: str,
                                   **kwargs: Any) -> None:
        # A code sent late is useless and must not linger: the outbox gives up on it after this.
        self._send(phone=phone, template="verify", params=[code], user=user,
                   send_before=timezone.now() + timedelta(minutes=CODE_VALID_MINUTES))

    def send_unknown_account_sms(self, phone: str, **kwargs: Any) -> None:
        self._send(phone=phone, template="unknown_account")

    def send_account_already_exists_sms(self, phone: str) -> None:
        self._send(phone=phone, template="account_exists")

    def _send(self, *, phone: str, template: str, params: list[str] | None = None,
              user: AbstractBaseUser | None = None, send_before=None) -> None:
        message = send_sms(phone=phone, template=template, params=params or [], kind=template,
                           user_id=getattr(user, "pk", None), send_before=send_before)
        # Over a cap nothing is sent: say so, rather than leave the person waiting for a code.
        if message is not None and message.reason and message.status == message.Status.REFUSED and self.request:
            messages.error(self.request, cap_message(message.reason))

    def set_phone(self, user: AbstractBaseUser, phone: str, verified: bool) -> None:
        user.phone = phone
        user.phone_verified = verified
        if user.pk:
            user.save(update_fields=["phone", "phone_verified"])

    def get_phone(self, user: AbstractBaseUser) -> tuple[str, bool] | None:
        if not user.phone:
            return None
        return user.phone, user.phone_verified

    def set_phone_verified(self, user: AbstractBaseUser, phone: str) -> None:
        self.set_phone(user, phone, True)

    def get_user_by_phone(self, phone: str) -> AbstractBaseUser | None:
        # The login form hands over what the resident typed (13812345678), not E.164.
        try:
            phone = normalize_phone(phone)
        except ValidationError:
            return None
        return User.objects.filter(phone=phone).first()


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """WeChat sign-in: the app that fits the browser, and a phone proved by SMS before any link.

    A computer uses the Open Platform website app (a QR code), WeChat's own browser the official
    account; only the app of the current browser is offered and used, at the start of a sign-in and
    at WeChat's answer alike (both come from the same browser). A WeChat identity seen for the first
    time is linked to nobody yet: it waits in the session until the person proves a phone number by
    SMS code (members/wechat/views.py), then joins the account of that phone or a new one.
    """

    def list_apps(self, request: HttpRequest, provider: str | None = None,
                  client_id: str | None = None) -> list[Any]:
        apps = super().list_apps(request, provider=provider, client_id=client_id)
        # Only "which app for this browser" questions are narrowed: the sign-in (provider "weixin")
        # and the list of sign-in buttons (no provider). An identity asks by its own app's id.
        if request is None or client_id is not None or provider not in (None, wechat.PROVIDER):
            return apps
        wanted = wechat.OFFICIAL_ACCOUNT if wechat.in_wechat_browser(request) else wechat.OPEN_PLATFORM
        return [app for app in apps if app.provider != wechat.PROVIDER or wechat.app_kind(app) == wanted]

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        if sociallogin.account.provider not in wechat.PROVIDER_IDS or sociallogin.is_existing:
            return
        if sociallogin.state.get("process") == AuthProcess.CONNECT:
            user = request.user
            if user.is_authenticated and user.phone and user.phone_verified:
                return  # allauth links it to the signed-in person, whose phone is proven
            messages.error(request, _("Confirm your mobile phone number before linking WeChat."))
            raise ImmediateHttpResponse(redirect("members:wechat_account"))
        from members.wechat.views import pending_start

        raise ImmediateHttpResponse(pending_start(request, sociallogin))
