"""What the ballot pages share: the facts block, turnout and results."""

import logging
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from decisions import rules, selectors
from decisions.models import Ballot, Participation, Question

logger = logging.getLogger(__name__)



def percent(share) -> str:
    """A share 0..1 as a percentage with one decimal."""
    return f"{(Decimal(share) * 100).quantize(Decimal('0.1'))}%"


def area(value) -> str | None:
    """Square metres with two decimals (SQLite sums decimals as floats)."""
    return None if value is None else f"{Decimal(value):.2f}"


def heads(value: dict) -> list[tuple[str, dict]]:
    """Ledger heads sorted by chain name (PostgreSQL's JSON keeps no order)."""
    return sorted((value or {}).items())


def ballot_facts(ballot: Ballot) -> dict:
    """The facts block of every ballot page, and the turnout once voting has begun."""
    facts = {
        "quorum": ballot.quorum_display if ballot.quorum else "",
        "area_rule": ballot.rule in Ballot.AREA_RULES,
        "heads_at_open": heads(ballot.heads_at_open),
        "heads_at_close": heads(ballot.heads_at_close),
        "turnout": None,
    }
    if ballot.opened_at is not None:
        took = selectors.turnout(ballot)
        facts["turnout"] = {"voices": took.voices, "electorate": took.electorate,
                            "share": percent(took.share), "area": area(took.area),
                            "electorate_area": area(took.electorate_area)}
    return facts


def _outcome_text(outcome: str) -> str:
    # Looked up per request so the text follows the user's language.
    return {
        rules.Outcome.PASSED: _("Passed"),
        rules.Outcome.REJECTED: _("Not passed"),
        rules.Outcome.INVALID: _("Not valid: too few took part"),
        rules.Outcome.NONE: _("No verdict"),
    }[rules.Outcome(outcome)]


def _questions(payload: dict) -> list[dict]:
    took_part = payload["turnout"]["voices"] or 0
    questions = []
    for question in payload["questions"]:
        options = [{**o, "share": percent(Decimal(o["count"]) / took_part) if took_part else "—"}
                   for o in question["options"]]
        questions.append({**question, "options": options,
                          "is_rating": question["kind"] == Question.Kind.RATING})
    return questions


def results(user, ballot: Ballot) -> dict | None:
    """The results block, or None while ``user`` may not see them.

    Published: the stored result, named votes (named ballots only) and the counted receipts.
    Closed: a preview counted now, for the organizers only (selectors.can_see_result).
    """
    if not selectors.can_see_result(user, ballot):
        return None
    published = ballot.status == Ballot.Status.PUBLISHED
    payload = ballot.result if published and ballot.result else selectors.result_payload(ballot)
    try:
        verdict = selectors.verdict(ballot, payload)
    except ValueError:
        logger.exception("verdict of ballot %s cannot be computed", ballot.pk)
        verdict = None
    return {
        "published": published,
        "payload": payload,
        "questions": _questions(payload),
        "verdict": verdict,
        "outcome": _outcome_text(verdict.outcome) if verdict else _("The verdict cannot be computed "
                                                                    "from these numbers."),
        "area_rule": ballot.rule in Ballot.AREA_RULES,
        "named": list(selectors.named_votes(ballot)) if published and not ballot.is_secret else [],
        **_receipts(user, ballot, published),
    }


def _receipts(user, ballot: Ballot, published: bool) -> dict:
    """The counted receipts of a published ballot, and the list items that show them, the reader's
    own marked. A street-wide ballot has thousands: the items are made here in one pass rather than
    by a template loop that looks each code up in the reader's receipts twice."""
    if not published:
        return {"receipts": [], "my_receipts": set(), "receipt_items": ""}
    receipts = selectors.counted_receipts(ballot)
    mine = set(Participation.objects.filter(ballot=ballot, user=user).values_list("receipt", flat=True))
    yours = format_html(" <strong>{}</strong>", _("(yours)"))
    items = format_html_join("", "<li{}><code>{}</code>{}</li>", (
        (mark_safe(' class="mine"'), code, yours) if code in mine else ("", code, "")  # noqa: S308 - a constant
        for code in receipts))
    return {"receipts": receipts, "my_receipts": mine, "receipt_items": items}
