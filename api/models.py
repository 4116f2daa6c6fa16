"""Read tokens that a street office gives to its own systems, and the log of what they read."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from members.models import Street


class ApiToken(models.Model):
    """A named, expiring, revocable read token of one street.

    The secret is shown once, when the token is made, and stored only as its SHA-256
    (``secret_hash``); a request names the token by ``prefix``, which is not secret, and the hash of
    what it sent is compared with the stored one in constant time (``api.tokens``).
    """

    street = models.ForeignKey(Street, on_delete=models.PROTECT, related_name="api_tokens",
                               verbose_name=_("street"))
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(_("prefix"), max_length=12, unique=True)
    secret_hash = models.CharField(max_length=64)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [
            models.UniqueConstraint(fields=["street", "name"], name="api_token_name_unique_per_street"),
            models.CheckConstraint(condition=Q(expires_at__gt=F("created_at")), name="api_token_expires_after_made"),
            models.CheckConstraint(condition=Q(revoked_at__isnull=True, revoked_by__isnull=True)
                                   | Q(revoked_at__isnull=False, revoked_by__isnull=False),
                                   name="api_token_revoked_by_someone"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    def is_usable(self, now=None) -> bool:
        """Neither revoked nor expired."""
        return self.revoked_at is None and (now or timezone.now()) < self.expires_at


class ApiRequest(models.Model):
    """One request made with a token: which token, which path, when, and the answer's status.

    Written by ``api.middleware`` after the answer is known; a row per request, never changed.
    """

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="requests")
    at = models.DateTimeField(_("when"), default=timezone.now)
    method = models.CharField(max_length=8)
    path = models.CharField(_("path"), max_length=300)
    status = models.PositiveSmallIntegerField(_("status"))

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("API request")
        verbose_name_plural = _("API requests")
        indexes = [models.Index(fields=["token", "-at"], name="api_request_token_at")]

    def __str__(self) -> str:
        return f"{self.token_id} {self.method} {self.path} {self.status}"
