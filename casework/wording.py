"""What every casework notification says: the message of the directory's registry it uses, and its facts.

Each function returns ``Words``: the name of a message under the notification's kind in
``members.notification_texts.MESSAGES`` (where its title and text are written, translated when
read), its parameters, and the author's own words where the message shows them (an answer, a
reason). None of them names the requester: a handler reads them too. The category and the level
are passed as their lazy labels, so each reader sees them in their own language.
"""

from typing import NamedTuple

from casework.models import Case, Category


class Words(NamedTuple):
    message: str
    params: dict
    body: str = ""


def _what(case: Case) -> dict:
    return {"n": case.number, "c": Category(case.category).label, "p": case.place}


def received(case: Case) -> Words:
    return Words("case_received", _what(case), case.description[:300])


def routed(case: Case) -> Words:
    return Words("case_routed", {**_what(case), "d": case.due_on.isoformat()})


def returned(case: Case, reason: str) -> Words:
    return Words("case_returned", _what(case), reason[:300])


def reopened(case: Case) -> Words:
    return Words("case_reopened", {**_what(case), "d": case.due_on.isoformat()})


def answered(case: Case) -> Words:
    return Words("case_answered", _what(case), case.answer[:300])


def due_tomorrow(case: Case) -> Words:
    return Words("case_due_tomorrow", {**_what(case), "d": case.due_on.isoformat()})


def overdue(case: Case) -> Words:
    return Words("case_overdue", {**_what(case), "d": case.due_on.isoformat()})


def escalated(case: Case) -> Words:
    return Words("case_escalated", {**_what(case), "l": Case.Level(case.level).label, "d": case.due_on.isoformat()})
