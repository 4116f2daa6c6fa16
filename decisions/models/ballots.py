"""Ballots, their questions and options, and the electorate snapshot taken at opening."""

from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from config.lifecycle import Lifecycle
from members.models import Building, Committee, Compound, Household, Role

DEFAULT_QUORUM = Decimal("0.5")


class Ballot(Lifecycle):
    """A question, or a sheet of questions, put to an electorate."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")
        PUBLISHED = "published", _("published")
        CANCELLED = "cancelled", _("cancelled")
        # A secret ballot whose box its scrutineers did not open in time: nothing was counted.
        UNCOUNTED = "uncounted", _("not counted")

    TRANSITIONS = {
        Status.DRAFT: {Status.OPEN, Status.CANCELLED},
        Status.OPEN: {Status.CLOSED, Status.CANCELLED},
        Status.CLOSED: {Status.PUBLISHED, Status.CANCELLED, Status.UNCOUNTED},
        Status.PUBLISHED: set(),
        Status.CANCELLED: set(),
        Status.UNCOUNTED: set(),
    }
    REFUSED_MOVE = _("A %(s)s ballot cannot become %(t)s.")

    class Secrecy(models.TextChoices):
        NAMED = "named", _("named vote")
        SECRET = "secret", _("secret ballot")

    class Electorate(models.TextChoices):
        RESIDENTS = "residents", _("all verified residents of the committee")
        HOUSEHOLDS = "households", _("one voice per household")
        RESIDENT_REPS = "resident_reps", _("resident representatives")
        PARTY_MEMBERS = "party_members", _("party members")
        PARTY_REPS = "party_reps", _("party-member representatives")
        NAMED_LIST = "named_list", _("a named list")

    class HouseholdVoice(models.TextChoices):
        REPRESENTATIVE = "representative", _("the household representative")
        FIRST_MEMBER = "first_member", _("any member; the first vote counts")

    class Rule(models.TextChoices):
        SIMPLE_MAJORITY = "simple_majority", _("Simple majority of votes cast")
        TWO_THIRDS = "two_thirds", _("Two-thirds of votes cast")
        CONSENSUS = "consensus", _("Consensus (no objection)")
        ART278 = "art278", _("Civil Code art. 278 (ordinary matter)")
        ART278_MAJOR = "art278_major", _("Civil Code art. 278 (major matter)")
        NONE = "none", _("No verdict (ratings)")

    AREA_RULES = (Rule.ART278, Rule.ART278_MAJOR)
    # The committee role an electorate of role holders is drawn from at opening, and that a holder
    # must still have to vote.
    ELECTORATE_ROLES = {Electorate.RESIDENT_REPS: Role.Kind.RESIDENT_REPRESENTATIVE,
                        Electorate.PARTY_MEMBERS: Role.Kind.PARTY_MEMBER,
                        Electorate.PARTY_REPS: Role.Kind.PARTY_REPRESENTATIVE}

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="ballots",
                                  verbose_name=_("residents' committee"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    # What the ballot decides (a hearing, an agreement, a campaign, a topic …), if anything.
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True)
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")

    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    secrecy = models.CharField(_("secrecy"), max_length=10, choices=Secrecy.choices, default=Secrecy.SECRET)
    electorate = models.CharField(_("electorate"), max_length=20, choices=Electorate.choices,
                                  default=Electorate.RESIDENT_REPS)
    household_voice = models.CharField(_("who speaks for a household"), max_length=20,
                                       choices=HouseholdVoice.choices, default=HouseholdVoice.REPRESENTATIVE)
    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("only this compound"))
    building = models.ForeignKey(Building, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("only this building"))
    named_voters = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+",
                                          verbose_name=_("named voters"))
    rule = models.CharField(_("decision rule"), max_length=20, choices=Rule.choices,
                            default=Rule.SIMPLE_MAJORITY)
    quorum = models.DecimalField(_("quorum (share of the electorate)"), max_digits=5, decimal_places=4,
                                 default=Decimal("0"))
    # False on every ballot opened before "more than" quorums existed: their turnout only had to reach
    # the share, and the audit recomputes their verdict that way.
    quorum_more_than = models.BooleanField(_("turnout must exceed the quorum, not only reach it"),
                                           default=False)
    quorum_reason = models.CharField(_("reason for a quorum below the default"), max_length=300, blank=True)
    allow_change = models.BooleanField(_("voters may change their vote until close"), default=True)

    opens_at = models.DateTimeField(_("scheduled opening"), null=True, blank=True)
    closes_at = models.DateTimeField(_("scheduled closing"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))

    # Frozen at opening.
    electorate_size = models.PositiveIntegerField(_("voices entitled"), null=True, blank=True)
    electorate_area = models.DecimalField(_("floor area entitled (m²)"), max_digits=12, decimal_places=2,
                                          null=True, blank=True)
    snapshot_hash = models.CharField(_("electorate snapshot hash"), max_length=64, blank=True)
    heads_at_open = models.JSONField(_("ledger heads at opening"), default=dict, blank=True)
    heads_at_close = models.JSONField(_("ledger heads at close"), default=dict, blank=True)
    # The tally as published; verify_audit recounts the stored ballots against it.
    result = models.JSONField(_("published result"), null=True, blank=True)

    # The sealed ballot box of a secret ballot (decisions.box): its public key and the size every
    # paper is padded to, fixed at opening; how many scrutineers open it; when it was opened, and the
    # counts it gave (no paper one by one); after ``box_expires_at`` it can never be opened again.
    box_key = models.CharField(_("ballot box public key"), max_length=64, blank=True)
    box_threshold = models.PositiveSmallIntegerField(_("scrutineers needed to open the box"), null=True,
                                                     blank=True)
    box_paper_size = models.PositiveIntegerField(null=True, blank=True, editable=False)
    box_opened_at = models.DateTimeField(_("ballot box opened at"), null=True, blank=True)
    box_expires_at = models.DateTimeField(_("ballot box can be opened until"), null=True, blank=True)
    box_tally = models.JSONField(_("counts from the ballot box"), null=True, blank=True)

    history = HistoricalRecords(m2m_fields=[named_voters], table_name="deliberation_historicalballot")

    class Meta:
        db_table = "deliberation_ballot"  # created by the migrations of deliberation
        ordering = ["-created_at"]
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [
            models.CheckConstraint(condition=Q(quorum__gte=0) & Q(quorum__lte=1), name="ballot_quorum_share"),
            models.CheckConstraint(condition=~Q(status="cancelled") | ~Q(cancel_reason=""),
                                   name="ballot_cancel_has_reason"),
            models.CheckConstraint(
                condition=~Q(rule__in=["art278", "art278_major"]) | Q(electorate="households"),
                name="ballot_art278_needs_households"),
            models.CheckConstraint(condition=Q(closes_at__isnull=True) | Q(opens_at__isnull=True)
                                   | Q(closes_at__gt=models.F("opens_at")), name="ballot_closes_after_opening"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("decisions:ballot_detail", args=[self.pk])

    @classmethod
    def by_id(cls, pk: int) -> "Ballot":
        """The ballot with this id, none of its other fields read (each is read from the database on
        first use): for a service that reads the ballot as stored itself (``vote_cast``). ``Ballot(pk=pk)``
        would compute every field's default, a cost the cast path avoids."""
        return cls.from_db(None, [cls._meta.pk.attname], [pk])

    @classmethod
    def default_quorum(cls, rule: str) -> Decimal:
        """The share of the electorate that must take part unless the organizer records why less will do.

        More than half of the voices for every ballot with a verdict, as a residents' meeting (居民会议)
        needs more than half of the residents or households; none for the art. 278 rules, which test
        their own two thirds of owners and area, and for ratings, whose campaign holds its own quorum.
        """
        if rule in cls.AREA_RULES or rule == cls.Rule.NONE:
            return Decimal(0)
        return DEFAULT_QUORUM

    @property
    def quorum_lowered(self) -> bool:
        return self.quorum < self.default_quorum(self.rule)

    @property
    def quorum_display(self) -> str:
        from decisions.rules import quorum_text

        return quorum_text(self.quorum, more_than=self.quorum_more_than)

    @property
    def is_secret(self) -> bool:
        return self.secrecy == self.Secrecy.SECRET

    @property
    def is_sealed(self) -> bool:
        """A secret ballot whose papers go into a sealed box (every secret ballot opened since the box)."""
        return bool(self.box_key)

    @property
    def results_visible(self) -> bool:
        return self.status == self.Status.PUBLISHED


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("single choice")
        MULTIPLE = "multiple", _("multiple choice")
        RATING = "rating", _("rating on a scale")

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    text = models.CharField(_("question"), max_length=300)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SINGLE)
    max_choices = models.PositiveSmallIntegerField(_("at most this many choices"), default=1)

    history = HistoricalRecords(table_name="deliberation_historicalquestion")

    class Meta:
        db_table = "deliberation_question"  # created by the migrations of deliberation
        ordering = ["ballot", "position", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(fields=["ballot", "position"], name="question_unique_position"),
            models.CheckConstraint(condition=Q(max_choices__gte=1), name="question_max_choices_positive"),
        ]

    def __str__(self) -> str:
        return self.text


class Option(models.Model):
    class Meaning(models.TextChoices):
        YES = "yes", _("for")
        NO = "no", _("against")
        ABSTAIN = "abstain", _("abstain")
        OTHER = "other", _("other")

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    label = models.CharField(_("label"), max_length=100)
    meaning = models.CharField(_("meaning for the decision rule"), max_length=10, choices=Meaning.choices,
                               default=Meaning.OTHER)
    # Rating levels: a weight for the score; "excluded" levels (不了解) do not count in the rate.
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2, null=True, blank=True)
    excluded = models.BooleanField(_("excluded from the rate"), default=False)

    history = HistoricalRecords(table_name="deliberation_historicaloption")

    class Meta:
        db_table = "deliberation_option"  # created by the migrations of deliberation
        ordering = ["question", "position", "pk"]
        verbose_name = _("option")
        verbose_name_plural = _("options")
        constraints = [
            models.UniqueConstraint(fields=["question", "position"], name="option_unique_position"),
        ]

    def __str__(self) -> str:
        return self.label


class Voice(models.Model):
    """One entitled voice, frozen at opening: a person, or a household with its floor area."""

    ballot = models.ForeignKey(Ballot, on_delete=models.PROTECT, related_name="voices")
    key = models.CharField(max_length=40)  # "u<user id>" or "h<household id>"
    household = models.ForeignKey(Household, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    floor_area = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)

    class Meta:
        db_table = "deliberation_voice"  # created by the migrations of deliberation
        ordering = ["ballot", "key"]
        constraints = [models.UniqueConstraint(fields=["ballot", "key"], name="voice_unique_key")]

    def __str__(self) -> str:
        return self.key


class VoiceHolder(models.Model):
    """A person who may use a voice (the voter, or a member of the household)."""

    voice = models.ForeignKey(Voice, on_delete=models.PROTECT, related_name="holders")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        db_table = "deliberation_voiceholder"  # created by the migrations of deliberation
        constraints = [models.UniqueConstraint(fields=["voice", "user"], name="voiceholder_unique")]

    def __str__(self) -> str:
        return f"{self.voice_id}:{self.user_id}"
