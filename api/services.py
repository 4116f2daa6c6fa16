"""Every write of the api app: making and revoking tokens, and logging what a token read."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from api import tokens
from api.models import ApiRequest, ApiToken
from members.models import Street, User
from members.permissions import can_view_street
from members.services import stamp

MAX_DAYS = 366


@transaction.atomic
def token_create(*, street: Street, name: str, days: int, by: User) -> tuple[ApiToken, str]:
    """Make a read token of ``street``; return it and its secret, which is never shown again."""
    if not can_view_street(by, street):
        raise PermissionDenied(_("Only the street's officers make its tokens."))
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("Give the token a name: the system that will use it."), code="required")
    if not 1 <= days <= MAX_DAYS:
        raise ValidationError(_("A token lasts from 1 to %(n)s days.") % {"n": MAX_DAYS}, code="invalid_days")
    prefix, secret, secret_hash = tokens.new_secret()
    now = timezone.now()
    token = ApiToken(street=street, name=name, prefix=prefix, secret_hash=secret_hash, created_by=by,
                     created_at=now, expires_at=now + timedelta(days=days))
    stamp(token, by)
    try:
        with transaction.atomic():
            token.save()
    except IntegrityError as error:
        raise ValidationError(_("This street already has a token named “%(name)s”.") % {"name": name},
                              code="duplicate_name") from error
    return token, secret


@transaction.atomic
def token_revoke(*, token: ApiToken, by: User) -> ApiToken:
    """Revoke ``token`` at once: every later request with it is refused."""
    token = ApiToken.objects.select_for_update().select_related("street").get(pk=token.pk)
    if not can_view_street(by, token.street):
        raise PermissionDenied(_("Only the street's officers revoke its tokens."))
    if token.revoked_at is not None:
        raise ValidationError(_("This token is already revoked."), code="already_revoked")
    token.revoked_at = timezone.now()
    token.revoked_by = by
    stamp(token, by)
    token.save(update_fields=["revoked_at", "revoked_by"])
    return token


def request_record(*, token: ApiToken, method: str, path: str, status: int) -> ApiRequest:
    """Log one request made with ``token`` (a single row, written after the answer is known)."""
    return ApiRequest.objects.create(token=token, method=method[:8], path=path[:300], status=status)
