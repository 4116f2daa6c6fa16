"""Who may act where. Every role is scoped to one place and grants nothing elsewhere.

Views call these with the object's own committee or street, never with an id taken
from a form field, so a role in committee A can never reach committee B.
"""

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from members.models import Committee, Role, Street, User


def roles_of(user: User) -> list[Role]:
    """All roles of ``user``, loaded once per request (cached on the user object)."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_sanhui_roles", None)
    if cached is None:
        cached = list(Role.objects.filter(user=user).select_related(
            "committee", "street", "building__compound", "agency"))
        user._sanhui_roles = cached
    return cached


def forget_roles(user: User) -> None:
    """Drop the per-request role cache after roles change."""
    user.__dict__.pop("_sanhui_roles", None)


def is_site_admin(user: User) -> bool:
    return user.is_authenticated and (
        user.is_superuser or any(r.kind == Role.Kind.SITE_ADMIN for r in roles_of(user))
    )


# Roles held for work rather than as a resident: an organizer, a street officer, an agency's contact.
STAFF_KINDS = (Role.Kind.ORGANIZER, Role.Kind.STREET_OFFICER, Role.Kind.AGENCY_CONTACT, Role.Kind.SITE_ADMIN)


def is_staff_person(user: User) -> bool:
    """Whether ``user`` works on the platform (a staff role, or the admin site) rather than only lives here."""
    return user.is_authenticated and (user.is_staff or user.is_superuser
                                      or any(r.kind in STAFF_KINDS for r in roles_of(user)))


def has_committee_role(user: User, committee: Committee, kind: str) -> bool:
    return any(r.kind == kind and r.committee_id == committee.pk for r in roles_of(user))


def can_manage_committee(user: User, committee: Committee) -> bool:
    """Organizers of this committee, and site admins."""
    return is_site_admin(user) or has_committee_role(user, committee, Role.Kind.ORGANIZER)


def can_view_street(user: User, street: Street) -> bool:
    return is_site_admin(user) or any(
        r.kind == Role.Kind.STREET_OFFICER and r.street_id == street.pk for r in roles_of(user)
    )


def managed_committees(user: User) -> QuerySet[Committee]:
    """Committees ``user`` organizes (all of them for a site admin)."""
    qs = Committee.objects.select_related("street")
    if is_site_admin(user):
        return qs
    ids = [r.committee_id for r in roles_of(user) if r.kind == Role.Kind.ORGANIZER]
    return qs.filter(pk__in=ids)


def viewable_streets(user: User) -> QuerySet[Street]:
    if is_site_admin(user):
        return Street.objects.all()
    ids = [r.street_id for r in roles_of(user) if r.kind == Role.Kind.STREET_OFFICER]
    return Street.objects.filter(pk__in=ids)


def committee_for_organizer_or_404(user: User, pk: int) -> Committee:
    """The committee ``pk`` if ``user`` organizes it; otherwise 404, so foreign ids leak nothing."""
    committee = get_object_or_404(Committee.objects.select_related("street"), pk=pk)
    if not can_manage_committee(user, committee):
        raise Http404
    return committee


def street_reader(street: Street) -> User:
    """The principal of a street's systems: no account, one role, officer of ``street``.

    A system reading with a street's token (the ``api`` app) is asked every question a page asks a
    person, through the same functions, and gets the answers an officer of that street with no other
    role would get. It is never saved: its id, 0, is held by no row, so every "is this person a
    resident, a voter, a party member" question reads the database and answers no.
    """
    reader = User(pk=0, username=f"street-{street.pk}-systems", is_active=False)
    reader._sanhui_roles = [Role(kind=Role.Kind.STREET_OFFICER, street=street)]
    return reader


def street_for_officer_or_404(user: User, pk: int) -> Street:
    street = get_object_or_404(Street, pk=pk)
    if not can_view_street(user, street):
        raise Http404
    return street
