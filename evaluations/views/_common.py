"""What the evaluation pages share."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.utils.translation import gettext as _

DOMAIN_ERRORS = (ValidationError, PermissionDenied, IntegrityError)


def error_text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    if isinstance(error, IntegrityError):
        return _("This could not be saved because it conflicts with what is already recorded. "
                 "Reload the page and try again.")
    return str(error) or _("You may not do this.")
