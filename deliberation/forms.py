"""Forms of party-member deliberation and floor consultations. They validate input; the services
re-check everything and write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from decisions.forms import DATETIME_INPUT, local_datetime_widget
from decisions.models import Ballot


class TopicProposeForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    material = forms.CharField(label=_("Material"), required=False, widget=forms.Textarea(attrs={"rows": 8}),
                               help_text=_("Plain text or Markdown (lists, **bold**, links); no HTML."))
    as_organization = forms.BooleanField(label=_("Propose for the party organization (no seconds needed)"),
                                         required=False)

    def __init__(self, *args, secretary: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not secretary:
            del self.fields["as_organization"]


class PartySettingsForm(forms.Form):
    seconds_needed = forms.IntegerField(label=_("Seconds a member's proposal needs"), min_value=0, max_value=50)
    electorate = forms.ChoiceField(label=_("Who votes on topics"), choices=[])
    quorum_percent = forms.IntegerField(label=_("Quorum: more than this percentage of those entitled must take part"),
                                        min_value=0, max_value=100)

    def __init__(self, *args, **kwargs) -> None:
        from deliberation.models import PartySettings

        super().__init__(*args, **kwargs)
        self.fields["electorate"].choices = PartySettings.Electorate.choices


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Your comment"), max_length=20000, widget=forms.Textarea(attrs={"rows": 4}),
                           help_text=_("Plain text or Markdown; no HTML."))
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class TopicVoteOpenForm(forms.Form):
    question = forms.CharField(label=_("Question put to the vote"), max_length=300, required=False,
                               help_text=_("Leave empty to ask whether members agree with the topic."))
    closes_at = forms.DateTimeField(label=_("Voting closes (optional)"), required=False,
                                    widget=local_datetime_widget(), input_formats=[DATETIME_INPUT])


class ResolutionForm(forms.Form):
    resolution = forms.CharField(label=_("Resolution"), max_length=20000, widget=forms.Textarea(attrs={"rows": 6}))


class OptionForm(forms.Form):
    """Choose one option of a ballot's first question (party votes and household opinions)."""

    option = forms.TypedChoiceField(label=_("Your choice"), coerce=int, widget=forms.RadioSelect, choices=[])

    def __init__(self, *args, options=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["option"].choices = [(o.pk, o.label) for o in options]


class OpinionForm(OptionForm):
    comment = forms.CharField(label=_("Comment of your household (optional)"), max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))


class AssistedOpinionForm(OpinionForm):
    household = forms.TypedChoiceField(label=_("Household"), coerce=int, choices=[])
    consent_note = forms.CharField(label=_("How the resident agreed"), max_length=300,
                                   help_text=_("For example: asked at home on 3 June, in the presence of her son."))

    field_order = ["household", "option", "consent_note", "comment"]

    def __init__(self, *args, households=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["household"].choices = [(h.pk, str(h.door_number)) for h in households]
        self.fields["comment"].label = _("Comment of the household (optional)")


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_at = forms.DateTimeField(label=_("Date and time"), widget=local_datetime_widget(),
                                    input_formats=[DATETIME_INPUT])
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    topics = forms.TypedMultipleChoiceField(label=_("Topics"), coerce=int, required=False,
                                            widget=forms.CheckboxSelectMultiple, choices=[])

    def __init__(self, *args, topics=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topics"].choices = [(t.pk, t.title) for t in topics]


class AttendanceForm(forms.Form):
    present = forms.TypedMultipleChoiceField(label=_("Present"), coerce=int, required=False,
                                             widget=forms.CheckboxSelectMultiple, choices=[])

    def __init__(self, *args, members=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["present"].choices = [(u.pk, u.display_name) for u in members]


class ConsultationOpenForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    matter = forms.ChoiceField(label=_("Matter"), choices=[])
    description = forms.CharField(label=_("What it is about"), required=False, max_length=20000,
                                  widget=forms.Textarea(attrs={"rows": 5}),
                                  help_text=_("Plain text or Markdown; no HTML."))
    question = forms.CharField(label=_("Question to the households"), max_length=300, required=False,
                               help_text=_("Leave empty to ask whether they agree with the title."))
    rule = forms.ChoiceField(label=_("Decision rule"), choices=[])
    secrecy = forms.ChoiceField(label=_("Secrecy"), choices=[],
                                help_text=_("Named: the floor leader sees who has not answered yet and the "
                                            "agreed opinion lists who agreed."))
    proposed_convention = forms.CharField(
        label=_("Proposed building convention (for a convention matter)"), required=False, max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args, **kwargs) -> None:
        from deliberation.models import Consultation

        super().__init__(*args, **kwargs)
        self.fields["matter"].choices = Consultation.Matter.choices
        self.fields["rule"].choices = [(r, Ballot.Rule(r).label) for r in Consultation.RULES]
        self.fields["secrecy"].choices = Ballot.Secrecy.choices


class AgreeForm(forms.Form):
    opinion = forms.CharField(label=_("Agreed opinion"), max_length=20000, widget=forms.Textarea(attrs={"rows": 6}))


class FollowUpForm(forms.Form):
    what = forms.CharField(label=_("What is to be done"), max_length=300)
    owner = forms.CharField(label=_("Who does it"), max_length=120)
    due_on = forms.DateField(label=_("Due by"), widget=forms.DateInput(attrs={"type": "date"}))


class FollowUpNoteForm(forms.Form):
    text = forms.CharField(label=_("Progress"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    status = forms.ChoiceField(label=_("Status"), choices=[])

    def __init__(self, *args, **kwargs) -> None:
        from deliberation.models import FollowUp

        super().__init__(*args, **kwargs)
        self.fields["status"].choices = FollowUp.Status.choices
