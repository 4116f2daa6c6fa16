"""A small world for residents' requests: one street, two committees, a property firm with its
contact, a police station serving the committee, residents, a floor leader, organizers, a street officer."""

from dataclasses import dataclass

import pytest

from members import services as members
from members.models import Agency, Building, Committee, Compound, Role, Street, User
from tests.factories import (
    make_building,
    make_committee,
    make_compound,
    make_household,
    make_organizer,
    make_property_firm,
    make_resident,
    make_street,
    make_street_officer,
    make_user,
)

# A tiny PNG (1×1, white): real image bytes, as the upload checks read them.
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde\x00"
       b"\x00\x00\x0cIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")


@dataclass
class World:
    street: Street
    committee: Committee
    other_committee: Committee
    firm: Agency
    police: Agency
    compound: Compound
    building: Building
    resident: User
    neighbour: User
    floor_leader: User
    organizer: User
    other_organizer: User
    firm_contact: User
    police_contact: User
    officer: User


def make_contact(agency: Agency, name: str) -> User:
    user = make_user(name=name, phone=None)
    members.role_grant(user=user, kind=Role.Kind.AGENCY_CONTACT, agency=agency, by=None)
    return user


@pytest.fixture
def world(db) -> World:
    street = make_street()
    committee = make_committee(street)
    other = make_committee(street)
    firm = make_property_firm(street)
    police = members.agency_ensure(street=street, kind=Agency.Kind.POLICE, name="派出所")
    compound = make_compound(committee, property_firm=firm)
    building = make_building(compound)
    resident = make_resident(make_household(building), name="陈静秘密", phone="+8613800138123")
    neighbour = make_resident(make_household(building), name="Neighbour")
    floor_leader = make_resident(make_household(building), name="Floor leader")
    members.role_grant(user=floor_leader, kind=Role.Kind.FLOOR_LEADER, building=building, by=None)
    make_compound(other)
    return World(street=street, committee=committee, other_committee=other, firm=firm, police=police,
                 compound=compound, building=building, resident=resident, neighbour=neighbour,
                 floor_leader=floor_leader, organizer=make_organizer(committee),
                 other_organizer=make_organizer(other, make_user(name="Other organizer")),
                 firm_contact=make_contact(firm, "Firm contact"), police_contact=make_contact(police, "Police contact"),
                 officer=make_street_officer(street))


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded photos go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
