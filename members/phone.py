"""Phone numbers, how logs show them, and the one function that sends an SMS."""


import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Messages "sent" with SMS_BACKEND="locmem" (tests), like django.core.mail.outbox: the phone, the template,
# its parameters and the message as the recipient reads it.
outbox: list[dict] = []


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


def mask_phone(phone: str | None) -> str:
    """The number as logs and the outbox show it: 138****0001 (never the whole number)."""
    if not phone:
        return ""
    digits = phone[3:] if phone.startswith("+86") else phone.lstrip("+")
    if len(digits) < 8:
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"


def send_sms(*, phone: str, template: str, params: list[str] | tuple[str, ...] = (), kind: str = "",
             dedupe_key: str = "", user_id: int | None = None, committee_id: int | None = None,
             send_before=None):
    """Put one SMS (an approved template and its parameters) in the outbox; it is sent after commit.

    Returns the outbox row (refused when over a cap: see ``members.messaging.outbox``), or None when
    ``dedupe_key`` was already used. ``SMS_BACKEND`` chooses the gateway.
    """
    from members.messaging.outbox import sms_enqueue

    return sms_enqueue(phone=phone, template=template, params=list(params), kind=kind, dedupe_key=dedupe_key,
                       user_id=user_id, committee_id=committee_id, send_before=send_before)
