"""Forms of the hearing pages. They check input; the services check the rules."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from decisions.forms import IdsField, quorum_of, quorum_percent_field, quorum_reason_field
from decisions.models import Ballot
from hearings.models import Hearing, HearingAttendance, HearingPanelMember, HearingRegistration, HearingStatement
from members.models import Agency, Building, Compound
from members.uploads import ALLOWED_HELP

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


def _text(label, rows: int = 4, required: bool = True, max_length: int | None = None, help_text: str = ""):
    return forms.CharField(label=label, required=required, max_length=max_length, help_text=help_text,
                           widget=forms.Textarea(attrs={"rows": rows}))


class HearingForm(forms.Form):
    title = forms.CharField(label=_("Matter"), max_length=200)
    background = _text(_("Background"), rows=6, required=False)
    scope = forms.ChoiceField(label=_("Affected area"), choices=Hearing.Scope.choices, widget=forms.RadioSelect)
    # IdsField: an id no database can hold is an invalid choice, not a 500 (SQLite; found by the fuzz suite).
    compounds = IdsField(label=_("Compounds"), queryset=Compound.objects.none(),
                                               required=False, widget=forms.CheckboxSelectMultiple)
    buildings = IdsField(label=_("Buildings"), queryset=Building.objects.none(),
                                               required=False, widget=forms.CheckboxSelectMultiple)
    starts_at = forms.DateTimeField(label=_("Date and time of the hearing"), widget=DATETIME,
                                    input_formats=DATETIME_FORMATS)
    place = forms.CharField(label=_("Venue"), max_length=200)
    opinion_opens_at = forms.DateTimeField(label=_("Written opinions from"), widget=DATETIME,
                                           input_formats=DATETIME_FORMATS)
    opinion_closes_at = forms.DateTimeField(label=_("Written opinions until"), widget=DATETIME,
                                            input_formats=DATETIME_FORMATS)
    observer_quota = forms.IntegerField(label=_("Observer places"), min_value=0, max_value=500, initial=10)
    previous = forms.ModelChoiceField(label=_("Follow-up round of"), queryset=Hearing.objects.none(),
                                      required=False, help_text=_("For example a pilot, then full implementation."))

    def __init__(self, *args, committee, with_previous: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["compounds"].queryset = Compound.objects.filter(committee=committee).order_by("name")
        self.fields["buildings"].queryset = (Building.objects.filter(compound__committee=committee)
                                             .select_related("compound").order_by("compound__name", "name"))
        if with_previous:
            self.fields["previous"].queryset = Hearing.objects.filter(committee=committee).order_by("-starts_at")
        else:
            del self.fields["previous"]

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data["compounds"], data["buildings"] = list(data["compounds"]), list(data["buildings"])
        return data


class HearingSettingsForm(forms.Form):
    notice_days = forms.IntegerField(label=_("Days of notice before a hearing"), min_value=1, max_value=90)
    public_notice_days = forms.IntegerField(label=_("Days of public notice of the outcome"), min_value=1,
                                            max_value=90)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"), help_text=ALLOWED_HELP)
    title = forms.CharField(label=_("Description"), max_length=200, required=False)


class PanelForm(forms.Form):
    role = forms.ChoiceField(label=_("Role on the panel"), choices=HearingPanelMember.Role.choices)
    phone = forms.CharField(label=_("Mobile phone of a person with an account"), max_length=20, required=False)
    agency = forms.ModelChoiceField(label=_("Unit"), queryset=Agency.objects.none(), required=False)
    name = forms.CharField(label=_("Or a name"), max_length=120, required=False)

    def __init__(self, *args, committee, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.filter(street_id=committee.street_id).order_by("kind", "name")


class ReasonForm(forms.Form):
    reason = _text(_("Reason"), rows=3, max_length=300)


class AnnounceForm(forms.Form):
    late_reason = _text(_("Reason for the short notice (only if the hearing is closer than the notice period)"),
                        rows=3, required=False, max_length=500,
                        help_text=_("It is shown publicly on the hearing's page and notice."))


class OutcomeForm(forms.Form):
    decision = _text(_("Decision of the committee"), rows=4)
    reasons = _text(_("Reasons, citing the hearing"), rows=6)


class RegisterForm(forms.Form):
    kind = forms.ChoiceField(label=_("I want to"), choices=[
        (HearingRegistration.Kind.SPEAKER, _("speak at the hearing (speaker)")),
        (HearingRegistration.Kind.OBSERVER, _("observe the hearing"))], widget=forms.RadioSelect)
    topic = _text(_("What you want to say (for speakers)"), rows=3, required=False, max_length=500)
    contact = forms.CharField(label=_("Phone the committee may call you on"), max_length=30, required=False,
                              help_text=_("Only the organizers see it."))


class OpinionForm(forms.Form):
    text = _text(_("Your written opinion"), rows=5)
    hide_name = forms.BooleanField(label=_("Show my name to the organizers only"), required=False)


class CheckInForm(forms.Form):
    person = forms.ChoiceField(label=_("Expected attendee"), required=False)
    name = forms.CharField(label=_("Or a name"), max_length=120, required=False,
                           help_text=_("Someone without an account, for example a lawyer or a police officer: "
                                       "they confirm the minutes on paper."))
    organisation = forms.CharField(label=_("Organisation (optional)"), max_length=120, required=False)
    phone = forms.CharField(label=_("Phone (optional, for the organizers only)"), max_length=30, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    role = forms.ChoiceField(label=_("Present as"), choices=HearingAttendance.Role.choices)

    def __init__(self, *args, expected, **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {str(user.pk): user for user, _role in expected}
        self.fields["person"].choices = [("", "—")] + [(str(user.pk), user.display_name) for user, _r in expected]


class StatementForm(forms.Form):
    speaker = forms.ChoiceField(label=_("Speaker"), required=False)
    guest = forms.ChoiceField(label=_("Or a speaker without an account"), required=False)
    speaker_name = forms.CharField(label=_("Or a name"), max_length=120, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=HearingStatement.Kind.choices)
    text = _text(_("What was said"), rows=4)

    def __init__(self, *args, attendees, **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {str(a.user_id): a.user for a in attendees if a.user_id}
        self.guests = {str(a.pk): a for a in attendees if not a.user_id}
        self.fields["speaker"].choices = [("", "—")] + [(str(a.user_id), a.name) for a in attendees if a.user_id]
        self.fields["guest"].choices = [("", "—")] + [(key, a.display_name) for key, a in self.guests.items()]
        if not self.guests:
            del self.fields["guest"]


class EarlyStartForm(forms.Form):
    reason = _text(_("Reason for opening before the announced time"), rows=2, required=False, max_length=500,
                   help_text=_("Needed only before the announced time (less a few minutes' grace); shown on the "
                               "hearing's public page."))


class PaperConfirmationForm(forms.Form):
    attendee = forms.ChoiceField(label=_("Signed the printed minutes"))

    def __init__(self, *args, attendees, **kwargs):
        super().__init__(*args, **kwargs)
        self.guests = {str(a.pk): a for a in attendees if not a.user_id}
        self.fields["attendee"].choices = [(key, a.display_name) for key, a in self.guests.items()]


class VoteForm(forms.Form):
    question = forms.CharField(label=_("Question put to the vote"), max_length=300)
    electorate = forms.ChoiceField(label=_("Who votes"), widget=forms.RadioSelect, choices=[
        ("households", _("the households of the affected area (one voice each)")),
        ("panel", _("the panel"))])
    rule = forms.ChoiceField(label=_("Decision rule"), choices=[
        (r.value, r.label) for r in Ballot.Rule if r != Ballot.Rule.NONE])
    secrecy = forms.ChoiceField(label=_("Secrecy"), choices=Ballot.Secrecy.choices)
    quorum_percent = quorum_percent_field()
    quorum_reason = quorum_reason_field()

    def quorum(self) -> Decimal | None:
        return quorum_of(self.cleaned_data["quorum_percent"])


class MinutesForm(forms.Form):
    record = _text(_("Record of the hearing"), rows=10)
    summary = _text(_("Summary"), rows=5)


class CorrectionForm(MinutesForm):
    reason = _text(_("Reason for the correction"), rows=2, max_length=500)


class ObjectionForm(forms.Form):
    text = _text(_("Your objection"), rows=4)


class AnswerForm(forms.Form):
    answer = _text(_("Public answer"), rows=4)
