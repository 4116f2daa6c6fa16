"""The SMS outbox and each person's choice of channel (imported by ``members.models``)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from config.lifecycle import Lifecycle


class SmsMessage(Lifecycle):
    """One SMS: an approved template and its parameters to one number, from queued to sent.

    The full number is kept only while the message may still be sent (queued or being sent); once
    it is sent, failed or refused only the masked number remains, and a secret parameter (a login
    code) is blanked. Not history-tracked on purpose: a history table would keep every number and
    code that the row itself forgets.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENDING = "sending", _("being sent")
        SENT = "sent", _("sent")
        DELIVERED = "delivered", _("delivered")
        FAILED = "failed", _("failed")
        REFUSED = "refused", _("not sent: over a limit")

    # The moves the outbox makes; a failed message goes back to the queue only by an
    # administrator's retry, and only while its recipient can still be found.
    TRANSITIONS = {
        Status.QUEUED: {Status.SENDING, Status.REFUSED, Status.FAILED},
        Status.SENDING: {Status.SENT, Status.QUEUED, Status.FAILED},
        Status.SENT: {Status.DELIVERED},
        Status.FAILED: {Status.QUEUED},
        Status.REFUSED: {Status.QUEUED},
        Status.DELIVERED: set(),
    }
    LIVE = (Status.QUEUED, Status.SENDING)

    kind = models.CharField(_("kind"), max_length=30)
    template = models.CharField(_("template"), max_length=30)
    template_id = models.CharField(_("provider template id"), max_length=60, blank=True)
    params = models.JSONField(_("parameters"), default=list, blank=True)
    phone = models.CharField(_("number (kept only until sent)"), max_length=20, blank=True)
    recipient = models.CharField(_("recipient"), max_length=20)
    # HMAC of the number under the site key: counts a number's messages for the caps after the
    # number itself is erased, and cannot be turned back into the number without the key.
    phone_key = models.CharField(max_length=64)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name=_("person"))
    committee = models.ForeignKey("members.Committee", on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("committee"))
    dedupe_key = models.CharField(_("deduplication key"), max_length=160)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    reason = models.CharField(_("reason"), max_length=80, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    send_before = models.DateTimeField(_("send before"), null=True, blank=True)
    provider = models.CharField(_("provider"), max_length=20, blank=True)
    provider_id = models.CharField(_("provider's message id"), max_length=80, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    claimed_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("SMS message")
        verbose_name_plural = _("SMS outbox")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="sms_due"),
            models.Index(fields=["phone_key", "created_at"], name="sms_phone_recent"),
            models.Index(fields=["committee", "created_at"], name="sms_committee_recent"),
            models.Index(fields=["created_at"], name="sms_recent"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["dedupe_key"], name="sms_once_per_key"),
            models.CheckConstraint(condition=Q(status__in=["queued", "sending"]) | Q(phone=""),
                                   name="sms_number_only_while_live"),
            models.CheckConstraint(condition=Q(status__in=["queued", "sending", "sent", "delivered", "failed",
                                                           "refused"]), name="sms_status_known"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient} ({self.get_status_display()})"


class ContactChoice(models.Model):
    """How this person wants to be told (``members.messaging.channels``); no row: the default."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contact_choice",
                                verbose_name=_("person"))
    # The names of the registered channels; not ``choices`` here, so that an app registering a
    # channel needs no migration of this table.
    channel = models.CharField(_("channel"), max_length=20)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contact channel")
        verbose_name_plural = _("contact channels")

    def __str__(self) -> str:
        return f"{self.user} · {self.channel}"
