"""Forms of the coordination pages: each feeds one service call; choices are scoped to the meeting."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from coordination.models import CoordinationParticipant
from members.models import Agency, Committee, Household, Membership, User
from members.uploads import ALLOWED_HELP


class RequestForm(forms.Form):
    committee = forms.ModelChoiceField(label=_("Residents' committee"), queryset=Committee.objects.none(),
                                       empty_label=None)
    subject = forms.CharField(label=_("What is it about?"), max_length=200)
    agency = forms.ModelChoiceField(label=_("With an agency or property firm"), required=False,
                                    queryset=Agency.objects.none(), empty_label=_("None"))
    other_parties_text = forms.CharField(label=_("Who else is involved?"), max_length=300, required=False,
                                         help_text=_("For example a neighbour's door number, or the owners' "
                                                     "committee."))
    request_text = forms.CharField(label=_("What do you ask for?"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        committee_ids = Membership.objects.filter(user=user, status=Membership.Status.VERIFIED).values(
            "household__building__compound__committee_id")
        self.fields["committee"].queryset = Committee.objects.filter(pk__in=committee_ids).order_by("name")
        self.fields["agency"].queryset = Agency.objects.filter(
            Q(committees__in=committee_ids) | Q(compounds__committee__in=committee_ids)).distinct().order_by(
            "kind", "name")


class OpenForm(forms.Form):
    subject = forms.CharField(label=_("What is it about?"), max_length=200)
    request_text = forms.CharField(label=_("Background"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class NoteForm(forms.Form):
    note = forms.CharField(label=_("How was the matter settled?"), required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))


class ScheduleForm(forms.Form):
    scheduled_at = forms.DateTimeField(label=_("Date and time"),
                                       widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                                  format="%Y-%m-%dT%H:%M"))
    place = forms.CharField(label=_("Meeting place"), max_length=200)


class ParticipantForm(forms.Form):
    kind = forms.ChoiceField(label=_("Takes part as"), choices=CoordinationParticipant.Kind.choices)
    phone = forms.CharField(label=_("Person: mobile phone or username"), required=False, max_length=40,
                            help_text=_("For a resident, the owners' committee's representative or another "
                                        "participant."))
    household = forms.ModelChoiceField(label=_("Household"), required=False, queryset=Household.objects.none())
    agency = forms.ModelChoiceField(label=_("Agency or property firm"), required=False,
                                    queryset=Agency.objects.none())
    label = forms.CharField(label=_("Name shown (optional)"), required=False, max_length=120)
    name = forms.CharField(label=_("Or, for someone without an account: their name"), required=False,
                           max_length=120, help_text=_("For example a mediator, a police officer or a lawyer. The "
                                                       "organizer gives them notice and takes their confirmation "
                                                       "on paper."))
    organisation = forms.CharField(label=_("Organisation (optional)"), required=False, max_length=120)
    contact_phone = forms.CharField(label=_("Their phone (optional, for the organizers only)"), required=False,
                                    max_length=30,
                                    widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))

    def __init__(self, *args, committee: Committee, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = (Household.objects.filter(building__compound__committee=committee)
                                             .select_related("building__compound"))
        self.fields["agency"].queryset = Agency.objects.filter(street=committee.street_id).order_by("kind", "name")

    def clean_phone(self):
        from members.phone import normalize_phone

        text = self.cleaned_data["phone"].strip()
        if not text:
            return None
        user = User.objects.filter(username=text).first()
        if user is None:
            try:
                user = User.objects.filter(phone=normalize_phone(text)).first()
            except ValidationError:  # not a phone number either: "not found" below
                user = None
        if user is None:
            raise forms.ValidationError(_("No one with this phone number or username was found."))
        return user


class StatementForm(forms.Form):
    participant = forms.ModelChoiceField(label=_("Who"), queryset=CoordinationParticipant.objects.none(),
                                         empty_label=None)
    text = forms.CharField(label=_("Statement"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participant"].queryset = meeting.participants.select_related(
            "user", "agency", "household__building__compound")


class EarlyStartForm(forms.Form):
    reason = forms.CharField(label=_("Reason for starting before the noticed time"), required=False,
                             max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("Needed only before the time in the notice (less a few minutes' grace); "
                                         "shown on the meeting's page."))


class ConcludeForm(forms.Form):
    points_in_dispute = forms.CharField(label=_("Points in dispute"), required=False,
                                        widget=forms.Textarea(attrs={"rows": 3}))
    record_text = forms.CharField(label=_("Mediation record"), widget=forms.Textarea(attrs={"rows": 5}))
    agreement_reached = forms.TypedChoiceField(
        label=_("Outcome"), widget=forms.RadioSelect, coerce=lambda v: v == "yes",
        choices=[("yes", _("The parties reached an agreement")), ("no", _("No agreement"))])
    agreement_text = forms.CharField(label=_("Agreement (协调意见)"), required=False,
                                     widget=forms.Textarea(attrs={"rows": 4}))
    early_reason = forms.CharField(label=_("Reason for concluding before the day in the notice"), required=False,
                                   max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
                                   help_text=_("Needed only before that day; shown on the meeting's page."))


class DocumentForm(forms.Form):
    points_in_dispute = forms.CharField(label=_("Points in dispute"), required=False,
                                        widget=forms.Textarea(attrs={"rows": 3}))
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args, document, **kwargs):
        super().__init__(*args, **kwargs)
        if document.kind != "record":
            del self.fields["points_in_dispute"]


class CorrectionForm(DocumentForm):
    reason = forms.CharField(label=_("Reason for the correction"), widget=forms.Textarea(attrs={"rows": 2}))


class ActionForm(forms.Form):
    description = forms.CharField(label=_("What is to be done"), widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.ChoiceField(label=_("Owner"))
    due_date = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        parties = meeting.participants.filter(is_party=True).select_related("user", "agency",
                                                                              "household__building__compound")
        agencies = Agency.objects.filter(street=meeting.committee.street_id).exclude(
            pk__in=[p.agency_id for p in parties if p.agency_id]).order_by("kind", "name")
        self.parties = {f"p{p.pk}": p for p in parties}
        self.agencies = {f"a{a.pk}": a for a in agencies}
        self.fields["owner"].choices = [
            (_("Parties"), [(key, p.name) for key, p in self.parties.items()]),
            (_("Agencies"), [(key, a.name) for key, a in self.agencies.items()]),
        ]

    def owner_kwargs(self) -> dict:
        key = self.cleaned_data["owner"]
        if key in self.parties:
            return {"owner_participant": self.parties[key]}
        return {"owner_agency": self.agencies[key]}


class ProgressForm(forms.Form):
    text = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}))
    attachment = forms.FileField(label=_("Photo or document (optional)"), required=False, help_text=ALLOWED_HELP)
    done = forms.BooleanField(label=_("The action is done"), required=False)


class PaperForm(forms.Form):
    participant = forms.ModelChoiceField(label=_("Signed on paper by"), queryset=CoordinationParticipant.objects.none(),
                                         empty_label=None)

    def __init__(self, *args, participants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participant"].queryset = participants


class SettingsForm(forms.Form):
    notice_days = forms.IntegerField(label=_("Minimum notice to parties (days)"), min_value=1, max_value=60)

