"""Navigation by role, computed once per request from the cached roles."""

from members.models import Role
from members.notifications import unread_count_after_visit
from members.permissions import is_site_admin, roles_of

PARTY_KINDS = (Role.Kind.PARTY_MEMBER, Role.Kind.PARTY_REPRESENTATIVE)
# Who runs or leads floor consultations: a floor leader in their building, an organizer in their
# neighbourhood's buildings. Residents reach their building's consultations from the home page.
FLOOR_KINDS = (Role.Kind.FLOOR_LEADER, Role.Kind.ORGANIZER)


LARGE_PRINT_COOKIE = "sanhui_large_print"


def display(request) -> dict:
    """Whether pages are drawn in large print ("A+"): the signed-in person's choice, else the visitor's cookie."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return {"large_print": user.large_print}
    return {"large_print": request.COOKIES.get(LARGE_PRINT_COOKIE) == "1"}


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}}
    roles = roles_of(user)
    organizes = sorted({r.committee for r in roles if r.kind == Role.Kind.ORGANIZER},
                       key=lambda c: c.name)
    streets = sorted({r.street for r in roles if r.kind == Role.Kind.STREET_OFFICER},
                     key=lambda s: s.name)
    return {"nav": {
        "organizes": organizes,
        "streets": streets,
        "party": any(r.kind in PARTY_KINDS for r in roles),
        "floors": any(r.kind in FLOOR_KINDS for r in roles),
        "site_admin": is_site_admin(user),
        "staff": user.is_staff,
        # Opening a page marks read the notifications about it, before the header counts them.
        "unread": unread_count_after_visit(request),
    }}
