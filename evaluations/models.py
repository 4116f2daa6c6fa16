"""Year-end evaluations (评议会): campaigns, their sheet layout, results, comments, rectification.

The sheets themselves are one secret ballot of the decision core per campaign (``Campaign.ballot``):
one rating question per evaluatee × dimension (``SheetItem``). This app never stores who filled
which sheet. A sheet's comments are sealed into its paper in the ballot box and become ``Comment``
rows only when the scrutineers open the box, with no voter, no time and a random id.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from config.lifecycle import Lifecycle
from config.records import FollowUpItem
from decisions.models import Ballot, Question
from members.models import Agency, Committee, Street


class EvaluateeKind(models.TextChoices):
    """Evaluatees are ranked among those of the same kind."""

    STATIONED = "stationed", _("stationed agency")
    PROPERTY_FIRM = "property_firm", _("property firm")
    WORK_STATION = "work_station", _("community work station")
    COMMITTEE = "committee", _("residents' committee")


class Launch(models.Model):
    """A street office launching the same campaign for all its committees at once."""

    street = models.ForeignKey(Street, on_delete=models.PROTECT, related_name="evaluation_launches",
                               verbose_name=_("street"))
    year = models.PositiveSmallIntegerField(_("year"))
    launched_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("launched by"))
    launched_at = models.DateTimeField(_("launched at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "-launched_at"]
        verbose_name = _("street-wide launch")
        verbose_name_plural = _("street-wide launches")

    def __str__(self) -> str:
        return f"{self.street} {self.year}"


class Campaign(Lifecycle):
    """One committee's year-end evaluation."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")
        PUBLISHED = "published", _("published")
        CANCELLED = "cancelled", _("cancelled")

    TRANSITIONS = {
        Status.DRAFT: {Status.OPEN, Status.CANCELLED},
        Status.OPEN: {Status.CLOSED, Status.CANCELLED},
        Status.CLOSED: {Status.PUBLISHED, Status.CANCELLED},
        Status.PUBLISHED: set(),
        Status.CANCELLED: set(),
    }
    REFUSED_MOVE = _("A %(s)s campaign cannot become %(t)s.")

    class Evaluators(models.TextChoices):
        RESIDENT_REPS = "resident_reps", _("resident representatives")
        RESIDENTS = "residents", _("all verified residents")
        HOUSEHOLDS = "households", _("one per household")

    class RateFormula(models.TextChoices):
        SATISFIED_AND_BASIC = "positive", _("every level with a positive weight (满意 + 基本满意) over valid answers")
        TOP_ONLY = "top", _("only the highest level (满意) over valid answers")

    ELECTORATE = {Evaluators.RESIDENT_REPS: Ballot.Electorate.RESIDENT_REPS,
                  Evaluators.RESIDENTS: Ballot.Electorate.RESIDENTS,
                  Evaluators.HOUSEHOLDS: Ballot.Electorate.HOUSEHOLDS}

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="evaluation_campaigns",
                                  verbose_name=_("residents' committee"))
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    launch = models.ForeignKey(Launch, on_delete=models.PROTECT, null=True, blank=True, related_name="campaigns",
                               verbose_name=_("street-wide launch"))
    evaluators = models.CharField(_("evaluators"), max_length=20, choices=Evaluators.choices,
                                  default=Evaluators.RESIDENT_REPS)
    allow_change = models.BooleanField(_("evaluators may change their sheet until close"), default=True)
    quorum = models.DecimalField(_("quorum (share of evaluators that must take part, more than)"),
                                 max_digits=5, decimal_places=4, default=Decimal("0.5"))
    rate_formula = models.CharField(_("satisfaction rate"), max_length=10, choices=RateFormula.choices,
                                    default=RateFormula.SATISFIED_AND_BASIC)
    rectification_threshold = models.DecimalField(
        _("dissatisfaction that calls for a rectification plan (%)"), max_digits=5, decimal_places=2,
        default=Decimal("20"))
    rectify_all = models.BooleanField(_("every evaluatee files a rectification plan"), default=False)
    session_at = models.DateTimeField(_("meeting session"), null=True, blank=True)
    session_place = models.CharField(_("meeting place"), max_length=200, blank=True)
    opens_at = models.DateTimeField(_("online window opens"), null=True, blank=True)
    closes_at = models.DateTimeField(_("online window closes"), null=True, blank=True)

    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    ballot = models.OneToOneField(Ballot, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                  verbose_name=_("ballot"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("created by"))
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    # Filled at publication from the core's sealed tally.
    turnout_voices = models.PositiveIntegerField(_("evaluators who took part"), null=True, blank=True)
    electorate_voices = models.PositiveIntegerField(_("evaluators entitled"), null=True, blank=True)
    valid = models.BooleanField(_("session valid (quorum reached)"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "committee__name"]
        verbose_name = _("evaluation campaign")
        verbose_name_plural = _("evaluation campaigns")
        constraints = [
            models.UniqueConstraint(fields=["committee", "year"], condition=~Q(status="cancelled"),
                                    name="campaign_one_per_committee_year"),
            models.CheckConstraint(condition=Q(quorum__gte=0) & Q(quorum__lt=1), name="campaign_quorum_share"),
            models.CheckConstraint(condition=Q(rectification_threshold__gte=0)
                                   & Q(rectification_threshold__lte=100), name="campaign_threshold_percent"),
            models.CheckConstraint(condition=~Q(status="cancelled") | ~Q(cancel_reason=""),
                                   name="campaign_cancel_has_reason"),
            models.CheckConstraint(condition=Q(status="draft") | Q(status="cancelled") | Q(ballot__isnull=False),
                                   name="campaign_open_has_ballot"),
            models.CheckConstraint(condition=Q(closes_at__isnull=True) | Q(opens_at__isnull=True)
                                   | Q(closes_at__gt=models.F("opens_at")), name="campaign_closes_after_opening"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("evaluations:campaign_detail", args=[self.pk])

    @property
    def quorum_display(self) -> str:
        """The quorum as people read it ("more than 50%"): the session is valid only above it."""
        from decisions.rules import quorum_text

        return quorum_text(self.quorum, more_than=True)


class Evaluatee(models.Model):
    """Who is evaluated in a campaign: an agency, a property firm, the work station or the committee."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="evaluatees")
    kind = models.CharField(_("kind"), max_length=20, choices=EvaluateeKind.choices)
    # Null only for the committee itself; the same agency across years gives the year-on-year change.
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("agency"))
    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveSmallIntegerField(_("position"), default=1)

    history = HistoricalRecords()

    class Meta:
        ordering = ["campaign", "position", "pk"]
        verbose_name = _("evaluatee")
        verbose_name_plural = _("evaluatees")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "agency"], condition=Q(agency__isnull=False),
                                    name="evaluatee_agency_once"),
            models.UniqueConstraint(fields=["campaign"], condition=Q(agency__isnull=True),
                                    name="evaluatee_committee_once"),
            models.CheckConstraint(condition=Q(agency__isnull=False) | Q(kind="committee"),
                                   name="evaluatee_agency_unless_committee"),
        ]

    def __str__(self) -> str:
        return self.name


class Dimension(models.Model):
    """What evaluatees of one kind are rated on (service attitude, efficiency …)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="dimensions")
    kind = models.CharField(_("evaluatee kind"), max_length=20, choices=EvaluateeKind.choices)
    name = models.CharField(_("name"), max_length=60)
    position = models.PositiveSmallIntegerField(_("position"), default=1)

    history = HistoricalRecords()

    class Meta:
        ordering = ["campaign", "kind", "position"]
        verbose_name = _("dimension")
        verbose_name_plural = _("dimensions")
        constraints = [models.UniqueConstraint(fields=["campaign", "kind", "name"], name="dimension_unique_name")]

    def __str__(self) -> str:
        return self.name


class Level(models.Model):
    """A level of the campaign's scale: 满意 100, 基本满意 60, 不满意 0, 不了解 excluded."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="levels")
    label = models.CharField(_("label"), max_length=40)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2, null=True, blank=True)
    excluded = models.BooleanField(_("excluded from the rate"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=1)

    history = HistoricalRecords()

    class Meta:
        ordering = ["campaign", "position"]
        verbose_name = _("scale level")
        verbose_name_plural = _("scale levels")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "position"], name="level_unique_position"),
            models.CheckConstraint(condition=Q(excluded=True) | Q(weight__isnull=False),
                                   name="level_weight_unless_excluded"),
        ]

    def __str__(self) -> str:
        return self.label


class SheetItem(models.Model):
    """Which question of the campaign's ballot rates which evaluatee on which dimension."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="items")
    question = models.OneToOneField(Question, on_delete=models.PROTECT, related_name="+")
    evaluatee = models.ForeignKey(Evaluatee, on_delete=models.CASCADE, related_name="items")
    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="items")

    class Meta:
        ordering = ["campaign", "evaluatee__position", "dimension__position"]
        constraints = [models.UniqueConstraint(fields=["evaluatee", "dimension"], name="sheetitem_unique")]

    def __str__(self) -> str:
        return f"{self.evaluatee} · {self.dimension}"


class Comment(models.Model):
    """An anonymous comment on an evaluatee: no voter, no time, a random id, no history.

    Comments are sealed in the sheet's paper when it is cast (beside the ratings) and written here
    only when the scrutineers open the box, from the papers that count (a changed sheet's earlier
    comments are never written), in random order, all at once: no row, order or id can be lined
    up with the register of who took part. ``cast_on`` is the day of comments written before the
    sealed box (the day only); comments from the box have none.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="comments")
    evaluatee = models.ForeignKey(Evaluatee, on_delete=models.PROTECT, related_name="comments")
    text = models.TextField(_("comment"))
    cast_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["evaluatee", "text", "id"]
        verbose_name = _("anonymous comment")
        verbose_name_plural = _("anonymous comments")

    def __str__(self) -> str:
        return str(self.pk)


class Result(models.Model):
    """Computed once at publication: one evaluatee on one dimension, or overall (dimension empty)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="results")
    evaluatee = models.ForeignKey(Evaluatee, on_delete=models.CASCADE, related_name="results")
    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, null=True, blank=True, related_name="results")
    # Level position → number of answers, as text keys: {"1": 12, "2": 3, ...}.
    counts = models.JSONField(_("answers per level"), default=dict)
    answers = models.PositiveIntegerField(_("valid answers"))
    excluded = models.PositiveIntegerField(_("answers excluded (not known)"))
    satisfied = models.PositiveIntegerField(_("satisfied answers"), default=0)
    rate = models.DecimalField(_("satisfaction rate (%)"), max_digits=5, decimal_places=1, null=True, blank=True)
    dissatisfaction = models.DecimalField(_("dissatisfaction (%)"), max_digits=5, decimal_places=1, null=True,
                                          blank=True)
    score = models.DecimalField(_("weighted score"), max_digits=6, decimal_places=1, null=True, blank=True)
    rank = models.PositiveSmallIntegerField(_("rank within kind"), null=True, blank=True)
    rank_of = models.PositiveSmallIntegerField(_("evaluatees of this kind"), null=True, blank=True)
    previous_rate = models.DecimalField(_("last year's rate (%)"), max_digits=5, decimal_places=1, null=True,
                                        blank=True)
    change = models.DecimalField(_("change against last year (points)"), max_digits=5, decimal_places=1,
                                 null=True, blank=True)

    class Meta:
        ordering = ["campaign", "evaluatee__position", "dimension__position"]
        verbose_name = _("result")
        verbose_name_plural = _("results")
        constraints = [
            models.UniqueConstraint(fields=["evaluatee", "dimension"], condition=Q(dimension__isnull=False),
                                    name="result_one_per_dimension"),
            models.UniqueConstraint(fields=["evaluatee"], condition=Q(dimension__isnull=True),
                                    name="result_one_overall"),
        ]

    def __str__(self) -> str:
        return f"{self.evaluatee} · {self.dimension or '—'}"

    @property
    def shown(self) -> bool:
        """Breakdowns of fewer than MIN_ANSWERS answers are never shown."""
        return self.answers >= MIN_ANSWERS


MIN_ANSWERS = 5


class Rectification(FollowUpItem):
    """A rectification (整改) plan an evaluatee owes after publication."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("waiting for the plan")
        FILED = "filed", _("plan filed, waiting for the head's confirmation")
        CONFIRMED = "confirmed", _("plan confirmed")
        DONE = "done", _("rectification completed")

    TRANSITIONS = {
        Status.WAITING: {Status.FILED},
        Status.FILED: {Status.CONFIRMED, Status.WAITING},
        Status.CONFIRMED: {Status.DONE},
        Status.DONE: set(),
    }
    REFUSED_MOVE = _("A rectification that is “%(s)s” cannot become “%(t)s”.")
    # Overdue is about the plan: late while it is neither filed nor confirmed by its due day.
    LATE_IN = (Status.WAITING, Status.FILED)
    # The committee records progress once the plan is confirmed, and after completion too.
    PROGRESS_IN = (Status.CONFIRMED, Status.DONE)
    WORKING_DAYS = 15

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="rectifications")
    evaluatee = models.OneToOneField(Evaluatee, on_delete=models.PROTECT, related_name="rectification")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("agency"))
    reason = models.CharField(_("why a plan is due"), max_length=200)
    due_on = models.DateField(_("plan due on"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.WAITING)
    targets = models.TextField(_("targets"), blank=True)
    measures = models.TextField(_("measures"), blank=True)
    head_name = models.CharField(_("head of the agency"), max_length=60, blank=True)
    filed_at = models.DateTimeField(_("filed at"), null=True, blank=True)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("filed by"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("confirmed by"))
    done_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")
        constraints = [
            models.CheckConstraint(condition=Q(status="waiting") | (~Q(targets="") & ~Q(measures="")),
                                   name="rectification_plan_has_content"),
        ]

    def __str__(self) -> str:
        return f"{self.evaluatee} ({self.campaign.year})"

    def get_absolute_url(self) -> str:
        return reverse("evaluations:rectification_detail", args=[self.pk])



class Progress(models.Model):
    """The committee's record of how the rectification goes."""

    rectification = models.ForeignKey(Rectification, on_delete=models.CASCADE, related_name="progress")
    note = models.TextField(_("progress"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["rectification", "recorded_at", "pk"]
        verbose_name = _("rectification progress")
        verbose_name_plural = _("rectification progress")

    def __str__(self) -> str:
        return self.note[:40]
