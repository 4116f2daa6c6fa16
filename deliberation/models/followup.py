"""Follow-up items: what was decided is carried out, tracked to done and visible to those concerned.

Shared by party resolutions (members supervise the implementation) and floor consultations.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from config.records import FollowUpItem
from deliberation.models.floor import Consultation
from deliberation.models.party import Topic


class FollowUp(FollowUpItem):
    """One thing to do after a resolution or an agreed opinion: who, by when, and how far it is."""

    class Status(models.TextChoices):
        OPEN = "open", _("not started")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")

    TRANSITIONS = {
        Status.OPEN: {Status.IN_PROGRESS, Status.DONE},
        Status.IN_PROGRESS: {Status.DONE},
        Status.DONE: set(),
    }
    REFUSED_MOVE = _("An item that is %(s)s cannot become %(t)s.")

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, null=True, blank=True, related_name="follow_ups")
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, null=True, blank=True,
                                     related_name="follow_ups")
    what = models.CharField(_("what is to be done"), max_length=300)
    owner = models.CharField(_("who does it"), max_length=120)
    due_on = models.DateField(_("due by"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("follow-up item")
        verbose_name_plural = _("follow-up items")
        constraints = [
            models.CheckConstraint(condition=Q(topic__isnull=True) ^ Q(consultation__isnull=True),
                                   name="follow_up_one_parent"),
            models.CheckConstraint(condition=~Q(status="done") | Q(done_at__isnull=False),
                                   name="follow_up_done_has_time"),
        ]

    def __str__(self) -> str:
        return self.what

    @property
    def overdue(self) -> bool:
        return self.is_overdue()

    @property
    def parent(self) -> Topic | Consultation:
        return self.topic or self.consultation


class FollowUpNote(models.Model):
    """A progress note on a follow-up item (append-only in practice: the service never edits one)."""

    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField(_("progress note"))
    status = models.CharField(_("status after this note"), max_length=12, choices=FollowUp.Status.choices)
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("written by"))
    written_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        ordering = ["written_at", "pk"]
        verbose_name = _("progress note")
        verbose_name_plural = _("progress notes")
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="follow_up_note_not_empty")]

    def __str__(self) -> str:
        return self.text[:40]


__all__ = ["FollowUp", "FollowUpNote"]
