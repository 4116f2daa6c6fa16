"""Floor consultations (楼组商议): one building's households give an opinion, then an agreed opinion."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from config.lifecycle import Lifecycle
from decisions.models.ballots import Ballot
from members.models import Building, Committee, Household


class Consultation(Lifecycle):
    """A consultation of one building's households on a building matter."""

    class Matter(models.TextChoices):
        CORRIDOR = "corridor", _("corridor clutter")
        REPAIR_COSTS = "repair_costs", _("shared repair costs")
        LIFT = "lift", _("the lift")
        CLEANING = "cleaning", _("the cleaning rota")
        CONVENTION = "convention", _("the building convention")
        COMPOUND = "compound", _("preparing a compound matter")
        OTHER = "other", _("another building matter")

    class Status(models.TextChoices):
        OPEN = "open", _("open for opinions")
        CLOSED = "closed", _("opinions closed")
        AGREED = "agreed", _("agreed opinion published")
        CANCELLED = "cancelled", _("cancelled")

    TRANSITIONS = {
        Status.OPEN: {Status.CLOSED, Status.CANCELLED},
        Status.CLOSED: {Status.AGREED, Status.CANCELLED},
        Status.AGREED: set(),
        Status.CANCELLED: set(),
    }
    REFUSED_MOVE = _("A consultation that is %(s)s cannot become %(t)s.")
    RULES = (Ballot.Rule.SIMPLE_MAJORITY, Ballot.Rule.TWO_THIRDS, Ballot.Rule.CONSENSUS, Ballot.Rule.ART278,
             Ballot.Rule.ART278_MAJOR)

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="consultations",
                                  verbose_name=_("residents' committee"))
    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="consultations",
                                 verbose_name=_("building"))
    title = models.CharField(_("title"), max_length=200)
    matter = models.CharField(_("matter"), max_length=20, choices=Matter.choices, default=Matter.OTHER)
    description = models.TextField(_("what it is about"), blank=True,
                                   help_text=_("Plain text or Markdown; no HTML."))
    proposed_convention = models.TextField(
        _("proposed building convention"), blank=True,
        help_text=_("For a convention matter: the full text of the convention as it would read if agreed."))
    # Set in the same transaction as the consultation is opened (the ballot's subject is the consultation).
    ballot = models.OneToOneField(Ballot, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="consultation", verbose_name=_("opinion ballot"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    agreed_opinion = models.TextField(_("agreed opinion"), blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("opened by"))
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    agreed_at = models.DateTimeField(_("agreed opinion published at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("floor consultation")
        verbose_name_plural = _("floor consultations")
        constraints = [
            models.CheckConstraint(condition=~Q(status="agreed") | ~Q(agreed_opinion=""),
                                   name="consultation_agreed_has_text"),
            models.CheckConstraint(condition=~Q(status="cancelled") | ~Q(cancel_reason=""),
                                   name="consultation_cancel_has_reason"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("deliberation:floor_consultation", args=[self.pk])


class HouseholdComment(models.Model):
    """One comment per household on a consultation; edits are kept in its history."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="comments")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("household"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("written by"))
    body = models.TextField(_("comment"))
    updated_at = models.DateTimeField(_("written at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["household__door_number", "pk"]
        verbose_name = _("household comment")
        verbose_name_plural = _("household comments")
        constraints = [
            models.UniqueConstraint(fields=["consultation", "household"], name="household_comment_once"),
            models.CheckConstraint(condition=~Q(body=""), name="household_comment_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.household}: {self.body[:40]}"


class ConventionVersion(models.Model):
    """One version of a building's convention (楼组公约); versions are kept, the highest is in force."""

    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="convention_versions",
                                 verbose_name=_("building"))
    number = models.PositiveSmallIntegerField(_("version"))
    text = models.TextField(_("text"))
    consultation = models.OneToOneField(Consultation, on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="convention_version", verbose_name=_("agreed in"))
    adopted_at = models.DateTimeField(_("adopted at"), auto_now_add=True)
    adopted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("recorded by"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["building", "-number"]
        verbose_name = _("building convention version")
        verbose_name_plural = _("building convention versions")
        constraints = [
            models.UniqueConstraint(fields=["building", "number"], name="convention_version_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="convention_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.building} v{self.number}"
