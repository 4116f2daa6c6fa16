"""The words of every casework notification, one small function per kind, so they change in one place.

Each returns ``(title, body)``. None of them names the requester: a handler reads them too.
"""

from django.utils.translation import gettext as _

from casework.models import Case


def _what(case: Case) -> dict:
    return {"n": case.number, "c": case.get_category_display(), "p": case.place}


def received(case: Case) -> tuple[str, str]:
    return _("New residents' request %(n)s: %(c)s at %(p)s") % _what(case), case.description[:300]


def routed(case: Case) -> tuple[str, str]:
    return (_("Request %(n)s routed to you: %(c)s at %(p)s") % _what(case),
            _("Please accept it and answer by %(d)s.") % {"d": case.due_on.isoformat()})


def returned(case: Case, reason: str) -> tuple[str, str]:
    return _("Request %(n)s was sent back to you: %(c)s at %(p)s") % _what(case), reason[:300]


def reopened(case: Case) -> tuple[str, str]:
    return (_("Request %(n)s was reopened: the requester was not satisfied") % _what(case),
            _("Please answer again by %(d)s.") % {"d": case.due_on.isoformat()})


def answered(case: Case) -> tuple[str, str]:
    return (_("Your request %(n)s has been answered: please rate the answer") % _what(case),
            case.answer[:300])


def due_tomorrow(case: Case) -> tuple[str, str]:
    return (_("Request %(n)s is due tomorrow (%(d)s): %(c)s at %(p)s") % {**_what(case), "d": case.due_on.isoformat()},
            "")


def overdue(case: Case) -> tuple[str, str]:
    return (_("Request %(n)s is overdue (due %(d)s): %(c)s at %(p)s") % {**_what(case), "d": case.due_on.isoformat()},
            "")


def escalated(case: Case) -> tuple[str, str]:
    return (_("Request %(n)s was escalated to %(l)s: %(c)s at %(p)s") % {**_what(case), "l": case.get_level_display()},
            _("Please answer by %(d)s.") % {"d": case.due_on.isoformat()})
