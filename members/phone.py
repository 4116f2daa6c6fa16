"""Phone numbers and the one function that sends an SMS."""

import logging

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

# Messages "sent" with SMS_BACKEND="locmem" (tests), like django.core.mail.outbox.
outbox: list[dict[str, str]] = []


def normalize_phone(raw: str) -> str:
    """Return a mobile number in E.164 form (+8613812345678), or raise ValidationError."""
    try:
        number = phonenumbers.parse((raw or "").strip(), settings.SMS_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number) or (
        phonenumbers.number_type(number)
        not in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
    ):
        raise ValidationError(
            _("Enter a valid mobile phone number, for example 13812345678."), code="invalid_phone"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str | None) -> str:
    """Show a stored number the way residents write it (138 1234 5678)."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def send_sms(*, phone: str, message: str) -> None:
    """Send one SMS. Development prints it; tests keep it in ``outbox``.

    A real gateway is plugged in here (SMS_BACKEND) when a committee has a contract with one.
    """
    backend = settings.SMS_BACKEND
    if backend == "locmem":
        outbox.append({"phone": phone, "message": message})
    elif backend == "console":
        # Printed on purpose: in development this is how you read the code.
        print(f"[SMS to {phone}] {message}", flush=True)  # noqa: T201
    else:
        raise RuntimeError(f"Unknown SMS_BACKEND {backend!r}")
    logger.info("SMS sent to %s", phone[:-4] + "****")
