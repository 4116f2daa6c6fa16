"""Expected answers of the hearings app's URLs (format: tests/security/access/__init__.py).

Who sees what (hearings/views/, README; coordination meetings are in coordination.py here):

* Hearings. An announced (or later) hearing is a public notice: its page, printable notice, QR code
  and material answer 200 to anyone, signed in or not, of any committee. A draft is its committee's
  organizers' alone (404 for everyone else, anonymous included: the page does not ask to sign in).
  Residents' actions (register, opinion, objection) are POST-only; the service, not the URL, refuses
  a resident outside the affected area (a redirect with the error as a message). Confirming the
  minutes is for the people checked in at the session only. The organizer's desk: the committee's
  organizers and site admins.

The builder below makes, on each side, through the services: a draft hearing, an announced one
(material, a chair, a pending registration and a written opinion of the side's resident) and one in
public notice (the resident registered, checked in, confirmed the final minutes and filed an
objection).
"""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from hearings import services as hear
from hearings.models import Hearing, HearingAttendance, HearingPanelMember, HearingRegistration
from tests.security.access import OK, REDIRECT, Entry, everyone, scoped
from tests.security.world import register_builder

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64
PDF = b"%PDF-1.4\n" + b"0" * 64


# --- The builder -----------------------------------------------------------------------------------

def _hearing(side, title: str, days: int = 30) -> Hearing:
    now = timezone.now()
    starts = now + timedelta(days=days)
    hearing = hear.hearing_create(committee=side.committee, by=side.organizer, title=title, starts_at=starts,
                                  place=f"Hall {side.committee.name}", opinion_opens_at=now - timedelta(minutes=1),
                                  opinion_closes_at=starts - timedelta(hours=1), background=f"Background {title}",
                                  scope=Hearing.Scope.COMMITTEE)
    side.extra.setdefault("hearing_chairs", {})[hearing.pk] = hear.hearing_panel_add(
        hearing=hearing, by=side.organizer, role=HearingPanelMember.Role.CHAIR, user=side.organizer)
    return hearing


def _hearings(world, side) -> None:
    org, resident = side.organizer, side.resident
    side.extra["hearing_draft"] = _hearing(side, f"Draft hearing {side.committee.name}")

    announced = _hearing(side, f"Announced hearing {side.committee.name}")
    side.extra["hearing_attachment"] = hear.hearing_attachment_add(
        hearing=announced, by=org, upload=SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf"),
        title="Plan")
    hear.hearing_announce(hearing=announced, by=org)
    side.extra["hearing_registration"] = hear.hearing_register(
        hearing=announced, user=resident, kind=HearingRegistration.Kind.SPEAKER, topic="My topic")
    side.extra["hearing_opinion"] = hear.hearing_opinion_save(hearing=announced, user=resident, text="My opinion")
    side.extra["hearing"] = announced

    # Announced with short notice (its reason is public), held, minuted, in public notice.
    done = _hearing(side, f"Finished hearing {side.committee.name}", days=2)
    hear.hearing_announce(hearing=done, by=org, late_reason="The lift broke down")
    registration = hear.hearing_register(hearing=done, user=resident, kind=HearingRegistration.Kind.SPEAKER,
                                         topic="Speaking")
    hear.hearing_registration_decide(registration=registration, by=org, confirm=True)
    hear.hearing_opinion_save(hearing=done, user=resident, text="An opinion", hide_name=True)
    hear.hearing_session_start(hearing=done, by=org, reason="Everyone concerned was present early")
    hear.hearing_check_in(hearing=done, by=org, role=HearingAttendance.Role.SPEAKER, user=resident)
    hear.hearing_statement_add(hearing=done, by=org, text="A statement", speaker=resident)
    hear.hearing_session_end(hearing=done, by=org)
    minutes = hear.hearing_minutes_save(hearing=done, by=org, record="The record", summary="The summary")
    hear.hearing_minutes_circulate(minutes=minutes, by=org)
    hear.hearing_minutes_confirm(minutes=minutes, user=resident)
    side.extra["hearing_minutes"] = hear.hearing_minutes_finalize(minutes=minutes, by=org)
    hear.hearing_publish_outcome(hearing=done, by=org, decision="The decision", reasons="The reasons")
    side.extra["hearing_objection"] = hear.hearing_objection_file(hearing=done, user=resident, text="I object")
    answered = hear.hearing_objection_file(hearing=done, user=side.extra["paper_voter"], text="I object too")
    hear.hearing_objection_answer(objection=answered, by=org, answer="Our answer")
    side.extra["hearing_done"] = Hearing.objects.get(pk=done.pk)

    cancelled = _hearing(side, f"Cancelled hearing {side.committee.name}")
    hear.hearing_announce(hearing=cancelled, by=org)
    side.extra["hearing_cancelled"] = hear.hearing_cancel(hearing=cancelled, by=org, reason="The matter was settled")


def build(world, side) -> None:
    _hearings(world, side)


register_builder(build)


# --- Expectations -----------------------------------------------------------------------------------

ORGANIZER = {"organizer admin": 200}
ONLY_OWN = ("own",)
PUBLIC = everyone(200, anonymous=200)


def x(key, attr=None):
    """The pk of ``side.extra[key]`` (or of ``side.extra[key][attr]``)."""
    def pk(side):
        obj = side.extra[key]
        return (obj[attr] if attr else obj).pk
    return pk


def hearing(key="hearing", **more):
    return lambda w, s: {"pk": x(key)(s), **{name: f(s) for name, f in more.items()}}


def committee(w, s):
    return {"pk": s.committee.pk}


def post_only(allowed: dict, **kw) -> dict:
    """A POST-only URL: GET answers 405 to everyone signed in (sign-in first for visitors)."""
    return {"get": everyone(405), "post": scoped(allowed, **kw)}


def chair(s, key="hearing_draft"):
    return s.extra["hearing_chairs"][s.extra[key].pk].pk


# Residents' POSTs on a public hearing: anyone signed in reaches the service, which refuses those outside
# the affected area with a message (a redirect back to the hearing's page).
RESIDENT_POST = {"get": everyone(405), "post": everyone(REDIRECT)}

EXPECTATIONS = {
    # --- Hearings: public pages --------------------------------------------------------------------
    "hearings:hearing_mine": Entry(get=everyone(200), sides=ONLY_OWN),
    "hearings:hearing_detail": Entry(kwargs=hearing(), get=PUBLIC),
    "hearings:hearing_notice": Entry(kwargs=hearing("hearing_done"), get=PUBLIC),
    "hearings:hearing_qr": Entry(kwargs=hearing(), get=PUBLIC),
    "hearings:hearing_attachment": Entry(kwargs=hearing(attachment_pk=x("hearing_attachment")), get=PUBLIC),
    "hearings:hearing_register": Entry(kwargs=hearing(), **RESIDENT_POST),
    "hearings:hearing_opinion": Entry(kwargs=hearing(), **RESIDENT_POST),
    "hearings:hearing_objection": Entry(kwargs=hearing("hearing_done"), **RESIDENT_POST),
    # Only those checked in at the session (the side's resident) confirm the minutes.
    "hearings:hearing_minutes_confirm": Entry(kwargs=hearing("hearing_done", minutes_pk=x("hearing_minutes")),
                                              get=scoped({"resident": 200})),
    # --- Hearings: the organizer's desk ----------------------------------------------------------
    "hearings:hearing_committee_list": Entry(kwargs=committee, get=scoped(ORGANIZER)),
    "hearings:hearing_create": Entry(kwargs=committee, get=scoped(ORGANIZER)),
    "hearings:hearing_settings": Entry(kwargs=committee, get=scoped(ORGANIZER)),
    "hearings:hearing_manage": Entry(kwargs=hearing("hearing_draft"), get=scoped(ORGANIZER)),
    "hearings:hearing_edit": Entry(kwargs=hearing(), get=scoped(ORGANIZER)),
    "hearings:hearing_attachment_add": Entry(kwargs=hearing("hearing_draft"), **post_only({"organizer admin": 200})),
    "hearings:hearing_panel_add": Entry(kwargs=hearing("hearing_draft"), **post_only({"organizer admin": 200})),
    "hearings:hearing_panel_remove": Entry(kwargs=hearing("hearing_draft", member_pk=chair), get=scoped(ORGANIZER),
                                           post=scoped({"organizer admin": REDIRECT})),
    "hearings:hearing_registration_decide": Entry(
        kwargs=hearing(registration_pk=x("hearing_registration"), decision=lambda s: "confirm"),
        get=scoped(ORGANIZER), post=scoped({"organizer admin": REDIRECT})),
    "hearings:hearing_check_in": Entry(kwargs=hearing(), **post_only({"organizer admin": 200})),
    "hearings:hearing_statement_add": Entry(kwargs=hearing(), **post_only({"organizer admin": 200})),
    "hearings:hearing_vote": Entry(kwargs=hearing("hearing_done"), get=scoped(ORGANIZER)),
    "hearings:hearing_minutes_edit": Entry(kwargs=hearing("hearing_done"), get=scoped(ORGANIZER)),
    "hearings:hearing_minutes_move": Entry(
        kwargs=hearing("hearing_done", minutes_pk=x("hearing_minutes"), action=lambda s: "finalize"),
        get=scoped(ORGANIZER), post=scoped({"organizer admin": REDIRECT})),
    # Recording a paper signature: the organizer's POST (an empty choice is refused with a message).
    "hearings:hearing_minutes_paper": Entry(kwargs=hearing("hearing_done", minutes_pk=x("hearing_minutes")),
                                            get=everyone(405), post=scoped({"organizer admin": REDIRECT})),
    "hearings:hearing_objection_answer": Entry(kwargs=hearing("hearing_done", objection_pk=x("hearing_objection")),
                                               get=scoped(ORGANIZER)),
    "hearings:hearing_transition": Entry(kwargs=hearing("hearing_draft", action=lambda s: "announce"),
                                         get=scoped(ORGANIZER), post=scoped({"organizer admin": OK})),
}


# --- Pages of objects in other states, for the stored-XSS and fuzz suites -----------------------------------
# The matrix fetches one object per URL; texts shown only in other states (a cancellation reason, a
# declined request, an escalation's reason) and forms offered only in other states (time and place,
# statements, actions) are on these pages: (url name, kwargs(world, side), roles of committee A).
EXTRA_PAGES = [
    ("hearings:hearing_detail", hearing("hearing_cancelled"), ("anonymous", "resident", "organizer")),
    ("hearings:hearing_detail", hearing("hearing_done"), ("anonymous", "resident", "organizer")),
    ("hearings:hearing_manage", hearing("hearing_done"), ("organizer",)),
    ("hearings:hearing_manage", hearing(), ("organizer",)),
    ("hearings:hearing_notice", hearing(), ("anonymous",)),
]
