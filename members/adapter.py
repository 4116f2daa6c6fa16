"""allauth adapter: phone numbers live on members.User."""

from datetime import timedelta
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.stages import PhoneVerificationStage
from django.contrib import messages
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.utils import timezone

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
