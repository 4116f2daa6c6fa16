"""Forms of the WeChat sign-in steps. They validate input; the services write."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from members.forms import PhoneField


class PhoneForm(forms.Form):
    phone = PhoneField(label=_("Your mobile phone"),
                       help_text=_("We send a code to this number. Your account is the one of this number."))


class CodeForm(forms.Form):
    code = forms.CharField(label=_("Code from the SMS"), max_length=6, min_length=6,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code",
                                                         "pattern": "[0-9]*"}),
                           error_messages={"min_length": _("The code has 6 digits."),
                                           "max_length": _("The code has 6 digits.")})

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        if not code.isdigit():
            raise ValidationError(_("The code has 6 digits."), code="invalid_code")
        return code


class NameForm(forms.Form):
    full_name = forms.CharField(label=_("Your name"), max_length=60,
                                help_text=_("As your neighbours and the committee know you."),
                                widget=forms.TextInput(attrs={"autocomplete": "name"}))

    def clean_full_name(self) -> str:
        name = self.cleaned_data["full_name"].strip()
        if not name:
            raise ValidationError(_("Enter your name."), code="required")
        return name
