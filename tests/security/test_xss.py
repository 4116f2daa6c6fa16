"""Stored XSS: a payload in every free-text field, every page that shows it, escaped; a strict CSP.

Every free-text field of every object of the world (names of streets, committees, agencies,
compounds, buildings, people; ballot titles, descriptions, questions, option labels, notes, reasons;
the other apps' texts as soon as their objects are in the world) is overwritten with a payload
through save(), so the history tables carry them too. Then every page of the access matrix is
fetched as every role allowed to see it, and every admin page (lists, forms, history, and
django-simple-history's record views) as the site admin. No payload may appear as markup.
"""

import pytest
from django.db import transaction

from decisions import services as ballots
from tests.security import figures
from tests.security.access import OK, STAFF_OK
from tests.security.conftest import fresh_client
from tests.security.test_access_matrix import ROUTES, entry_for, url_for
from tests.security.xss import PAYLOADS, dangerous, inject_everywhere

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def poisoned(world, django_db_blocker):
    with django_db_blocker.unblock():
        own = world.own
        # Texts that only services write: a cancellation reason, an assisted vote's consent note.
        cancelled = ballots.ballot_create(committee=own.committee, by=own.organizer, title=PAYLOADS[0],
                                          description=PAYLOADS[1], question=PAYLOADS[2])
        ballots.question_add(ballot=cancelled, by=own.organizer, text=PAYLOADS[3],
                             options=[ballots.OptionSpec(p[:100]) for p in PAYLOADS[4:7]])
        ballots.ballot_cancel(ballot=cancelled, by=own.organizer, reason=PAYLOADS[7])
        question = own.ballot_open.questions.first()
        yes = question.options.get(meaning="yes")
        ballots.vote_cast(ballot=own.ballot_open, voter=world.users["party_member"],
                          choices={question.pk: [yes.pk]}, channel="assisted", entered_by=own.organizer,
                          consent_note=PAYLOADS[8])
        injected = inject_everywhere()
    figures.add("xss_payloads_stored", len(injected) + 5)
    return injected


def _pages(world):
    """(url, role) for every page a role may GET, on both sides; the admin's as the site admin."""
    for route in ROUTES:
        entry = entry_for(route)
        if entry is None:
            continue
        for side in entry.sides:
            kwargs = entry.kwargs(world, world.side(side)) if entry.kwargs else {}
            url = url_for(route, kwargs)
            for role, status in entry.get[side].items():
                if status in (200, OK, STAFF_OK):
                    yield route.name, url, role


def test_every_text_field_got_a_payload(poisoned):
    fields = {name for name, _ in poisoned}
    for expected in ("Street.name", "Committee.name", "Agency.name", "Compound.name", "Building.name",
                     "User.full_name", "Ballot.title", "Ballot.description", "Question.text", "Option.label"):
        assert expected in fields, f"{expected} got no payload; injected: {sorted(fields)}"


# --- Evaluations, party deliberation, floor consultations, notifications ----------------------
EVALUATION_PARTY_FLOOR_FIELDS = (
    "Campaign.title", "Campaign.session_place", "Evaluatee.name", "Dimension.name", "Level.label", "Comment.text",
    "Rectification.reason", "Rectification.targets", "Rectification.measures", "Rectification.head_name",
    "Progress.note",
    "Topic.title", "Topic.material", "Topic.resolution", "TopicComment.body", "PartyMeeting.title",
    "PartyMeeting.place", "FollowUp.what", "FollowUp.owner", "FollowUpNote.text",
    "Consultation.title", "Consultation.description", "Consultation.proposed_convention",
    "Consultation.agreed_opinion", "HouseholdComment.body", "ConventionVersion.text",
    "Notification.title", "Notification.body",
)


def test_evaluation_party_floor_and_notification_texts_got_a_payload(poisoned):
    fields = {name for name, _ in poisoned}
    missing = [f for f in EVALUATION_PARTY_FLOOR_FIELDS if f not in fields]
    assert not missing, f"no payload in {missing}"


def test_no_payload_is_rendered_as_markup_and_every_page_has_a_strict_csp(world, poisoned):
    problems, pages, escaped_seen = [], 0, 0
    for name, url, role in _pages(world):
        with transaction.atomic():
            response = fresh_client(world, role).get(url)
            transaction.set_rollback(True)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        pages += 1
        escaped_seen += html.count("&lt;") > 0 and "__xss" in html
        for snippet in dangerous(html):
            problems.append(f"{name} {url} as {role}: …{snippet}…")
        csp = response.get("Content-Security-Policy", "")
        if not csp or "unsafe-inline" in csp or "unsafe-eval" in csp or "script-src 'self'" not in csp:
            problems.append(f"{name} {url} as {role}: weak or missing CSP {csp!r}")
    figures.add("xss_pages_checked", pages)
    assert pages > 100
    assert escaped_seen > 20, "the payloads should be on many pages, escaped"
    assert not problems, "\n".join(problems[:50])


def test_the_detector_finds_every_payload_left_raw():
    from tests.security.xss import dangerous

    for payload in PAYLOADS:
        assert dangerous(f"<p>{payload}</p>"), f"the detector misses {payload!r}"


# --- Hearings and coordination meetings ------------------------------------------------------------------

HEARING_FIELDS = (
    "Hearing.title", "Hearing.background", "Hearing.place", "Hearing.late_reason", "Hearing.decision",
    "Hearing.decision_reasons", "Hearing.cancel_reason", "HearingAttachment.title", "HearingPanelMember.name",
    "HearingRegistration.topic", "HearingOpinion.text", "HearingAttendance.name", "HearingStatement.text",
    "HearingMinutes.record", "HearingMinutes.summary", "HearingObjection.text", "HearingObjection.answer",
)
COORDINATION_FIELDS = (
    "CoordinationMeeting.subject", "CoordinationMeeting.request_text", "CoordinationMeeting.other_parties_text",
    "CoordinationMeeting.place", "CoordinationMeeting.decline_reason", "CoordinationMeeting.escalation_reason",
    "CoordinationMeeting.cancel_reason", "CoordinationParticipant.label", "CoordinationStatement.text",
    "CoordinationDocument.points_in_dispute", "CoordinationDocument.body", "CoordinationAction.description",
    "CoordinationProgress.text", "CoordinationProgress.attachment_name",
)


def test_every_hearings_and_coordination_text_field_got_a_payload(poisoned):
    fields = {name for name, _ in poisoned}
    missing = [f for f in (*HEARING_FIELDS, *COORDINATION_FIELDS) if f not in fields]
    assert not missing, f"no payload in {missing}"


def test_hearing_and_coordination_pages_of_other_states_show_no_payload_as_markup(world, poisoned):
    """Texts shown only in some states (cancelled, declined, escalated, answered) on those objects' pages."""
    from django.urls import reverse

    from tests.security.access import extra_pages

    problems, escaped = [], 0
    pages = extra_pages()
    for name, kwargs, roles in pages:
        for side in ("own", "foreign"):
            url = reverse(name, kwargs=kwargs(world, world.side(side)))
            for role in roles:
                role = {"own": role}.get(side, {"resident": "resident_other", "organizer": "organizer_other",
                                                "officer": "officer_other"}.get(role, role))
                with transaction.atomic():
                    response = fresh_client(world, role).get(url)
                    transaction.set_rollback(True)
                if response.status_code != 200:
                    problems.append(f"{name} {url} as {role}: {response.status_code}")
                    continue
                html = response.content.decode()
                escaped += "__xss" in html
                problems += [f"{name} {url} as {role}: …{snippet}…" for snippet in dangerous(html)]
    assert escaped >= len(pages), "the payloads should be on these pages, escaped"
    assert not problems, "\n".join(problems[:50])
