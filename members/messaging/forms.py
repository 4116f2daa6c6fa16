"""The forms of messaging: asking for a login code within the SMS caps, and choosing a channel.

Apart from ``members.forms`` because allauth imports that module half way through its own forms,
before ``RequestLoginCodeForm`` exists.
"""

from allauth.account.forms import RequestLoginCodeForm as AllauthRequestLoginCodeForm
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from members.messaging import channels
from members.messaging.outbox import cap_message, sms_cap_refusal
from members.phone import normalize_phone


class RequestLoginCodeForm(AllauthRequestLoginCodeForm):
    """Ask for a login code by SMS; refused with a clear message when the number is over an SMS cap."""

    def clean_phone(self) -> str:
        phone = super().clean_phone()
        if phone:
            try:
                number = normalize_phone(phone)
            except ValidationError:
                return phone
            reason = sms_cap_refusal(phone=number)
            if reason:
                raise ValidationError(cap_message(reason), code=reason)
        return phone


class ContactChoiceForm(forms.Form):
    """How a person wants to be told: one of the channels open to them."""

    channel = forms.ChoiceField(label=_("Tell me by"), widget=forms.RadioSelect)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [(c.name, c.label) for c in channels.available_to(user)]
