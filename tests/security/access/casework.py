"""Expected answers of the casework app's URLs (format: tests/security/access/__init__.py).

Who sees a residents' request (casework/selectors.py ``can_see``): its requester, the committee's
organizers and site admins, the street's officers, the contact of the agency it was routed to and
the floor leader of its building. Everyone else 404, so a request's existence leaks nothing.

The builder below makes, on each side, through the services: a new request (with a photo) and one
routed to the side's agency (on side A also accepted by its contact), both from the side's resident.
"""

from django.core.files.uploadedfile import SimpleUploadedFile

from casework import services as casework
from casework.models import Category
from tests.security.access import Entry, everyone, scoped
from tests.security.access.hearings import ONLY_OWN, ORGANIZER, PNG, committee, post_only
from tests.security.world import register_builder


def build(world, side) -> None:
    kw = {"by": side.resident, "committee": side.committee, "compound": side.compound, "building": side.building,
          "category": Category.LEAK}
    side.extra["case_new"] = casework.case_file(description="Water through the ceiling", spot="101",
                                                photo=SimpleUploadedFile("ceiling.png", PNG), **kw)
    routed = casework.case_file(description="The lift stops at floor 5", **kw)
    casework.case_route(case=routed, by=side.organizer, handler=side.agency)
    if side.committee == world.own.committee:
        casework.case_accept(case=routed, by=world.users["agency"])
    side.extra["case_routed"] = routed


register_builder(build)

SEES = "resident floor_leader organizer admin officer agency"
SLIP = "organizer admin officer agency"


def case(key, **more):
    def kwargs(w, s):
        return {"pk": s.extra[key].pk, **{name: f(s) for name, f in more.items()}}
    return kwargs


EXPECTATIONS = {
    "casework:case_mine": Entry(get=everyone(200), sides=ONLY_OWN),
    "casework:agency_cases": Entry(get=everyone(404, agency=200), sides=ONLY_OWN),
    "casework:agency_export": Entry(get=everyone(404, agency=200), sides=ONLY_OWN),
    "casework:case_detail": Entry(kwargs=case("case_routed"), get=scoped({SEES: 200})),
    "casework:case_slip": Entry(kwargs=case("case_routed"), get=scoped({SLIP: 200})),
    # The photo of the new request: not routed yet, so no agency sees it.
    "casework:case_photo": Entry(kwargs=case("case_new", photo_pk=lambda s: s.extra["case_new"].photos.get().pk),
                                 get=scoped({"resident floor_leader organizer admin officer": 200})),
    # An empty POST: the request's page again with the form's errors, for whoever may see it.
    "casework:case_write": Entry(kwargs=case("case_routed", what=lambda s: "progress"),
                                 **post_only({SEES: 200})),
    # Routing a new request: the committee's organizers (an empty POST: the form again).
    "casework:case_move": Entry(kwargs=case("case_new", move=lambda s: "route"), get=scoped(ORGANIZER)),
    "casework:case_file": Entry(kwargs=committee,
                                get=scoped({"resident party_member floor_leader organizer admin": 200})),
    "casework:committee_cases": Entry(kwargs=committee, get=scoped(ORGANIZER)),
    "casework:committee_heat": Entry(kwargs=committee, get=scoped(ORGANIZER)),
    "casework:committee_export": Entry(kwargs=committee, get=scoped(ORGANIZER)),
    "casework:street_cases": Entry(kwargs=lambda w, s: {"pk": s.street.pk}, get=scoped({"officer admin": 200})),
}
