"""Expected answers of the coordination app's URLs (format: tests/security/access/__init__.py).

Who sees what (coordination/selectors.py, README): coordination meetings are private: the parties
(the requesting resident and the named agency's contact), the committee's organizers and site
admins; the street office's officers once the matter is escalated. Everyone else 404, so a
meeting's existence leaks nothing.

The builder below makes, on each side, through the services: a meeting being prepared and one being
concluded; a meeting between the side's resident and the side's agency in follow-up (record and
agreement confirmed, two actions, progress with an attachment) and an escalated one; a declined
request and a cancelled meeting.
"""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from coordination import services as coord
from coordination.models import CoordinationDocument
from tests.security.access import OK, REDIRECT, Entry, everyone, scoped
from tests.security.access.hearings import ONLY_OWN, ORGANIZER, PNG, committee, post_only
from tests.security.world import register_builder

# --- The builder -----------------------------------------------------------------------------------

def _meeting(world, side, *, escalate: bool):
    org = side.organizer
    meeting = coord.coordination_request(committee=side.committee, by=side.resident,
                                         subject=f"Leaking roof {side.committee.name}",
                                         request_text="Please repair the roof", agency=side.agency)
    coord.coordination_accept(meeting=meeting, by=org)
    coord.coordination_schedule(meeting=meeting, by=org, scheduled_at=timezone.now() + timedelta(days=10),
                                place="Committee room")
    coord.coordination_give_notice(meeting=meeting, by=org)
    coord.coordination_start(meeting=meeting, by=org, reason="Both parties came early")
    resident_row, agency_row = list(meeting.participants.filter(is_party=True).order_by("id"))
    coord.statement_add(meeting=meeting, by=org, participant=resident_row, text="Leaking for three months")
    coord.coordination_conclude(meeting=meeting, by=org, points_in_dispute="Who pays", record_text="The record",
                                agreement_reached=True, agreement_text="The agency repairs the roof",
                                early_reason="Settled at the first sitting")
    due = timezone.localdate() + timedelta(days=14)
    resident_action = coord.action_add(meeting=meeting, by=org, description="Clear the stairwell", due_date=due,
                                       owner_participant=resident_row)
    agency_action = coord.action_add(meeting=meeting, by=org, description="Repair the roof", due_date=due,
                                     owner_participant=agency_row)
    for kind in (CoordinationDocument.Kind.RECORD, CoordinationDocument.Kind.AGREEMENT):
        document = meeting.documents.get(kind=kind, superseded_at__isnull=True)
        coord.document_submit(document=document, by=org)
        coord.document_confirm(document=document, by=side.resident)
        coord.document_record_paper(document=document, by=org, participant=agency_row)
    progress = coord.action_progress(action=resident_action, by=side.resident, text="Half of it is clear",
                                     attachment=SimpleUploadedFile("stairs.png", PNG, content_type="image/png"))
    if escalate:
        coord.coordination_escalate(meeting=meeting, by=org, reason="The agency refuses to pay")
    meeting.refresh_from_db()
    return {"meeting": meeting, "resident_row": resident_row, "agency_row": agency_row,
            "resident_action": resident_action, "agency_action": agency_action, "progress": progress,
            "record": meeting.documents.get(kind=CoordinationDocument.Kind.RECORD, superseded_at__isnull=True),
            "agreement": meeting.documents.get(kind=CoordinationDocument.Kind.AGREEMENT,
                                               superseded_at__isnull=True)}


def _ended_meetings(side) -> None:
    """A declined request and a cancelled meeting: their reasons are shown only in those states."""
    org = side.organizer
    declined = coord.coordination_request(committee=side.committee, by=side.resident, subject="Noisy neighbour",
                                          request_text="Please talk to them", other_parties_text="Door 302")
    side.extra["coordination_declined"] = coord.coordination_decline(meeting=declined, by=org,
                                                                     reason="Not a shared matter")
    cancelled = coord.coordination_request(committee=side.committee, by=side.resident, subject="Parking",
                                           request_text="Too many cars", agency=side.agency)
    coord.coordination_accept(meeting=cancelled, by=org)
    side.extra["coordination_cancelled"] = coord.coordination_cancel(meeting=cancelled, by=org,
                                                                     reason="The requester withdrew")


def _open_meetings(side) -> None:
    """Meetings being prepared and being concluded: the organizer's forms (time and place, participants,
    statements, actions) are on their pages, for the fuzz suite to find."""
    org = side.organizer
    scheduling = coord.coordination_request(committee=side.committee, by=side.resident, subject="Broken gate",
                                            request_text="The gate does not lock", agency=side.agency)
    side.extra["coordination_scheduling"] = coord.coordination_accept(meeting=scheduling, by=org)
    concluding = coord.coordination_request(committee=side.committee, by=side.resident, subject="Rubbish bins",
                                            request_text="Bins overflow", agency=side.agency)
    coord.coordination_accept(meeting=concluding, by=org)
    coord.coordination_schedule(meeting=concluding, by=org, scheduled_at=timezone.now() + timedelta(days=10),
                                place="Committee room")
    coord.coordination_give_notice(meeting=concluding, by=org)
    coord.coordination_start(meeting=concluding, by=org, reason="Both parties came early")
    coord.coordination_conclude(meeting=concluding, by=org, points_in_dispute="How often", record_text="Record",
                                agreement_reached=True, agreement_text="Emptied twice a week",
                                early_reason="Settled at the first sitting")
    side.extra["coordination_concluding"] = concluding


def build(world, side) -> None:
    _open_meetings(side)
    side.extra["coordination"] = _meeting(world, side, escalate=False)
    side.extra["coordination_escalated"] = _meeting(world, side, escalate=True)
    _ended_meetings(side)


register_builder(build)


# --- Expectations -----------------------------------------------------------------------------------

# A coordination meeting: its parties (the resident; the agency's contact, of committee A only: B's agency
# has none), the committee's organizers and site admins. Once escalated, the street's officers too.
PARTIES = "resident agency organizer admin"
ESCALATED = PARTIES + " officer"


def meeting(key="coordination", **more):
    def kwargs(w, s):
        obj = s.extra[key]
        return {"pk": (obj["meeting"] if isinstance(obj, dict) else obj).pk, **{name: f(s) for name, f in more.items()}}
    return kwargs


EXPECTATIONS = {
    "coordination:coordination_mine": Entry(get=everyone(200), sides=ONLY_OWN),
    "coordination:coordination_request": Entry(get=everyone(200), sides=ONLY_OWN),
    "coordination:coordination_dashboard": Entry(kwargs=committee, get=scoped(ORGANIZER)),
    "coordination:coordination_create": Entry(kwargs=committee, get=scoped(ORGANIZER)),
    "coordination:coordination_settings": Entry(kwargs=committee, **post_only({"organizer admin": REDIRECT})),
    "coordination:coordination_escalations": Entry(kwargs=lambda w, s: {"pk": s.street.pk},
                                               get=scoped({"officer admin": 200})),
    # Not escalated: the street office does not see it.
    "coordination:coordination_detail": Entry(kwargs=meeting(), get=scoped({PARTIES: 200})),
    # Closing an escalated matter: its organizers and the street office; parties see it but may not close it.
    "coordination:coordination_move": Entry(kwargs=meeting("coordination_escalated", move=lambda s: "close"),
                                        get=scoped({"organizer officer admin": 200}),
                                        post=scoped({"organizer officer admin": OK})),
    # The organizer's POST-only forms, on meetings in the state that offers them (an empty POST: 400, the page
    # with the form's errors).
    "coordination:coordination_schedule": Entry(kwargs=meeting("coordination_scheduling"),
                                            **post_only({"organizer admin": 400})),
    "coordination:coordination_participant_add": Entry(kwargs=meeting("coordination_scheduling"),
                                                   **post_only({"organizer admin": 400})),
    "coordination:coordination_participant_remove": Entry(
        kwargs=meeting(participant_pk=lambda s: s.extra["coordination"]["agency_row"].pk), get=scoped(ORGANIZER)),
    "coordination:coordination_statement_add": Entry(kwargs=meeting("coordination_concluding"),
                                                 **post_only({"organizer admin": 400})),
    "coordination:coordination_conclude": Entry(kwargs=meeting(), get=scoped(ORGANIZER)),
    "coordination:coordination_document_edit": Entry(
        kwargs=meeting(document_pk=lambda s: s.extra["coordination"]["agreement"].pk), get=scoped(ORGANIZER)),
    "coordination:coordination_document_submit": Entry(
        kwargs=meeting(document_pk=lambda s: s.extra["coordination"]["agreement"].pk), get=scoped(ORGANIZER)),
    "coordination:coordination_document_confirm": Entry(
        kwargs=meeting(document_pk=lambda s: s.extra["coordination"]["record"].pk), get=scoped({PARTIES: 200})),
    "coordination:coordination_document_paper": Entry(
        kwargs=meeting(document_pk=lambda s: s.extra["coordination"]["record"].pk), get=scoped(ORGANIZER)),
    "coordination:coordination_document_correct": Entry(
        kwargs=meeting(document_pk=lambda s: s.extra["coordination"]["agreement"].pk), get=scoped(ORGANIZER)),
    "coordination:coordination_action_add": Entry(kwargs=meeting("coordination_concluding"),
                                              **post_only({"organizer admin": 400})),
    "coordination:coordination_action_remove": Entry(
        kwargs=meeting(action_pk=lambda s: s.extra["coordination"]["agency_action"].pk), get=scoped(ORGANIZER)),
    # Progress: organizers and whoever speaks for the action's owner (the resident's action).
    "coordination:coordination_action_progress": Entry(
        kwargs=meeting(action_pk=lambda s: s.extra["coordination"]["resident_action"].pk),
        get=scoped({"resident organizer admin": 200})),
    # The attachment of an escalated meeting: parties, organizers, the street office.
    "coordination:coordination_attachment": Entry(
        kwargs=meeting("coordination_escalated",
                       progress_pk=lambda s: s.extra["coordination_escalated"]["progress"].pk),
        get=scoped({ESCALATED: 200})),
}


# --- Pages of objects in other states, for the stored-XSS and fuzz suites -----------------------------------
# (url name, kwargs(world, side), roles of committee A); see tests/security/access/hearings.py.
EXTRA_PAGES = [
    ("coordination:coordination_detail", meeting("coordination_escalated"), ("resident", "organizer", "officer")),
    ("coordination:coordination_detail", lambda w, s: {"pk": s.extra["coordination_declined"].pk},
     ("resident", "organizer")),
    ("coordination:coordination_detail", lambda w, s: {"pk": s.extra["coordination_cancelled"].pk},
     ("resident", "organizer")),
    ("coordination:coordination_escalations", lambda w, s: {"pk": s.street.pk}, ("officer",)),
    ("coordination:coordination_detail", meeting("coordination_scheduling"), ("resident", "organizer")),
    ("coordination:coordination_detail", meeting("coordination_concluding"), ("resident", "organizer")),
]
