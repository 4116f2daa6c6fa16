"""Every write to the members directory. Views, admin, commands and tests call these."""

import secrets
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.lifecycle import guard_move
from members.models import (
    Agency,
    Building,
    Committee,
    Compound,
    Household,
    Membership,
    Role,
    Street,
    User,
)
from members.permissions import can_manage_committee, forget_roles, is_site_admin


def stamp(instance, by: User | None):
    """Record ``by`` as the history user even outside a request (commands, tests); every app's services use it."""
    if by is not None:
        instance._history_user = by
    return instance


_stamp = stamp


def _require_organizer(by: User, committee: Committee) -> None:
    if not can_manage_committee(by, committee):
        raise PermissionDenied(_("Only organizers of %(c)s may do this.") % {"c": committee})


def require_organizer_or_system(by: User | None, committee: Committee) -> None:
    """``by`` organizes ``committee``; ``None`` is the system itself (a scheduled job, a seed)."""
    if by is not None:
        _require_organizer(by, committee)


# --- Places ------------------------------------------------------------------

@transaction.atomic
def street_ensure(*, name: str, district: str = "", by: User | None = None) -> Street:
    """Return the street called ``name``, creating it if missing."""
    street = Street.objects.filter(name=name).first()
    if street is None:
        street = _stamp(Street(name=name, district=district), by)
        street.save()
    return street


@transaction.atomic
def committee_ensure(*, street: Street, name: str, address: str = "",
                     by: User | None = None) -> Committee:
    """Return the committee ``name`` of ``street``, creating it if missing."""
    committee = Committee.objects.filter(street=street, name=name).first()
    if committee is None:
        committee = _stamp(Committee(street=street, name=name, address=address), by)
        committee.save()
    return committee


@transaction.atomic
def agency_ensure(*, street: Street, kind: str, name: str, supervising_department: str = "",
                  committees: list[Committee] = (), by: User | None = None) -> Agency:
    """Return the agency, creating it if missing, and make it serve ``committees``."""
    agency = Agency.objects.filter(street=street, kind=kind, name=name).first()
    if agency is None:
        agency = _stamp(Agency(street=street, kind=kind, name=name,
                               supervising_department=supervising_department), by)
        agency.save()
    missing = [c for c in committees if c.street_id != street.pk]
    if missing:
        raise ValidationError(_("An agency can only serve committees of its own street."),
                              code="foreign_committee")
    # Add only what is missing: add() writes a history row even when nothing changes.
    served = set(agency.committees.values_list("pk", flat=True))
    new = [c for c in committees if c.pk not in served]
    if new:
        agency.committees.add(*new)
    return agency


@transaction.atomic
def compound_ensure(*, committee: Committee, name: str, property_firm: Agency | None = None,
                    by: User | None = None) -> Compound:
    """Return the compound, creating it if missing; set its property firm if given."""
    if property_firm is not None and (
        property_firm.kind != Agency.Kind.PROPERTY_FIRM or property_firm.street_id != committee.street_id
    ):
        raise ValidationError(_("The property firm must be a property firm of the same street."),
                              code="invalid_property_firm")
    compound = Compound.objects.filter(committee=committee, name=name).first()
    if compound is None:
        compound = _stamp(Compound(committee=committee, name=name, property_firm=property_firm), by)
        compound.save()
    elif property_firm is not None and compound.property_firm_id != property_firm.pk:
        compound.property_firm = property_firm
        _stamp(compound, by).save(update_fields=["property_firm"])
    return compound


@transaction.atomic
def building_ensure(*, compound: Compound, name: str, by: User | None = None) -> Building:
    """Return the building, creating it if missing."""
    building = Building.objects.filter(compound=compound, name=name).first()
    if building is None:
        building = _stamp(Building(compound=compound, name=name), by)
        building.save()
    return building


@transaction.atomic
def household_upsert(*, building: Building, door_number: str, floor_area: Decimal,
                     owner_occupied: bool = True, by: User | None = None) -> Household:
    """Create the household at ``door_number`` or update its area and occupancy."""
    if floor_area is None or not (Decimal("0") < floor_area < Decimal("10000")):
        raise ValidationError(_("Floor area must be more than 0 and less than 10000 m²."),
                              code="invalid_floor_area")
    household = Household.objects.select_for_update().filter(
        building=building, door_number=door_number).first()
    if household is None:
        household = _stamp(Household(building=building, door_number=door_number,
                                      floor_area=floor_area, owner_occupied=owner_occupied), by)
        household.save()
    elif household.floor_area != floor_area or household.owner_occupied != owner_occupied:
        household.floor_area = floor_area
        household.owner_occupied = owner_occupied
        _stamp(household, by).save(update_fields=["floor_area", "owner_occupied"])
    return household


# --- People ------------------------------------------------------------------

@transaction.atomic
def person_ensure(*, full_name: str, phone: str | None, by: User | None = None) -> User:
    """Return the person with ``phone`` (or create one without a password).

    Such a person signs in later by SMS code (allauth's login by code) and may then set a password.
    The name of someone who signed up themselves is theirs to keep: a roster does not rename them.
    """
    user = User.objects.filter(phone=phone).first() if phone else None
    if user is None:
        user = User(full_name=full_name, phone=phone, phone_verified=False,
                    username=_free_username(phone))
        user.set_unusable_password()
        _stamp(user, by).save()
    elif full_name and user.full_name != full_name and not user.has_usable_password():
        user.full_name = full_name
        _stamp(user, by).save(update_fields=["full_name"])
    return user


@transaction.atomic
def person_set_phone(*, user: User, phone: str, by: User | None) -> User:
    """Give a person who had no phone on record the number a roster now lists."""
    if user.phone:
        raise ValidationError(_("This person already has a phone number."), code="phone_exists")
    if User.objects.filter(phone=phone).exists():
        raise ValidationError(_("Another person already has this phone number."), code="phone_taken")
    user.phone = phone
    _stamp(user, by).save(update_fields=["phone"])
    return user


@transaction.atomic
def person_set_large_print(*, user: User, on: bool) -> User:
    """Remember whether ``user`` reads every page in large print."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.large_print != on:
        user.large_print = on
        _stamp(user, user).save(update_fields=["large_print"])
    return user


@transaction.atomic
def account_ensure(*, username: str, full_name: str, phone: str | None, password: str,
                   is_superuser: bool = False, by: User | None = None) -> User:
    """Create or bring in line a login account with a known password; save only what changed.

    For accounts an administrator hands out (and the demo data): the phone counts as verified.
    """
    user = User.objects.filter(username=username).first()
    if user is None and phone:
        user = User.objects.filter(phone=phone).first()
    user = user or User(username=username)
    wanted = {"username": username, "full_name": full_name, "phone": phone, "phone_verified": bool(phone),
              "is_staff": is_superuser, "is_superuser": is_superuser}
    changed = [name for name, value in wanted.items() if getattr(user, name) != value]
    for name in changed:
        setattr(user, name, wanted[name])
    if not user.check_password(password):
        user.set_password(password)
        changed.append("password")
    if user.pk is None:
        _stamp(user, by).save()
    elif changed:
        _stamp(user, by).save(update_fields=changed)
    return user


def _free_username(phone: str | None) -> str:
    """A username nobody has: from the phone digits, or random for people without a phone."""
    if phone:
        candidate = "u" + "".join(ch for ch in phone if ch.isdigit())[-11:]
        if not User.objects.filter(username=candidate).exists():
            return candidate
    while True:
        candidate = "u" + secrets.token_hex(5)
        if not User.objects.filter(username=candidate).exists():
            return candidate


# --- Memberships --------------------------------------------------------------

@transaction.atomic
def membership_request(*, user: User, household: Household) -> Membership:
    """Ask to join ``household``; an organizer of its committee decides."""
    if not user.is_authenticated:
        raise PermissionDenied
    if Membership.objects.filter(user=user, household=household,
                                 status__in=Membership.ACTIVE).exists():
        raise ValidationError(_("You have already asked to join this household."),
                              code="already_requested")
    membership = _stamp(Membership(user=user, household=household), user)
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError:
        raise ValidationError(_("You have already asked to join this household."),
                              code="already_requested") from None
    return membership


def _locked(membership: Membership) -> Membership:
    return (Membership.objects.select_for_update(of=("self",))
            .select_related("household__building__compound__committee")
            .get(pk=membership.pk))


@transaction.atomic
def membership_approve(*, membership: Membership, by: User) -> Membership:
    """Verify a pending request: the person becomes a resident of the household."""
    membership = _locked(membership)
    _require_organizer(by, membership.household.building.compound.committee)
    guard_move(membership, Membership.Status.VERIFIED)
    membership.status = Membership.Status.VERIFIED
    membership.verified_at = timezone.now()
    membership.decided_by = by
    _stamp(membership, by).save(update_fields=["status", "verified_at", "decided_by"])
    return membership


@transaction.atomic
def membership_reject(*, membership: Membership, by: User, reason: str) -> Membership:
    """Reject a pending request with a reason the person will see."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give a reason for the rejection."), code="reason_required")
    membership = _locked(membership)
    _require_organizer(by, membership.household.building.compound.committee)
    guard_move(membership, Membership.Status.REJECTED)
    membership.status = Membership.Status.REJECTED
    membership.rejected_at = timezone.now()
    membership.decided_by = by
    membership.rejection_reason = reason[:300]
    _stamp(membership, by).save(
        update_fields=["status", "rejected_at", "decided_by", "rejection_reason"])
    return membership


@transaction.atomic
def membership_leave(*, membership: Membership, by: User) -> Membership:
    """Record that a resident has left the household (by themself or an organizer)."""
    membership = _locked(membership)
    if membership.user_id != by.pk:
        _require_organizer(by, membership.household.building.compound.committee)
    guard_move(membership, Membership.Status.LEFT)
    membership.status = Membership.Status.LEFT
    membership.left_at = timezone.now()
    membership.is_representative = False
    _stamp(membership, by).save(update_fields=["status", "left_at", "is_representative"])
    return membership


@transaction.atomic
def membership_set_representative(*, membership: Membership, by: User | None) -> Membership:
    """Make this verified resident the household's representative (replacing any other)."""
    membership = _locked(membership)
    if by is not None:
        _require_organizer(by, membership.household.building.compound.committee)
    if membership.status != Membership.Status.VERIFIED:
        raise ValidationError(_("Only a verified resident can represent a household."),
                              code="not_verified")
    if membership.is_representative:
        return membership
    for other in Membership.objects.select_for_update().filter(
            household_id=membership.household_id, is_representative=True):
        other.is_representative = False
        _stamp(other, by).save(update_fields=["is_representative"])
    membership.is_representative = True
    _stamp(membership, by).save(update_fields=["is_representative"])
    return membership


@transaction.atomic
def membership_ensure_verified(*, user: User, household: Household, by: User | None) -> Membership:
    """Make ``user`` a verified resident of ``household`` (roster import, demo data)."""
    membership = (Membership.objects.select_for_update()
                  .filter(user=user, household=household, status__in=Membership.ACTIVE).first())
    if membership is None:
        membership = Membership(user=user, household=household)
    if membership.status != Membership.Status.VERIFIED:
        membership.status = Membership.Status.VERIFIED
        membership.verified_at = timezone.now()
        membership.decided_by = by
        _stamp(membership, by).save()
    return membership


# --- Roles ---------------------------------------------------------------------

@transaction.atomic
def role_grant(*, user: User, kind: str, by: User | None, committee: Committee | None = None,
               building: Building | None = None, street: Street | None = None,
               agency: Agency | None = None) -> Role:
    """Give ``user`` a role in one place. Granting a role already held changes nothing."""
    scope = Role.SCOPE.get(kind, "missing")
    places = {"committee": committee, "building": building, "street": street, "agency": agency}
    if scope == "missing" or any(v is not None for k, v in places.items() if k != scope) or (
            scope is not None and places[scope] is None):
        raise ValidationError(_("This role does not fit that place."), code="invalid_scope")
    if by is not None:
        place_committee = committee or (building.compound.committee if building else None)
        allowed = is_site_admin(by) or (
            place_committee is not None and kind not in (Role.Kind.STREET_OFFICER, Role.Kind.SITE_ADMIN,
                                                         Role.Kind.AGENCY_CONTACT)
            and can_manage_committee(by, place_committee))
        if not allowed:
            raise PermissionDenied(_("You may not grant this role here."))
    existing = Role.objects.filter(user=user, kind=kind, committee=committee, building=building,
                                   street=street, agency=agency).first()
    if existing:
        return existing
    role = _stamp(Role(user=user, kind=kind, committee=committee, building=building, street=street,
                       agency=agency, granted_by=by), by)
    try:
        with transaction.atomic():
            role.save()
    except IntegrityError:
        raise ValidationError(_("This person already holds that role."), code="duplicate_role") from None
    forget_roles(user)
    return role


def _require_another_organizer(role: Role) -> None:
    """Refuse to take away a committee's last organizer: nobody could then run it or name another.

    Every organizer role of the committee is locked first, so two organizers revoking each other at
    the same moment are served one after the other and the second is refused.
    """
    organizers = list(Role.objects.select_for_update().filter(kind=Role.Kind.ORGANIZER, committee_id=role.committee_id)
                      .order_by("pk").values_list("pk", flat=True))
    if [pk for pk in organizers if pk != role.pk]:
        return
    raise ValidationError(
        _("%(c)s would have no organizer left: make someone else an organizer first.") % {"c": role.committee},
        code="last_organizer")


@transaction.atomic
def role_revoke(*, role: Role, by: User | None) -> None:
    """Take a role away (the history keeps who held it and who revoked it)."""
    role = Role.objects.select_for_update(of=("self",)).select_related("building__compound").get(pk=role.pk)
    if by is not None:
        place_committee = role.committee or (role.building.compound.committee if role.building else None)
        allowed = is_site_admin(by) or (
            place_committee is not None and role.kind in Role.COMMITTEE_KINDS + (Role.Kind.FLOOR_LEADER,)
            and can_manage_committee(by, place_committee))
        if not allowed:
            raise PermissionDenied(_("You may not revoke this role."))
    if role.kind == Role.Kind.ORGANIZER:
        _require_another_organizer(role)
    _stamp(role, by).delete()
    forget_roles(role.user)
