"""Forms of the members directory. They validate input; services do the writing."""

from allauth.account.forms import LoginForm as AllauthLoginForm
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from members.models import Building, Household, Notification, Role
from members.phone import normalize_phone


class PhoneField(forms.CharField):
    """A mobile number as residents type it (13812345678), stored as E.164 (+8613812345678)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label", _("Mobile phone"))
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("widget", forms.TextInput(attrs={
            "type": "tel", "autocomplete": "tel", "inputmode": "tel", "placeholder": "13812345678"}))
        kwargs.pop("validators", None)
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return value
        return normalize_phone(value.replace(" ", "").replace("-", ""))


class LoginForm(AllauthLoginForm):
    """allauth's login form, labelled for what people here type: a phone number or a username."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["login"]
        field.label = _("Mobile phone or username")
        field.widget.attrs.update({"autocomplete": "username", "placeholder": "13812345678",
                                   "autocapitalize": "none"})


class SignupExtraForm(forms.Form):
    """The extra field allauth's phone signup asks for: the resident's name."""

    full_name = forms.CharField(label=_("Your name"), max_length=60,
                                help_text=_("As your neighbours and the committee know you."),
                                widget=forms.TextInput(attrs={"autocomplete": "name"}))

    field_order = ["full_name", "phone", "password1", "password2"]

    def clean_full_name(self) -> str:
        name = self.cleaned_data["full_name"].strip()
        if not name:
            raise ValidationError(_("Enter your name."), code="required")
        return name

    def signup(self, request, user) -> None:
        user.full_name = self.cleaned_data["full_name"]
        user.save(update_fields=["full_name"])


class JoinHouseholdForm(forms.Form):
    """Pick a door number in a building the resident has already chosen."""

    household = forms.ModelChoiceField(queryset=Household.objects.none(), label=_("Door number"),
                                       empty_label=_("Choose your door number"),
                                       error_messages={
                                           "invalid_choice": _("Choose a door number from the list.")})

    def __init__(self, *args, building: Building, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = building.households.order_by("door_number")
        self.fields["household"].label_from_instance = lambda h: h.door_number


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason for rejection"), max_length=300,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("The person will see this reason."))


class ResidentFilterForm(forms.Form):
    q = forms.CharField(label=_("Search by name, phone or door number"), required=False, max_length=60)
    building = forms.ModelChoiceField(queryset=Building.objects.none(), required=False,
                                      label=_("Building"), empty_label=_("All buildings"))

    def __init__(self, *args, committee, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["building"].queryset = (Building.objects.filter(compound__committee=committee)
                                            .select_related("compound"))


class RoleGrantForm(forms.Form):
    KINDS = [(k.value, k.label) for k in (*Role.COMMITTEE_KINDS, Role.Kind.FLOOR_LEADER)]

    phone = PhoneField(label=_("The person's mobile phone"))
    kind = forms.ChoiceField(label=_("Role"), choices=KINDS)
    building = forms.ModelChoiceField(queryset=Building.objects.none(), required=False,
                                      label=_("Building (floor leaders only)"),
                                      empty_label=_("Not needed"))

    def __init__(self, *args, committee, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["building"].queryset = (Building.objects.filter(compound__committee=committee)
                                            .select_related("compound"))

    def clean(self):
        data = super().clean()
        if data.get("kind") == Role.Kind.FLOOR_LEADER and not data.get("building"):
            self.add_error("building", ValidationError(_("Choose the building this floor leader heads."),
                                                       code="required"))
        return data


class RosterUploadForm(forms.Form):
    file = forms.FileField(label=_("Roster file (CSV or XLSX)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}))


class NotificationPreferencesForm(forms.Form):
    """The kinds of notification a person wants; every kind left unticked is turned off."""

    receive = forms.MultipleChoiceField(
        label=_("Tell me about"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(kind.value, kind.label) for kind in Notification.Kind])

    def kinds_off(self) -> set[str]:
        return set(Notification.Kind.values) - set(self.cleaned_data["receive"])

