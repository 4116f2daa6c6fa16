"""Forms of the casework pages: each feeds one service call; choices are scoped to the request's committee."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from casework.models import DAYS_TO_HANDLE, Case, Category
from casework.selectors import led_building_ids
from members.models import Agency, Building, Committee, Compound, User
from members.uploads import ALLOWED_HELP, validate_attachment

PHOTO_HELP = format_lazy("{} {}", _("Optional."), ALLOWED_HELP)


class _PlaceChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return str(obj)


def _photo_field() -> forms.FileField:
    return forms.FileField(label=_("Photo"), required=False, help_text=PHOTO_HELP,
                           widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"}))


class _PhotoChecked(forms.Form):
    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo:
            validate_attachment(photo)
        return photo


class CaseForm(_PhotoChecked):
    """A request: where, what, a photo, and whether the handler may see who asks."""

    requester_name = forms.CharField(label=_("Resident's name"), max_length=60, required=False)
    requester_phone = forms.CharField(label=_("Resident's phone (seen by the committee only)"), max_length=20,
                                      required=False)
    channel = forms.ChoiceField(label=_("How was it received?"), required=False,
                                choices=[(Case.Channel.PHONE, Case.Channel.PHONE.label),
                                         (Case.Channel.VISIT, Case.Channel.VISIT.label)])
    compound = forms.ModelChoiceField(label=_("Compound"), queryset=Compound.objects.none(), empty_label=None)
    building = _PlaceChoice(label=_("Building"), queryset=Building.objects.none(), required=False,
                            empty_label=_("Not in a building (a common area)"))
    spot = forms.CharField(label=_("Room or place"), max_length=80, required=False,
                           help_text=_("For example “302” or “the lift lobby”."))
    category = forms.ChoiceField(label=_("What kind of matter?"), choices=Category.choices)
    description = forms.CharField(label=_("What is the matter?"), widget=forms.Textarea(attrs={"rows": 4}))
    photo = _photo_field()
    named_to_handler = forms.BooleanField(
        label=_("The property firm or agency handling it may see my name"), required=False,
        help_text=_("If not ticked, only the committee knows who asked."))

    def __init__(self, *args, committee: Committee, user: User, on_behalf: bool, organizer: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["compound"].queryset = Compound.objects.filter(committee=committee).order_by("name")
        buildings = Building.objects.filter(compound__committee=committee).select_related("compound")
        if on_behalf and not organizer:
            buildings = buildings.filter(pk__in=led_building_ids(user))
        self.fields["building"].queryset = buildings.order_by("compound__name", "name")
        if on_behalf:
            self.fields["requester_name"].required = True
            self.fields["named_to_handler"].label = _("The resident agrees that the handler may see their name")
        else:
            for name in ("requester_name", "requester_phone", "channel"):
                del self.fields[name]
        if not organizer and "channel" in self.fields:
            del self.fields["channel"]

    def clean(self):
        data = super().clean()
        building, compound = data.get("building"), data.get("compound")
        if building is not None and compound is not None and building.compound_id != compound.pk:
            raise ValidationError(_("That building is not in the compound chosen."))
        return data


class RouteForm(forms.Form):
    handler = forms.ModelChoiceField(label=_("Route to"), queryset=Agency.objects.none(), empty_label=None)
    days = forms.IntegerField(label=_("Working days to answer"), min_value=1, max_value=30, initial=DAYS_TO_HANDLE)
    note = forms.CharField(label=_("Note for the handler (optional)"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, agencies, firm_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = agencies
        if firm_id:
            self.fields["handler"].initial = firm_id


class TextPhotoForm(_PhotoChecked):
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 3}))
    photo = _photo_field()

    def __init__(self, *args, label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["text"].label = label


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class RateForm(forms.Form):
    rating = forms.ChoiceField(label=_("How satisfied are you with the answer?"), choices=Case.Rating.choices,
                               widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Comment (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
