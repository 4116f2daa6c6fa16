"""How a page tells the user why a service refused: the one list of domain errors and their text.

Services raise ``ValidationError`` (bad input, a rule not met), ``PermissionDenied`` (not theirs to
do) or let an ``IntegrityError`` through (a constraint the database holds, e.g. a second vote that
raced the first). Views catch ``DOMAIN_ERRORS`` around a service call and show ``error_text`` as a
message; anything else is a bug and is left to raise.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.utils.translation import gettext as _

DOMAIN_ERRORS = (ValidationError, PermissionDenied, IntegrityError)


def error_text(error: Exception) -> str:
    """The sentence shown to the user, in their language."""
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    if isinstance(error, IntegrityError):
        return _("This could not be saved because it conflicts with what is already recorded. "
                 "Reload the page and try again.")
    return str(error) or _("You may not do this.")
