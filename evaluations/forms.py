"""Forms of the evaluation pages. They validate input; the services re-check everything and write."""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from evaluations.models import Campaign, Evaluatee, EvaluateeKind
from evaluations.selectors import SheetBlock
from evaluations.services import DEFAULT_DIMENSIONS, CampaignSettings, LevelSpec
from evaluations.services.sheets import COMMENT_MAX

DATETIME_INPUT = "%Y-%m-%dT%H:%M"


def _dt() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").replace("、", "\n").splitlines() if line.strip()]


class CampaignForm(forms.Form):
    """The same form for one committee and for a whole street."""

    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Title"), max_length=200)
    evaluators = forms.ChoiceField(label=_("Who evaluates"), choices=Campaign.Evaluators.choices,
                                   initial=Campaign.Evaluators.RESIDENT_REPS)
    include_committee = forms.BooleanField(label=_("Evaluate the residents' committee itself too"), required=False)
    dim_stationed = forms.CharField(label=_("Dimensions for stationed agencies (one per line)"),
                                    widget=forms.Textarea(attrs={"rows": 4}))
    dim_property_firm = forms.CharField(label=_("Dimensions for property firms (one per line)"),
                                        widget=forms.Textarea(attrs={"rows": 4}))
    dim_work_station = forms.CharField(label=_("Dimensions for the work station (one per line)"),
                                       widget=forms.Textarea(attrs={"rows": 4}))
    dim_committee = forms.CharField(label=_("Dimensions for the committee itself (one per line)"),
                                    widget=forms.Textarea(attrs={"rows": 4}))
    scale = forms.CharField(
        label=_("Scale (one level per line: label and weight, or label and “excluded”)"),
        # The levels are what the evaluators (residents) read, so they stay in Chinese whatever the
        # organizer's language; "不计入" marks the level left out of the rate (the form takes "excluded" too).
        widget=forms.Textarea(attrs={"rows": 4}), initial="满意 100\n基本满意 60\n不满意 0\n不了解 不计入")
    rate_formula = forms.ChoiceField(label=_("Satisfaction rate"), choices=Campaign.RateFormula.choices)
    quorum = forms.DecimalField(label=_("Quorum: more than this share of evaluators must take part (%)"),
                                min_value=0, max_value=99, initial=50, decimal_places=1)
    allow_change = forms.BooleanField(label=_("Evaluators may change their sheet until close"), required=False,
                                      initial=True)
    rectification_threshold = forms.DecimalField(
        label=_("A rectification plan is due above this dissatisfaction (%)"), min_value=0, max_value=100,
        initial=20, decimal_places=1)
    rectify_all = forms.BooleanField(label=_("Every evaluatee files a rectification plan"), required=False)
    session_at = forms.DateTimeField(label=_("Meeting session (optional)"), required=False, widget=_dt(),
                                     input_formats=[DATETIME_INPUT])
    session_place = forms.CharField(label=_("Meeting place (optional)"), max_length=200, required=False)
    opens_at = forms.DateTimeField(label=_("Online window opens (optional)"), required=False, widget=_dt(),
                                   input_formats=[DATETIME_INPUT])
    closes_at = forms.DateTimeField(label=_("Online window closes (optional)"), required=False, widget=_dt(),
                                    input_formats=[DATETIME_INPUT])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        year = timezone.localdate().year
        self.fields["year"].initial = year
        self.fields["title"].initial = _("%(y)s year-end evaluation") % {"y": year}
        defaults = "\n".join(str(d) for d in DEFAULT_DIMENSIONS)
        for kind in EvaluateeKind.values:
            self.fields[f"dim_{kind}"].initial = defaults
        self.fields["dim_committee"].required = False

    def clean_scale(self) -> list[LevelSpec]:
        levels = []
        for line in _lines(self.cleaned_data["scale"]):
            label, _sep, rest = line.rpartition(" ")
            if not label:
                raise ValidationError(_("Write each level as a label and a weight, e.g. “满意 100”."), code="scale")
            if rest.lower() in ("excluded", "不计入", "不计"):
                levels.append(LevelSpec(label.strip(), None, excluded=True))
                continue
            try:
                levels.append(LevelSpec(label.strip(), Decimal(rest)))
            except InvalidOperation:
                raise ValidationError(_("“%(w)s” is not a weight: write a number or “excluded”.") % {"w": rest},
                                      code="scale") from None
        if len(levels) < 2:
            raise ValidationError(_("The scale needs at least two levels."), code="scale")
        return levels

    def clean(self):
        data = super().clean()
        if data.get("opens_at") and data.get("closes_at") and data["closes_at"] <= data["opens_at"]:
            self.add_error("closes_at", _("The online window must close after it opens."))
        return data

    def settings(self) -> CampaignSettings:
        d = self.cleaned_data
        dimensions = {kind: _lines(d.get(f"dim_{kind}", "")) for kind in EvaluateeKind.values}
        return CampaignSettings(
            year=d["year"], title=d["title"], evaluators=d["evaluators"], include_committee=d["include_committee"],
            allow_change=d["allow_change"], quorum=d["quorum"] / 100, rate_formula=d["rate_formula"],
            rectification_threshold=d["rectification_threshold"], rectify_all=d["rectify_all"],
            session_at=d["session_at"], session_place=d["session_place"], opens_at=d["opens_at"],
            closes_at=d["closes_at"], levels=d["scale"],
            dimensions={k: v for k, v in dimensions.items() if v})


class LaunchForm(CampaignForm):
    open_now = forms.BooleanField(
        label=_("Open the sheets now in every committee"), required=False, initial=False,
        help_text=_("You then become the only scrutineer of every committee's ballot box, and get one card per "
                    "committee, shown once. Otherwise each committee names its scrutineers first, then opens."))


class ScrutineersForm(forms.Form):
    """The scrutineers (监票人) of a campaign's ballot box, chosen among the people who may be one, and k."""

    scrutineers = forms.TypedMultipleChoiceField(
        label=_("Scrutineers"), coerce=int, widget=forms.CheckboxSelectMultiple,
        help_text=_("Usually three: a committee member, a resident representative and a street officer, any two "
                    "of whom open the box together."))
    threshold = forms.IntegerField(label=_("How many of them together open the box"), min_value=1, max_value=9,
                                   initial=2, widget=forms.NumberInput(attrs={"inputmode": "numeric"}))

    def __init__(self, *args, candidates: list[tuple[str, list]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.people = {user.pk: user for _label, users in candidates for user in users}
        self.fields["scrutineers"].choices = [(label, [(user.pk, user.display_name) for user in users])
                                              for label, users in candidates]

    def users(self) -> list:
        return [self.people[pk] for pk in self.cleaned_data["scrutineers"]]


@dataclass
class SheetSection:
    """One evaluatee's part of the sheet as the page shows it: its rating fields and its comment."""
    evaluatee: Evaluatee
    fields: list = field(default_factory=list)
    comment: object = None


class SheetForm(forms.Form):
    """One radio field per question (``q<question id>``), one comment per evaluatee (``c<evaluatee id>``).

    ``sections``: the bound fields, evaluatee by evaluatee, in the sheet's order (``blocks`` are
    shared between requests and stay as they are).
    """

    def __init__(self, *args, blocks: list[SheetBlock], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        errors = {"required": _("Choose a level (or “don't know”)."),
                  "invalid_choice": _("Choose among the levels given.")}
        names = []
        for block in blocks:
            questions = []
            for item in block.items:
                name = f"q{item.question_id}"
                self.fields[name] = forms.ChoiceField(
                    label=item.dimension.name, widget=forms.RadioSelect, error_messages=errors,
                    choices=[(str(o.pk), o.label) for o in item.question.options.all()])
                questions.append(name)
            comment = f"c{block.evaluatee.pk}"
            self.fields[comment] = forms.CharField(
                label=_("Comment on %(n)s (optional, anonymous)") % {"n": block.evaluatee.name}, required=False,
                max_length=COMMENT_MAX, widget=forms.Textarea(attrs={"rows": 2}))
            names.append((block.evaluatee, questions, comment))
        self.sections = [SheetSection(evaluatee, [self[n] for n in questions], self[comment])
                         for evaluatee, questions, comment in names]


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=300)


class PlanForm(forms.Form):
    targets = forms.CharField(label=_("Targets"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)
    measures = forms.CharField(label=_("Measures"), widget=forms.Textarea(attrs={"rows": 6}), max_length=4000)
    head_name = forms.CharField(label=_("Name of the agency's head who answers for the plan"), max_length=60)


class ProgressForm(forms.Form):
    note = forms.CharField(label=_("Progress"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class DashboardFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)
    kind = forms.ChoiceField(label=_("Evaluatee kind"), required=False,
                             choices=[("", _("All kinds"))] + list(EvaluateeKind.choices))
    committee = forms.TypedChoiceField(label=_("Residents' committee"), coerce=int, required=False)

    def __init__(self, *args, years: list[int], committees, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, y) for y in years]
        self.fields["committee"].choices = [("", _("All committees"))] + [(c.pk, c.name) for c in committees]
