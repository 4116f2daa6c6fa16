"""Writing a checked roster through the member services, all or nothing."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from config.spreadsheets import CsvFile
from members import permissions, services
from members.models import Committee, Household, Membership, User
from members.roster.checking import validate_roster
from members.roster.reading import (
    _TEMPLATE_EXAMPLE,
    ROSTER_TEMPLATE_HEADERS,
    RosterError,
    RosterHousehold,
    RosterResult,
    parse_roster,
)

# --- Writing ------------------------------------------------------------------------

def roster_import(*, committee: Committee, uploaded_file, by: User) -> RosterResult:
    """Import a household roster into ``committee``; import nothing if any row is wrong.

    The file is read and checked before the transaction starts: on SQLite a transaction holds the
    database's write lock from its first statement, and votes must not wait for a spreadsheet.
    """
    if not permissions.can_manage_committee(by, committee):
        raise PermissionDenied(_("Only organizers of %(c)s may import its roster.") % {"c": committee})
    households, errors = validate_roster(committee=committee, rows=parse_roster(uploaded_file))
    if errors:
        raise RosterError(errors)
    return _write(committee, households, by)


@transaction.atomic
def _write(committee: Committee, households: list[RosterHousehold], by: User) -> RosterResult:
    existing = {(h.building_id, h.door_number): h for h in Household.objects.filter(
        building__compound__committee=committee).only("building", "door_number", "floor_area",
                                                      "owner_occupied")}
    phones = sorted({r.phone for h in households for r in h.residents if r.phone})
    known_phones = {phone for start in range(0, len(phones), 500) for phone in User.objects.filter(
        phone__in=phones[start:start + 500]).values_list("phone", flat=True)}
    result = RosterResult()
    try:
        for row in households:
            before = existing.get((row.building.pk, row.door_number))
            household = services.household_upsert(
                building=row.building, door_number=row.door_number, floor_area=row.floor_area,
                owner_occupied=row.owner_occupied, by=by)
            if before is None:
                result.households_created += 1
            elif (before.floor_area, before.owner_occupied) != (row.floor_area, row.owner_occupied):
                result.households_updated += 1
            else:
                result.households_unchanged += 1
            _import_residents(row, household, known_phones, result, by)
    except IntegrityError:
        # Someone changed the same people or households while we were importing.
        raise ValidationError(_("The roster could not be imported because the directory changed "
                                "meanwhile. Upload it again."), code="conflict") from None
    return result


def _import_residents(row: RosterHousehold, household: Household, known_phones: set[str],
                      result: RosterResult, by: User) -> None:
    active = list(Membership.objects.filter(household=household, status__in=Membership.ACTIVE)
                  .select_related("user").order_by("pk"))
    by_name: dict[str, Membership] = {}
    for membership in active:
        by_name.setdefault(membership.user.full_name, membership)
    for resident in row.residents:
        created = False
        namesake = by_name.get(resident.full_name)
        if resident.phone is None and namesake is not None:
            user = namesake.user  # no phone to match on: the household's member of that name
        elif resident.phone and resident.phone not in known_phones and namesake is not None \
                and not namesake.user.phone:
            # Listed without a phone last time, with one now: the same person.
            user = services.person_set_phone(user=namesake.user, phone=resident.phone, by=by)
        else:
            created = resident.phone is None or resident.phone not in known_phones
            user = services.person_ensure(full_name=resident.full_name, phone=resident.phone, by=by)
        if resident.phone:
            known_phones.add(resident.phone)
        was_verified = any(m.user_id == user.pk and m.status == Membership.Status.VERIFIED for m in active)
        membership = services.membership_ensure_verified(user=user, household=household, by=by)
        if created:
            result.residents_created += 1
        elif was_verified:
            result.residents_unchanged += 1
        else:
            result.residents_linked += 1
        if resident.full_name == row.representative and not membership.is_representative:
            services.membership_set_representative(membership=membership, by=None)
            result.representatives_set += 1


def roster_template_csv() -> CsvFile:
    """A roster template: the header row and one example household."""
    template = CsvFile()
    template.row(*ROSTER_TEMPLATE_HEADERS)
    template.row(*_TEMPLATE_EXAMPLE)
    return template
