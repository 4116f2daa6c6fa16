"""The open data API, version 1 (/api/v1/): public data of hearings, ballots and evaluations, read only.

Built on django-ninja: the endpoints' shapes are pydantic schemas (``schemas.py``), from which the
OpenAPI schema (/api/v1/openapi.json) and the browsable docs page (/api/v1/docs: Redoc, served from
this site's own static files, ``docs.py``) are made. docs/API.md is the guide.
"""

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from api.v1 import ballots, evaluations, hearings
from api.v1.auth import ReadToken, Refused
from api.v1.docs import REDOC_STYLES, Docs

api = NinjaAPI(title="Sanhui open data", version="1", urls_namespace="api_v1", auth=ReadToken(),
               docs=Docs(), docs_decorator=REDOC_STYLES,
               description="Public data of the residents' committees: hearing notices and outcomes, published "
                           "ballots, published evaluation results. Without a token, what anonymous visitors see; "
                           "with a street's token, what that street's officers see of its public data.")
api.add_router("/hearings", hearings.router)
api.add_router("/ballots", ballots.router)
api.add_router("/", evaluations.router)


@api.exception_handler(Refused)
def refused(request, error: Refused):
    response = api.create_response(request, {"detail": error.detail}, status=error.status)
    for name, value in error.headers.items():
        response[name] = value
    return response


@api.exception_handler(AuthenticationError)
def unauthenticated(request, error):
    return api.create_response(request, {"detail": _("Send the token as “Authorization: Bearer <token>”.")},
                               status=401)


@api.exception_handler(Http404)
def not_found(request, error):
    return api.create_response(request, {"detail": _("Nothing here, or nothing you may read.")}, status=404)


@api.exception_handler(ValidationError)
def invalid(request, error: ValidationError):
    fields = sorted({".".join(str(part) for part in e.get("loc", ())[1:]) or "?" for e in error.errors})
    return api.create_response(request, {"detail": _("These parameters are not valid: %(fields)s.")
                                         % {"fields": ", ".join(fields)}, "errors": error.errors}, status=422)
