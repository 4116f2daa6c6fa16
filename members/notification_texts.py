"""The words of every notification, by kind: one registry, rendered in the reader's language.

A notification is stored as its kind, the name of one of its kind's messages below and the
message's parameters (``Notification.message``, ``Notification.params``); its title and text are
rendered when someone reads it, in the language active then (the page's), and the outward copies
(SMS, e-mail, WeChat) in the site's language (``settings.LANGUAGE_CODE``: people have no language
of their own yet). A service says what happened and gives the facts:

    notify(users=ids, kind=Notification.Kind.ANNOUNCEMENT, message="hearing_announced",
           params={"t": hearing.title, "when": "2026-12-14 19:00", "place": hearing.place}, url=...)

To add a message, add an entry under its kind (a new kind gets a dict of its own: a test renders
every message of every ``Notification.Kind`` in English and Chinese and fails on a kind without
one). Titles and texts are ``gettext_lazy`` strings with named placeholders. A message without a
``body`` shows the notification's stored text, the author's own words (an answer, a reason), which
are never translated. A parameter that must itself be translated (a choice's label) is passed as a
lazy string; ``notify`` stores its English words and they are translated at display
(``stored_param`` and ``shown_param``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext, override
from django.utils.translation import gettext_lazy as _

from members.models import Notification

Kind = Notification.Kind


@dataclass(frozen=True)
class Message:
    title: Promise
    # None: the text is the notification's stored body (the author's words, not translated).
    body: Promise | None = None


MESSAGES: dict[str, dict[str, Message]] = {
    Kind.ANNOUNCEMENT: {
        "hearing_announced": Message(
            _("Hearing announced: %(t)s"),
            _("%(when)s at %(place)s. Register to speak or observe, and give your written opinion.")),
        "hearing_cancelled": Message(_("Hearing cancelled: %(t)s")),
        "party_topic_agenda": Message(_("New topic on the party agenda: %(t)s"),
                                      _("Read the material and take part in the discussion.")),
        "coordination_requested": Message(_("A resident asks for a coordination meeting: %(s)s")),
        "coordination_notice": Message(_("Notice of a coordination meeting: %(s)s"),
                                       _("%(when)s, %(place)s. You are invited as: %(as)s.")),
        "coordination_cancelled": Message(_("Coordination meeting cancelled: %(s)s")),
        "coordination_escalated_street": Message(_("%(c)s escalates a coordination matter: %(s)s")),
    },
    Kind.OPENING: {
        "ballot_open": Message(_("Voting is open: %(title)s"),
                               _("%(committee)s asks for your vote. You can vote now.")),
        "ballot_open_until": Message(_("Voting is open: %(title)s"),
                                     _("%(committee)s asks for your vote. You can vote until %(closes)s.")),
        "floor_open": Message(_("Floor consultation in %(b)s: %(t)s"), _("Give your household's opinion.")),
        "evaluation_open": Message(_("Year-end evaluation: please fill in your sheet — %(t)s"),
                                   _("Your sheet is secret. You can save a draft on your phone and finish later.")),
    },
    Kind.REMINDER: {
        "ballot_reminder": Message(_("Voting closes within 24 hours: %(title)s"),
                                   _("You have not voted yet. Voting closes at %(closes)s.")),
    },
    Kind.RESULT: {
        "ballot_result": Message(_("Result published: %(title)s"),
                                 _("%(committee)s has published the result of this ballot.")),
        "hearing_outcome": Message(_("Outcome of the hearing: %(t)s"),
                                   _("Public notice until %(end)s. You may file an objection until then.")),
        "party_resolution": Message(_("Resolution published: %(t)s")),
        "floor_agreed": Message(_("Agreed opinion for %(b)s: %(t)s")),
        "evaluation_published": Message(_("Evaluation results published: %(t)s")),
        "evaluation_published_plans": Message(_("Evaluation results published: %(t)s"),
                                              _("A rectification plan is due from %(n)s evaluatee(s).")),
        "coordination_accepted": Message(_("Your request for a coordination meeting was accepted: %(s)s")),
        "coordination_declined": Message(_("Your request for a coordination meeting was declined: %(s)s")),
        "coordination_confirm": Message(_("Please confirm the %(k)s of the coordination meeting: %(s)s")),
        "coordination_closed": Message(_("Coordination meeting closed: %(s)s")),
    },
    Kind.OBJECTION_ANSWERED: {
        "objection_answered": Message(_("Your objection was answered: %(t)s")),
    },
    Kind.ACTION: {
        "coordination_action_done": Message(_("Action %(n)d is done: %(s)s")),
        "coordination_action_progress": Message(_("Progress on action %(n)d: %(s)s")),
        "coordination_action_due": Message(_("Action %(n)d is due on %(d)s: %(s)s")),
        "coordination_action_overdue": Message(_("Action %(n)d is overdue (due %(d)s): %(s)s")),
        "coordination_agreement_final": Message(_("The agreement is final; its actions are now followed up: %(s)s")),
        "coordination_correcting": Message(_("The %(k)s of the coordination meeting is being corrected: %(s)s")),
        "coordination_escalated": Message(_("The matter was escalated to the street office: %(s)s")),
        "rectification_due": Message(_("A rectification plan is due by %(d)s: %(t)s")),
        "rectification_confirmed": Message(_("Rectification plan confirmed: %(a)s")),
    },
    # Residents' requests (casework.wording says which message each event uses).
    Kind.CASE_NEW: {
        "case_received": Message(_("New residents' request %(n)s: %(c)s at %(p)s")),
        "case_routed": Message(_("Request %(n)s routed to you: %(c)s at %(p)s"),
                               _("Please accept it and answer by %(d)s.")),
        "case_returned": Message(_("Request %(n)s was sent back to you: %(c)s at %(p)s")),
        "case_reopened": Message(_("Request %(n)s was reopened: the requester was not satisfied"),
                                 _("Please answer again by %(d)s.")),
    },
    Kind.CASE_DUE: {
        "case_due_tomorrow": Message(_("Request %(n)s is due tomorrow (%(d)s): %(c)s at %(p)s")),
        "case_overdue": Message(_("Request %(n)s is overdue (due %(d)s): %(c)s at %(p)s")),
        "case_escalated": Message(_("Request %(n)s was escalated to %(l)s: %(c)s at %(p)s"),
                                  _("Please answer by %(d)s.")),
    },
    Kind.CASE_ANSWERED: {
        "case_answered": Message(_("Your request %(n)s has been answered: please rate the answer")),
    },
    Kind.SCRUTINY: {
        "scrutineer_named": Message(
            _("You are a scrutineer: %(title)s"),
            _("%(committee)s has named you a scrutineer (监票人) of this secret ballot. Take your card before "
              "voting opens.")),
        "scrutineer_open_box": Message(
            _("Voting has closed: open the ballot box of %(title)s"),
            _("Present your scrutineer card to open the box together with the other scrutineers.")),
    },
}

# A stored parameter to be translated at display: {"msgid": "<its English words>"}.
MSGID = "msgid"


def message_for(kind: str, name: str) -> Message | None:
    return MESSAGES.get(kind, {}).get(name)


def stored_param(value):
    """A parameter as JSON: a lazy translation keeps its English words, to be translated at display."""
    if isinstance(value, Promise):
        with override("en"):
            return {MSGID: str(value)}
    if isinstance(value, (int, float, str)) or value is None:
        return value
    return str(value)


def shown_param(value):
    if isinstance(value, dict) and MSGID in value:
        return gettext(value[MSGID])
    return value


def _render(template: Promise, params: dict) -> str:
    try:
        return str(template) % {key: shown_param(value) for key, value in params.items()}
    except (KeyError, TypeError, ValueError):
        # A row whose parameters no longer fit its message still shows its words, never an error.
        return str(template)


def rendered_title(notification: Notification) -> str:
    """The notification's title in the active language (its stored title for rows without a message)."""
    message = message_for(notification.kind, notification.message)
    if message is None:
        return notification.title
    return _render(message.title, notification.params or {})


def rendered_body(notification: Notification) -> str:
    """The notification's text in the active language (the stored text when its message has none)."""
    message = message_for(notification.kind, notification.message)
    if message is None or message.body is None:
        return notification.body
    return _render(message.body, notification.params or {})
