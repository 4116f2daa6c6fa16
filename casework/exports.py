"""XLSX lists of requests: the committee's (with the requester) and the handler's (never an unnamed requester).

Written through ``config.spreadsheets``: descriptions and answers are text people typed.
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from casework import selectors as sel
from casework.models import Case
from config.spreadsheets import XlsxFile


def cases_xlsx(cases: list[Case], user) -> XlsxFile:
    """One row per request; the requester's name and phone only as ``user`` may see them."""
    book = XlsxFile()
    header = [_("Number"), _("Received"), _("Category"), _("Place"), _("What is the matter"), _("Requester"),
              _("Phone"), _("Handler"), _("Level"), _("Status"), _("Due on"), _("Answered"), _("Answer"),
              _("Rating")]
    ws = book.sheet(_("Requests"), header)
    for case in cases:
        name, phone = sel.requester_shown(user, case)
        ws.row(case.number, timezone.localtime(case.created_at).strftime("%Y-%m-%d %H:%M"),
               case.get_category_display(), case.place, case.description, name, phone,
               case.handler.name if case.handler_id else "", case.get_level_display(), case.get_status_display(),
               case.due_on.isoformat(),
               timezone.localtime(case.answered_at).strftime("%Y-%m-%d") if case.answered_at else "",
               case.answer, case.get_rating_display() if case.rating else "")
    return book
