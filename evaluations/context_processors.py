"""The agency contact's menu entry, from the roles already cached for the request."""

from evaluations.permissions import contact_agency_ids


def agency_nav(request) -> dict:
    user = getattr(request, "user", None)
    return {"agency_nav": bool(user is not None and user.is_authenticated and contact_agency_ids(user))}
