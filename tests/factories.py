"""make_* helpers: build the places and people a test needs, visibly, through the services."""

import csv
import io
import itertools
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from members import services
from members.models import Agency, Building, Committee, Compound, Household, Membership, Role, Street, User

_seq = itertools.count(1)


def _n() -> int:
    return next(_seq)


def make_street(name: str | None = None) -> Street:
    return services.street_ensure(name=name or f"Street {_n()}")


def make_committee(street: Street | None = None, name: str | None = None) -> Committee:
    return services.committee_ensure(street=street or make_street(), name=name or f"Committee {_n()}")


def make_property_firm(street: Street, name: str | None = None) -> Agency:
    return services.agency_ensure(street=street, kind=Agency.Kind.PROPERTY_FIRM,
                                  name=name or f"Property firm {_n()}")


def make_compound(committee: Committee | None = None, name: str | None = None,
                  property_firm: Agency | None = None) -> Compound:
    committee = committee or make_committee()
    return services.compound_ensure(committee=committee, name=name or f"Compound {_n()}",
                                    property_firm=property_firm)


def make_building(compound: Compound | None = None, name: str | None = None) -> Building:
    return services.building_ensure(compound=compound or make_compound(), name=name or f"{_n()}号楼")


def make_household(building: Building | None = None, door_number: str | None = None,
                   floor_area: str = "75.50") -> Household:
    return services.household_upsert(building=building or make_building(),
                                      door_number=door_number or str(100 + _n()),
                                      floor_area=Decimal(floor_area))


def make_user(name: str | None = None, phone: str | None = None, password: str | None = "correct-horse-9",
              username: str | None = None, email: str = "") -> User:
    n = _n()
    user = User(username=username or f"user{n}", full_name=name or f"Person {n}", phone=phone,
                phone_verified=bool(phone), email=email)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    return user


def make_resident(household: Household | None = None, name: str | None = None,
                  phone: str | None = None, representative: bool = False) -> User:
    household = household or make_household()
    user = make_user(name=name, phone=phone)
    membership = services.membership_ensure_verified(user=user, household=household, by=None)
    if representative:
        services.membership_set_representative(membership=membership, by=None)
    return user


def make_pending_request(household: Household | None = None, user: User | None = None) -> Membership:
    return services.membership_request(user=user or make_user(), household=household or make_household())


def make_organizer(committee: Committee, user: User | None = None) -> User:
    user = user or make_user(name="Organizer")
    services.role_grant(user=user, kind=Role.Kind.ORGANIZER, committee=committee, by=None)
    return user


def make_street_officer(street: Street, user: User | None = None) -> User:
    user = user or make_user(name="Street officer")
    services.role_grant(user=user, kind=Role.Kind.STREET_OFFICER, street=street, by=None)
    return user


def make_site_admin(user: User | None = None) -> User:
    user = user or make_user(name="Site admin")
    services.role_grant(user=user, kind=Role.Kind.SITE_ADMIN, by=None)
    return user


def make_roster_csv(rows: list[list[str]], name: str = "roster.csv",
                    encoding: str = "utf-8") -> SimpleUploadedFile:
    """A roster upload from rows of cells (the first row is the header)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode(encoding), content_type="text/csv")


def make_roster_xlsx(rows: list[list[object]], name: str = "roster.xlsx") -> SimpleUploadedFile:
    """A roster upload built as a real .xlsx workbook in memory."""
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile(
        name, out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
