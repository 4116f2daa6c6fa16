"""Forms of the ballot pages. They validate input; the services re-check everything and write."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from decisions.models import Ballot, Question
from decisions.services import OptionSpec
from members.models import Building, Committee, Compound, User

DATETIME_INPUT = "%Y-%m-%dT%H:%M"
ID_MAX = 2 ** 63 - 1



# --- The quorum, as every form that sets up a ballot asks for it -----------------------------

def quorum_percent_field() -> forms.DecimalField:
    return forms.DecimalField(
        label=_("Quorum: more than this percentage of the voices must take part"), required=False,
        min_value=Decimal(0), max_value=Decimal(100), max_digits=5, decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
        help_text=_("Leave empty for the default: more than 50% (none for the Civil Code art. 278 rules, which "
                    "require two thirds of owners and area themselves). 100% means everyone."))


def quorum_reason_field() -> forms.CharField:
    return forms.CharField(
        label=_("Reason for a lower quorum"), required=False, max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed only below the default; shown on the ballot's page, its result and its notice."))


def quorum_of(percent: Decimal | None) -> Decimal | None:
    """The ballot's quorum (a share) from the percentage typed; None: the default for its rule."""
    return None if percent is None else (percent / 100).quantize(Decimal("0.0001"))


class IdsField(forms.ModelMultipleChoiceField):
    """Ids ticked in a list; an id no database can hold is an invalid choice, not a crash (SQLite)."""

    def _check_values(self, value):
        for pk in value:
            text = str(pk).strip()
            if not text.isdecimal() or not 0 < int(text) <= ID_MAX:
                raise ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                                      params={"pk": pk})
        return super()._check_values(value)


def local_datetime_widget() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT)


# --- Voting --------------------------------------------------------------------------------

class VoteForm(forms.Form):
    """One field per question, named ``q<question id>``; values are option ids.

    The same fields carry the choices to the confirmation page as hidden inputs, where they are
    validated again; the service validates them a third time.
    """

    def __init__(self, *args, questions: list[Question], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            choices = [(str(o.pk), o.label) for o in question.options.all()]
            errors = {"required": _("Answer this question."),
                      "invalid_choice": _("Choose among the options given."),
                      "invalid_list": _("Choose among the options given.")}
            if question.kind == Question.Kind.MULTIPLE:
                field = forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple,
                                                  error_messages=errors)
                field.help_text = _("Choose up to %(n)s.") % {"n": question.max_choices}
            else:
                field = forms.ChoiceField(choices=choices, widget=forms.RadioSelect, error_messages=errors)
            field.label = question.text
            field.question = question
            self.fields[self.field_name(question)] = field

    @staticmethod
    def field_name(question: Question) -> str:
        return f"q{question.pk}"

    def clean(self):
        data = super().clean()
        for question in self.questions:
            name = self.field_name(question)
            value = data.get(name)
            if question.kind == Question.Kind.MULTIPLE and value and len(value) > question.max_choices:
                message = _("Choose at most %(n)s options.") % {"n": question.max_choices}
                self.add_error(name, ValidationError(message, code="too_many_options"))
        return data

    def choices(self) -> dict[int, list[int]]:
        """Question id → chosen option ids, as the services take them."""
        result = {}
        for question in self.questions:
            value = self.cleaned_data.get(self.field_name(question))
            values = value if isinstance(value, list) else [value]
            result[question.pk] = [int(v) for v in values if v]
        return result

    def question_fields(self) -> list[forms.BoundField]:
        return [self[self.field_name(q)] for q in self.questions]

    @property
    def one_tap(self) -> bool:
        """One question with one answer: each option can be its own button that goes on to the check
        page, so choosing is one tap and nothing is recorded before the voter confirms."""
        return len(self.questions) == 1 and self.questions[0].kind != Question.Kind.MULTIPLE


class ReceiptCheckForm(forms.Form):
    code = forms.CharField(label=_("Receipt code"), max_length=20, widget=forms.TextInput(attrs={
        "autocapitalize": "characters", "autocomplete": "off", "placeholder": "K7QX-3MPA-9RTW",
        "spellcheck": "false"}))

    def clean_code(self) -> str:
        code = "".join(ch for ch in self.cleaned_data["code"].upper() if ch.isalnum())
        if len(code) != 12:
            raise ValidationError(_("A receipt code has 12 letters and digits, like K7QX-3MPA-9RTW."),
                                  code="invalid_receipt")
        return f"{code[:4]}-{code[4:8]}-{code[8:]}"


# --- Drafting ------------------------------------------------------------------------------

class BallotCreateForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}),
                                  help_text=_("What is decided, why, and where the material can be read."))
    question = forms.CharField(label=_("Question"), max_length=300, required=False,
                               help_text=_("Leave empty to ask the title. You can add more questions later."))
    question_kind = forms.ChoiceField(
        label=_("Kind of question"), widget=forms.RadioSelect, initial=Question.Kind.SINGLE,
        choices=[(Question.Kind.SINGLE.value, _("For / against / abstain")),
                 (Question.Kind.RATING.value, _("Rating: satisfied / fairly satisfied / dissatisfied / "
                                                "don't know"))])
    secrecy = forms.ChoiceField(label=_("Secrecy"), choices=Ballot.Secrecy.choices, widget=forms.RadioSelect,
                                initial=Ballot.Secrecy.SECRET)
    electorate = forms.ChoiceField(label=_("Who may vote"), choices=Ballot.Electorate.choices,
                                   initial=Ballot.Electorate.HOUSEHOLDS)
    household_voice = forms.ChoiceField(label=_("Who speaks for a household"), widget=forms.RadioSelect,
                                        choices=Ballot.HouseholdVoice.choices,
                                        initial=Ballot.HouseholdVoice.REPRESENTATIVE,
                                        help_text=_("Only for one voice per household."))
    compound = forms.ModelChoiceField(label=_("Only this compound"), queryset=Compound.objects.none(),
                                      required=False, empty_label=_("The whole committee"))
    building = forms.ModelChoiceField(label=_("Only this building"), queryset=Building.objects.none(),
                                      required=False, empty_label=_("All buildings"),
                                      help_text=_("Compound and building limit residents and households; "
                                                  "representatives and party members are the whole "
                                                  "committee's."))
    rule = forms.ChoiceField(label=_("Decision rule"), choices=Ballot.Rule.choices,
                             initial=Ballot.Rule.SIMPLE_MAJORITY)
    quorum_percent = quorum_percent_field()
    quorum_reason = quorum_reason_field()
    allow_change = forms.BooleanField(label=_("Voters may change their vote until the ballot closes"),
                                      required=False, initial=True)
    opens_at = forms.DateTimeField(label=_("Scheduled opening"), required=False,
                                   widget=local_datetime_widget(),
                                   help_text=_("Optional. You can also open the ballot yourself."))
    closes_at = forms.DateTimeField(label=_("Scheduled closing"), required=False,
                                    widget=local_datetime_widget())

    def __init__(self, *args, committee: Committee, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["compound"].queryset = Compound.objects.filter(committee=committee).order_by("name")
        self.fields["building"].queryset = (Building.objects.filter(compound__committee=committee)
                                            .select_related("compound"))
        for name in ("opens_at", "closes_at"):
            self.fields[name].input_formats = [DATETIME_INPUT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]

    def clean(self):
        data = super().clean()
        compound, building = data.get("compound"), data.get("building")
        if compound and building and building.compound_id != compound.pk:
            self.add_error("building", ValidationError(_("This building is not in the chosen compound."),
                                                       code="foreign_place"))
        if data.get("rule") in Ballot.AREA_RULES and data.get("electorate") != Ballot.Electorate.HOUSEHOLDS:
            self.add_error("rule", ValidationError(
                _("Civil Code art. 278 counts floor area: choose one voice per household."),
                code="art278_needs_households"))
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", ValidationError(_("The ballot must close after it opens."),
                                                        code="closes_before_opening"))
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {"title": data["title"], "description": data["description"], "secrecy": data["secrecy"],
                "electorate": data["electorate"], "household_voice": data["household_voice"],
                "compound": data["compound"], "building": data["building"], "rule": data["rule"],
                "quorum": quorum_of(data["quorum_percent"]),
                "quorum_reason": data["quorum_reason"],
                "allow_change": data["allow_change"], "opens_at": data["opens_at"],
                "closes_at": data["closes_at"], "question": data["question"].strip() or None,
                "question_kind": data["question_kind"]}


class QuestionAddForm(forms.Form):
    text = forms.CharField(label=_("Question"), max_length=300)
    kind = forms.ChoiceField(label=_("Kind"), choices=Question.Kind.choices, widget=forms.RadioSelect,
                             initial=Question.Kind.SINGLE)
    max_choices = forms.IntegerField(label=_("At most this many choices (multiple choice only)"),
                                     min_value=1, max_value=50, initial=1)
    options = forms.CharField(
        label=_("Options, one per line (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Leave empty for the usual options: 同意 / 反对 / 弃权 (for / against / abstain, "
                    "which the decision rule counts), or 满意 / 基本满意 / 不满意 / 不了解 for a rating. "
                    "Options you write yourself have no for/against meaning; rating levels you write go "
                    "from best to worst (weights 100 down to 0)."))

    def clean_options(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["options"].splitlines() if line.strip()]
        if len(lines) == 1:
            raise ValidationError(_("Write at least two options, or none for the usual ones."),
                                  code="too_few_options")
        if len(set(lines)) != len(lines):
            raise ValidationError(_("Each option must be different."), code="duplicate_option")
        if any(len(line) > 100 for line in lines):
            raise ValidationError(_("An option can be at most 100 characters long."), code="option_too_long")
        return lines

    def option_specs(self) -> list[OptionSpec] | None:
        lines, kind = self.cleaned_data["options"], self.cleaned_data["kind"]
        if not lines:
            return None
        if kind == Question.Kind.RATING:
            step = Decimal(100) / (len(lines) - 1)
            return [OptionSpec(label, weight=(Decimal(100) - step * i).quantize(Decimal("0.01")))
                    for i, label in enumerate(lines)]
        return [OptionSpec(label) for label in lines]


class NamedVotersForm(forms.Form):
    """The named list: residents ticked in the list plus residents found by phone number."""

    voters = IdsField(label=_("Residents of the committee"),
                                            queryset=User.objects.none(), required=False,
                                            widget=forms.CheckboxSelectMultiple)
    phones = forms.CharField(label=_("Add by mobile phone, one number per line"), required=False,
                             widget=forms.Textarea(attrs={"rows": 3, "inputmode": "tel"}))

    def __init__(self, *args, residents, **kwargs) -> None:
        """``residents``: a QuerySet of the committee's verified residents (users)."""
        super().__init__(*args, **kwargs)
        self.fields["voters"].queryset = residents
        self.residents = residents

    def clean_phones(self) -> list[User]:
        from members.phone import normalize_phone

        found, unknown = [], []
        for line in self.cleaned_data["phones"].splitlines():
            raw = line.replace(" ", "").replace("-", "").strip()
            if not raw:
                continue
            try:
                phone = normalize_phone(raw)
            except ValidationError:
                unknown.append(line.strip())
                continue
            user = self.residents.filter(phone=phone).first()
            if user is None:
                unknown.append(line.strip())
            else:
                found.append(user)
        if unknown:
            raise ValidationError(_("No verified resident of this committee has these numbers: %(p)s")
                                  % {"p": ", ".join(unknown)}, code="unknown_phone")
        return found

    def users(self) -> list[User]:
        return list(dict.fromkeys([*self.cleaned_data["voters"], *self.cleaned_data["phones"]]))


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=300,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("Everyone who can see the ballot will read this reason."))


# --- Paper and assisted votes --------------------------------------------------------------

class HolderFilterForm(forms.Form):
    q = forms.CharField(label=_("Find by name, building or door number"), required=False, max_length=60)


class PaperBatchForm(forms.Form):
    issued = forms.IntegerField(label=_("Sheets issued"), min_value=0, max_value=100000)
    returned = forms.IntegerField(label=_("Sheets returned"), min_value=0, max_value=100000)
    void = forms.IntegerField(label=_("Void sheets (among those returned)"), min_value=0, max_value=100000,
                              initial=0)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    voters = IdsField(
        label=_("Who handed in a sheet"), queryset=User.objects.none(), required=False,
        error_messages={"invalid_choice": _("Choose voters from the list."),
                        "invalid_pk_value": _("Choose voters from the list.")})

    def __init__(self, *args, holders, **kwargs) -> None:
        """``holders``: a QuerySet of the users who hold a voice on the ballot."""
        super().__init__(*args, **kwargs)
        self.fields["voters"].queryset = holders

    def clean(self):
        data = super().clean()
        issued, returned, void = data.get("issued"), data.get("returned"), data.get("void")
        if issued is not None and returned is not None and returned > issued:
            self.add_error("returned", ValidationError(
                _("More sheets were returned (%(r)s) than issued (%(i)s).") % {"r": returned, "i": issued},
                code="more_returned_than_issued"))
        if returned is not None and void is not None and void > returned:
            self.add_error("void", ValidationError(_("There cannot be more void sheets than returned ones."),
                                                   code="too_many_void"))
        voters = data.get("voters")
        if returned is not None and voters is not None and len(voters) != returned:
            self.add_error("voters", ValidationError(
                _("Tick exactly one voter for each returned sheet (%(n)s); you ticked %(m)s.")
                % {"n": returned, "m": len(voters)}, code="voters_mismatch"))
        return data


class PaperSheetForm(VoteForm):
    """One valid sheet: its choices, whose it is (named ballots), its floor area (secret art. 278)."""

    def __init__(self, *args, ballot: Ballot, voters: list[User], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.ballot = ballot
        if not ballot.is_secret:
            self.fields["voter"] = forms.TypedChoiceField(
                label=_("Whose sheet is this?"), coerce=int,
                choices=[("", _("Choose the voter"))] + [(u.pk, u.display_name) for u in voters],
                error_messages={"required": _("Choose whose sheet this is."),
                                "invalid_choice": _("Choose whose sheet this is, among the batch's voters.")})
            self.voters = {u.pk: u for u in voters}
        if ballot.is_secret and ballot.rule in Ballot.AREA_RULES:
            self.fields["floor_area"] = forms.DecimalField(
                label=_("Floor area printed on the sheet (m²)"), min_value=Decimal("0.01"),
                max_value=Decimal("9999.99"), max_digits=8, decimal_places=2,
                widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}))

    def chosen_voter(self) -> User | None:
        pk = self.cleaned_data.get("voter")
        return self.voters.get(pk) if pk else None


class AssistForm(VoteForm):
    """An assisted vote: the resident (a voice holder), their choices, and how they agreed."""

    consent_note = forms.CharField(
        label=_("How did the resident agree?"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: “Asked at home on 3 May, with her daughter present; she chose herself.”"))

    def __init__(self, *args, holders, **kwargs) -> None:
        """``holders``: a QuerySet of VoiceHolder rows this person may assist."""
        super().__init__(*args, **kwargs)
        self.fields["holder"] = forms.ModelChoiceField(
            label=_("Resident"), queryset=holders, empty_label=_("Choose the resident"),
            error_messages={"invalid_choice": _("Choose a resident from the list.")})
        self.fields["holder"].label_from_instance = holder_label
        self.order_fields(["holder"])


def holder_label(holder) -> str:
    """"<building> <door> · <name>", and whether the voice has been used (from voice_holders)."""
    household = holder.voice.household
    where = f"{household.building} {household.door_number}" if household else ""
    label = f"{where} · {holder.user.display_name}" if where else holder.user.display_name
    if getattr(holder, "voted", False):
        label = _("%(who)s (has voted)") % {"who": label}
    return label


class ScrutineersForm(forms.Form):
    """The scrutineers (监票人) of a secret ballot, chosen among people holding a role there, and k."""

    scrutineers = IdsField(label=_("Scrutineers"), queryset=User.objects.none(),
                           widget=forms.CheckboxSelectMultiple,
                           help_text=_("For example a committee member, a resident representative and, for an "
                                       "evaluation, a street officer."))
    threshold = forms.IntegerField(label=_("How many of them together open the box"), min_value=1, max_value=9,
                                   initial=2, widget=forms.NumberInput(attrs={"inputmode": "numeric"}))

    def __init__(self, *args, candidates, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scrutineers"].queryset = candidates
        self.fields["scrutineers"].label_from_instance = lambda user: user.display_name


class CardCodeForm(forms.Form):
    """A scrutineer's card code, typed or filled in from the card's QR code."""

    # A text area, so that the whole code stays in sight on a small phone (it wraps after a dash).
    code = forms.CharField(label=_("Card code"), max_length=60,
                           widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off",
                                                        "autocapitalize": "characters", "spellcheck": "false",
                                                        "class": "code-input"}))
