"""The admin's history pages as a site admin reads them in a dispute.

Every admin that shows history takes ``ReadableHistoryAdmin`` instead of simple-history's
``SimpleHistoryAdmin``: a change names the field by its verbose name (in the reader's language),
a choice by its label, an empty value as "—", a time in the site's time zone to the second and a
share (a quorum) as a percentage. It uses simple-history's documented hooks only: the
record-context helper (``get_historical_record_context_helper``) and the list template
(``object_history_list_template``, ``templates/admin/history_list.html``).

What is never recorded cannot be shown: a secret ballot's choices have no history rows (the
sealed papers live apart from the register, see docs/SECURITY.md), and models keep secret parts
out of their history with ``excluded_fields``.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Model
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

EMPTY = "—"
SECONDS = "Y-m-d H:i:s"


def readable_value(model: type[Model], name: str, value: Any, *, percent_fields: tuple[str, ...] = ()) -> Any:
    """One recorded value of ``model``'s field ``name`` as people read it."""
    if value is None or value == "" or value == []:
        return EMPTY
    field = model._meta.get_field(name)
    if getattr(field, "flatchoices", None) and not isinstance(value, list):
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return formats.date_format(value, SECONDS)
    if isinstance(value, datetime.date):
        return formats.date_format(value, "Y-m-d")
    if name in percent_fields and isinstance(value, (Decimal, float, int)):
        return f"{Decimal(value) * 100:.2f}".rstrip("0").rstrip(".") + "%"
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return value


class ReadableRecordContextHelper(HistoricalRecordContextHelper):
    """A history row's changes with labels, "—" and local times instead of codes, "None" and UTC."""

    def __init__(self, model, historical_record, *, percent_fields: tuple[str, ...] = (), **kwargs):
        super().__init__(model, historical_record, **kwargs)
        self.percent_fields = percent_fields

    def prepare_delta_change_value(self, change, value):
        value = super().prepare_delta_change_value(change, value)
        if isinstance(value, list):
            return [readable_value(self.model, change.field, v, percent_fields=self.percent_fields)
                    for v in value] or EMPTY
        return readable_value(self.model, change.field, value, percent_fields=self.percent_fields)


class ReadableHistoryAdmin(SimpleHistoryAdmin):
    """``SimpleHistoryAdmin`` whose history pages a site admin can read (see the module's docstring)."""

    object_history_list_template = "admin/history_list.html"
    # Fields holding a share (0.5) that people read as a percentage (50%).
    history_percent_fields: tuple[str, ...] = ("quorum",)

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableRecordContextHelper(self.model, historical_record,
                                           percent_fields=self.history_percent_fields)
