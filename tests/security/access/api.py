"""The api app: the street's token pages, and the open data API (/api/v1/).

Token pages belong to the street's officers (and site admins), like the street's other pages.
The API ignores the session: a signed-in person without a token reads as an anonymous visitor,
so every role gets the same answer: public hearings, empty ballot and evaluation lists, and 404
for a ballot, an evaluation or a street's results (tests/api covers the readers with tokens).
"""

from api import services
from tests.security.access import Entry, everyone, scoped
from tests.security.world import register_builder

STREET = {"officer admin": 200}
ONLY_OWN = ("own",)


def build(world, side) -> None:
    officer = world.user("officer" if side is world.own else "officer_other")
    side.extra["api_token"], _ = services.token_create(street=side.street, name=f"System {side.street.name}",
                                                       days=30, by=officer)


register_builder(build)


def street(w, s):
    return {"pk": s.street.pk}


def pk(get):
    return lambda w, s: {"pk": get(s).pk}


ANYONE = everyone(200, anonymous=200)
NOBODY = everyone(404, anonymous=404)

EXPECTATIONS = {
    "api:token_list": Entry(kwargs=street, get=scoped(STREET)),
    "api:token_log": Entry(kwargs=street, get=scoped(STREET)),
    "api:token_revoke": Entry(kwargs=lambda w, s: {"pk": s.street.pk, "token_pk": s.extra["api_token"].pk},
                              get=scoped(STREET)),
    "api_v1:api-root": Entry(get=NOBODY, sides=ONLY_OWN),
    "api_v1:openapi-json": Entry(get=ANYONE, sides=ONLY_OWN),
    "api_v1:openapi-view": Entry(get=ANYONE, sides=ONLY_OWN),
    "api_v1:hearing_list": Entry(get=ANYONE, sides=ONLY_OWN),
    "api_v1:hearing_detail": Entry(kwargs=pk(lambda s: s.extra["hearing"]), get=ANYONE),
    "api_v1:ballot_list": Entry(get=ANYONE, sides=ONLY_OWN),
    "api_v1:ballot_detail": Entry(kwargs=pk(lambda s: s.ballot_published), get=NOBODY),
    "api_v1:ballot_receipts": Entry(kwargs=pk(lambda s: s.ballot_published), get=NOBODY),
    "api_v1:ballot_papers": Entry(kwargs=pk(lambda s: s.ballot_published), get=NOBODY),
    "api_v1:ballot_anchors": Entry(kwargs=pk(lambda s: s.ballot_published), get=NOBODY),
    "api_v1:ballot_bulletin": Entry(kwargs=pk(lambda s: s.ballot_published), get=NOBODY),
    "api_v1:campaign_list": Entry(get=ANYONE, sides=ONLY_OWN),
    "api_v1:campaign_results": Entry(kwargs=pk(lambda s: s.extra["campaign_published"]), get=NOBODY),
    "api_v1:street_results": Entry(kwargs=street, get=NOBODY),
    "api_v1:street_requests": Entry(kwargs=street, get=NOBODY),
}
