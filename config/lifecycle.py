"""The one transition mechanism: a model's table of legal moves and the guard every service asks.

A model with a lifecycle subclasses ``Lifecycle`` and lists its moves in ``TRANSITIONS`` (each
status to the set of statuses it may become); pages ask ``obj.can_move_to(status)`` to decide what
to offer, and a service that moves the object calls ``guard_move(obj, status)`` first, so the page
and the service read the same table. ``Lifecycle`` is an abstract model without fields: adding it
to a model changes no table and makes no migration.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Lifecycle(models.Model):
    """A model whose ``status`` field moves only along ``TRANSITIONS``."""

    TRANSITIONS: dict[str, set[str]] = {}
    # The refusal shown for an illegal move, naming the current state (%(s)s) and the target (%(t)s);
    # each lifecycle words it with its own noun ("A hearing that is … cannot become …").
    REFUSED_MOVE = _("This is %(s)s and cannot become %(t)s.")

    class Meta:
        abstract = True

    def can_move_to(self, status: str) -> bool:
        # A status missing from the table (one no longer in use) allows no move.
        return status in self.TRANSITIONS.get(self.status, ())


def status_label(obj: Lifecycle, status: str) -> str:
    """The display name of ``status`` among the choices of ``obj``'s status field."""
    return str(dict(obj._meta.get_field("status").flatchoices).get(status, status))


def guard_move(obj: Lifecycle, status: str, message: str | None = None) -> None:
    """Refuse an illegal move with ``code="invalid_transition"`` and a message naming the state.

    ``message`` replaces the model's ``REFUSED_MOVE`` where a move has a wording of its own (an SMS
    "cannot be tried again"); it may use %(s)s (the current state) and %(t)s (the target).
    """
    if obj.can_move_to(status):
        return
    text = str(message if message is not None else obj.REFUSED_MOVE)
    raise ValidationError(text % {"s": obj.get_status_display(), "t": status_label(obj, status)},
                          code="invalid_transition")
