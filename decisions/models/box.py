"""The scrutineers (监票人) of a secret ballot: who holds a share of its box key."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from decisions.models.ballots import Ballot


class Scrutineer(models.Model):
    """One scrutineer of a ballot: their card's public key, their share sealed to it, their presentation.

    ``card_key`` is set when they take their card (the code is shown to them once and never stored);
    ``share`` at opening, sealed to the card. ``handed`` holds the shares of scrutineers who have
    already presented theirs, sealed to this scrutineer's card, so that whoever comes k-th opens the
    box without any share ever being stored in the clear. Shares are dropped when the box opens
    (``handed``) and when it expires (``share``): after that, the card opens nothing.
    """

    ballot = models.ForeignKey(Ballot, on_delete=models.PROTECT, related_name="scrutineers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("scrutineer"))
    position = models.PositiveSmallIntegerField()
    named_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("named by"))
    named_at = models.DateTimeField(_("named at"), auto_now_add=True)
    card_key = models.CharField(_("card public key"), max_length=64, blank=True)
    card_taken_at = models.DateTimeField(_("card taken at"), null=True, blank=True)
    share = models.BinaryField(null=True, blank=True, editable=False)
    handed = models.JSONField(default=dict, blank=True, editable=False)
    presented_at = models.DateTimeField(_("share presented at"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["share", "handed"], table_name="deliberation_historicalscrutineer")

    class Meta:
        db_table = "deliberation_scrutineer"  # created by the migrations of deliberation
        ordering = ["ballot", "position"]
        verbose_name = _("scrutineer")
        verbose_name_plural = _("scrutineers")
        constraints = [
            models.UniqueConstraint(fields=["ballot", "user"], name="scrutineer_once_per_ballot"),
            models.UniqueConstraint(fields=["ballot", "position"], name="scrutineer_unique_position"),
            models.CheckConstraint(condition=Q(position__gte=1) & Q(position__lte=255),
                                   name="scrutineer_position_range"),
        ]

    def __str__(self) -> str:
        return f"{self.ballot_id}:{self.user_id}"

    @property
    def has_card(self) -> bool:
        return bool(self.card_key)
