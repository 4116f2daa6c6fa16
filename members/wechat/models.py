"""The WeChat outbox (imported by ``members.models``)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from config.lifecycle import Lifecycle


class WeChatMessage(Lifecycle):
    """One official-account message (template message or subscription notice) to one openid, from queued to sent.

    The openid is kept only while the message may still be sent (queued or being sent); afterwards
    only the masked one remains. A message WeChat finally does not take goes by SMS instead, and the
    row says so (``fallback``, ``fallback_sms``). Not history-tracked on purpose, like ``SmsMessage``.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENDING = "sending", _("being sent")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    class Fallback(models.TextChoices):
        NONE = "", _("none")
        SMS = "sms", _("by SMS instead")
        NO_PHONE = "no_phone", _("not by SMS: no phone number")
        NOT_A_NOTICE = "not_a_notice", _("not by SMS: no notification to send")

    # The moves the outbox makes; a failed message is final (its SMS, if any, took over).
    TRANSITIONS = {
        Status.QUEUED: {Status.SENDING},
        Status.SENDING: {Status.SENT, Status.QUEUED, Status.FAILED},
        Status.SENT: set(),
        Status.FAILED: set(),
    }
    LIVE = (Status.QUEUED, Status.SENDING)

    kind = models.CharField(_("kind"), max_length=30)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name=_("person"))
    committee = models.ForeignKey("members.Committee", on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("committee"))
    # What to tell by SMS if WeChat does not take the message.
    notification = models.ForeignKey("members.Notification", on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("notification"))
    openid = models.CharField(_("openid (kept only until sent)"), max_length=64, blank=True)
    recipient = models.CharField(_("recipient"), max_length=20)
    template_id = models.CharField(_("WeChat template id"), max_length=64)
    data = models.JSONField(_("template data"), default=dict, blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    dedupe_key = models.CharField(_("deduplication key"), max_length=160)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    reason = models.CharField(_("reason"), max_length=120, blank=True)
    errcode = models.IntegerField(_("WeChat's error code"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    msgid = models.CharField(_("WeChat's message id"), max_length=40, blank=True)
    fallback = models.CharField(_("fallback"), max_length=12, choices=Fallback.choices, blank=True)
    fallback_sms = models.ForeignKey("members.SmsMessage", on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("SMS sent instead"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    claimed_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("WeChat message")
        verbose_name_plural = _("WeChat outbox")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="wechat_due"),
            models.Index(fields=["created_at"], name="wechat_recent"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["dedupe_key"], name="wechat_once_per_key"),
            models.CheckConstraint(condition=Q(status__in=["queued", "sending"]) | Q(openid=""),
                                   name="wechat_openid_only_while_live"),
            models.CheckConstraint(condition=Q(status__in=["queued", "sending", "sent", "failed"]),
                                   name="wechat_status_known"),
            models.CheckConstraint(condition=Q(fallback="") | Q(status="failed"),
                                   name="wechat_fallback_only_when_failed"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient} ({self.get_status_display()})"

