from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from members import services
from members.models import Agency, Household, Membership, Role
from tests.factories import (
    make_building,
    make_committee,
    make_compound,
    make_household,
    make_organizer,
    make_pending_request,
    make_property_firm,
    make_resident,
    make_site_admin,
    make_street,
    make_user,
)

pytestmark = pytest.mark.django_db


# --- Places ----------------------------------------------------------------------

def test_place_ensure_services_are_idempotent():
    street = services.street_ensure(name="大宁路街道")
    assert services.street_ensure(name="大宁路街道") == street
    committee = services.committee_ensure(street=street, name="延长居民区")
    assert services.committee_ensure(street=street, name="延长居民区") == committee
    compound = services.compound_ensure(committee=committee, name="延长新村")
    assert services.compound_ensure(committee=committee, name="延长新村") == compound
    building = services.building_ensure(compound=compound, name="1号楼")
    assert services.building_ensure(compound=compound, name="1号楼") == building


def test_household_upsert_updates_area_and_keeps_history():
    building = make_building()
    household = services.household_upsert(building=building, door_number="301", floor_area=Decimal("70"))
    again = services.household_upsert(building=building, door_number="301", floor_area=Decimal("72.5"),
                                       owner_occupied=False)
    assert again.pk == household.pk
    household.refresh_from_db()
    assert household.floor_area == Decimal("72.50")
    assert household.owner_occupied is False
    assert household.history.count() == 2


@pytest.mark.parametrize("area", [Decimal("0"), Decimal("-3"), Decimal("10000"), None])
def test_household_upsert_rejects_impossible_floor_area(area):
    building = make_building()
    with pytest.raises(ValidationError) as error:
        services.household_upsert(building=building, door_number="1", floor_area=area)
    assert error.value.code == "invalid_floor_area"
    assert not Household.objects.exists()


def test_database_refuses_a_non_positive_floor_area_written_behind_the_services():
    household = make_household()
    with pytest.raises(IntegrityError), transaction.atomic():
        Household.objects.filter(pk=household.pk).update(floor_area=Decimal("0"))


def test_database_refuses_two_households_with_the_same_door_in_a_building():
    household = make_household(door_number="502")
    with pytest.raises(IntegrityError), transaction.atomic():
        Household.objects.create(building=household.building, door_number="502", floor_area=Decimal("50"))


def test_compound_property_firm_must_be_a_property_firm_of_the_same_street():
    committee = make_committee()
    foreign_firm = make_property_firm(make_street())
    with pytest.raises(ValidationError) as error:
        services.compound_ensure(committee=committee, name="X", property_firm=foreign_firm)
    assert error.value.code == "invalid_property_firm"
    police = services.agency_ensure(street=committee.street, kind=Agency.Kind.POLICE, name="派出所")
    with pytest.raises(ValidationError):
        services.compound_ensure(committee=committee, name="X", property_firm=police)


def test_agency_cannot_serve_a_committee_of_another_street():
    street = make_street()
    with pytest.raises(ValidationError) as error:
        services.agency_ensure(street=street, kind=Agency.Kind.HEALTH, name="卫生服务中心",
                               committees=[make_committee()])
    assert error.value.code == "foreign_committee"


def test_property_firm_serves_its_compounds():
    committee = make_committee()
    firm = make_property_firm(committee.street)
    a = make_compound(committee, property_firm=firm)
    b = make_compound(committee, property_firm=firm)
    assert set(firm.compounds.all()) == {a, b}


# --- People ----------------------------------------------------------------------

def test_person_ensure_matches_by_phone_and_updates_the_name():
    first = services.person_ensure(full_name="王阿姨", phone="+8613812345678")
    again = services.person_ensure(full_name="王秀英", phone="+8613812345678")
    assert again.pk == first.pk
    first.refresh_from_db()
    assert first.full_name == "王秀英"
    assert not first.has_usable_password()


# --- Memberships ----------------------------------------------------------------------

def test_membership_request_creates_a_pending_membership():
    user, household = make_user(), make_household()
    membership = services.membership_request(user=user, household=household)
    assert membership.status == Membership.Status.PENDING
    assert membership.history.first().history_user == user


def test_membership_request_twice_for_the_same_household_is_refused():
    request = make_pending_request()
    with pytest.raises(ValidationError) as error:
        services.membership_request(user=request.user, household=request.household)
    assert error.value.code == "already_requested"
    assert Membership.objects.count() == 1


def test_membership_approve_by_the_committees_organizer_verifies():
    request = make_pending_request()
    organizer = make_organizer(request.household.building.compound.committee)
    services.membership_approve(membership=request, by=organizer)
    request.refresh_from_db()
    assert request.status == Membership.Status.VERIFIED
    assert request.verified_at is not None
    assert request.decided_by == organizer
    assert request.history.first().history_user == organizer


def test_membership_approve_by_an_organizer_of_another_committee_is_denied():
    request = make_pending_request()
    stranger = make_organizer(make_committee())
    with pytest.raises(PermissionDenied):
        services.membership_approve(membership=request, by=stranger)
    request.refresh_from_db()
    assert request.status == Membership.Status.PENDING


def test_membership_approve_twice_is_an_invalid_transition():
    request = make_pending_request()
    organizer = make_organizer(request.household.building.compound.committee)
    services.membership_approve(membership=request, by=organizer)
    with pytest.raises(ValidationError) as error:
        services.membership_approve(membership=request, by=organizer)
    assert error.value.code == "invalid_transition"


def test_membership_reject_needs_a_reason_and_keeps_it():
    request = make_pending_request()
    organizer = make_organizer(request.household.building.compound.committee)
    with pytest.raises(ValidationError) as error:
        services.membership_reject(membership=request, by=organizer, reason="  ")
    assert error.value.code == "reason_required"
    services.membership_reject(membership=request, by=organizer, reason="门牌号不符")
    request.refresh_from_db()
    assert request.status == Membership.Status.REJECTED
    assert request.rejection_reason == "门牌号不符"


def test_rejected_person_may_ask_again():
    request = make_pending_request()
    organizer = make_organizer(request.household.building.compound.committee)
    services.membership_reject(membership=request, by=organizer, reason="请补充材料")
    again = services.membership_request(user=request.user, household=request.household)
    assert again.status == Membership.Status.PENDING


def test_membership_leave_by_the_resident_clears_representative():
    household = make_household()
    resident = make_resident(household, representative=True)
    membership = resident.memberships.get()
    services.membership_leave(membership=membership, by=resident)
    membership.refresh_from_db()
    assert membership.status == Membership.Status.LEFT
    assert membership.is_representative is False


def test_membership_leave_of_someone_else_needs_an_organizer():
    resident = make_resident()
    with pytest.raises(PermissionDenied):
        services.membership_leave(membership=resident.memberships.get(), by=make_user())


def test_set_representative_replaces_the_previous_one():
    household = make_household()
    first = make_resident(household, representative=True)
    second = make_resident(household)
    organizer = make_organizer(household.building.compound.committee)
    services.membership_set_representative(membership=second.memberships.get(), by=organizer)
    reps = Membership.objects.filter(household=household, is_representative=True)
    assert [m.user for m in reps] == [second]
    assert first.memberships.get().is_representative is False


def test_set_representative_requires_a_verified_resident():
    request = make_pending_request()
    with pytest.raises(ValidationError) as error:
        services.membership_set_representative(membership=request, by=None)
    assert error.value.code == "not_verified"


def test_database_refuses_two_representatives_in_one_household():
    household = make_household()
    make_resident(household, representative=True)
    other = make_resident(household).memberships.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.filter(pk=other.pk).update(is_representative=True)


# --- Roles ----------------------------------------------------------------------------

def test_role_grant_is_scoped_and_idempotent():
    committee = make_committee()
    organizer = make_organizer(committee)
    user = make_resident(make_household(make_building(make_compound(committee))))
    role = services.role_grant(user=user, kind=Role.Kind.RESIDENT_REPRESENTATIVE, committee=committee,
                               by=organizer)
    assert services.role_grant(user=user, kind=Role.Kind.RESIDENT_REPRESENTATIVE, committee=committee,
                               by=organizer) == role
    assert Role.objects.filter(user=user).count() == 1


def test_role_grant_with_the_wrong_place_is_refused():
    committee = make_committee()
    with pytest.raises(ValidationError) as error:
        services.role_grant(user=make_user(), kind=Role.Kind.FLOOR_LEADER, committee=committee, by=None)
    assert error.value.code == "invalid_scope"
    with pytest.raises(ValidationError):
        services.role_grant(user=make_user(), kind=Role.Kind.STREET_OFFICER, by=None)


def test_organizer_cannot_grant_roles_in_another_committee_or_street_roles():
    mine, other = make_committee(), make_committee()
    organizer = make_organizer(mine)
    with pytest.raises(PermissionDenied):
        services.role_grant(user=make_user(), kind=Role.Kind.PARTY_MEMBER, committee=other, by=organizer)
    with pytest.raises(PermissionDenied):
        services.role_grant(user=make_user(), kind=Role.Kind.STREET_OFFICER, street=mine.street, by=organizer)
    assert not Role.objects.exclude(kind=Role.Kind.ORGANIZER).exists()


def test_site_admin_may_grant_street_roles():
    admin = make_site_admin()
    street = make_street()
    role = services.role_grant(user=make_user(), kind=Role.Kind.STREET_OFFICER, street=street, by=admin)
    assert role.street == street


def test_database_refuses_a_role_without_its_place():
    with pytest.raises(IntegrityError), transaction.atomic():
        Role.objects.create(user=make_user(), kind=Role.Kind.ORGANIZER)


def test_role_revoke_deletes_and_keeps_history():
    committee = make_committee()
    organizer = make_organizer(committee)
    user = make_user()
    role = services.role_grant(user=user, kind=Role.Kind.PARTY_MEMBER, committee=committee, by=organizer)
    services.role_revoke(role=role, by=organizer)
    assert not Role.objects.filter(pk=role.pk).exists()
    deleted = Role.history.filter(id=role.pk, history_type="-").get()
    assert deleted.history_user == organizer


def test_role_revoke_by_an_organizer_of_another_committee_is_denied():
    committee = make_committee()
    role = services.role_grant(user=make_user(), kind=Role.Kind.PARTY_MEMBER, committee=committee, by=None)
    with pytest.raises(PermissionDenied):
        services.role_revoke(role=role, by=make_organizer(make_committee()))
    assert Role.objects.filter(pk=role.pk).exists()


def test_person_ensure_keeps_the_name_a_person_chose_at_signup():
    user = make_user(name="李桂英", phone="+8613812340000")
    services.person_ensure(full_name="李贵英", phone="+8613812340000")
    user.refresh_from_db()
    assert user.full_name == "李桂英"


def test_person_set_phone_gives_a_number_once_and_never_a_taken_one():
    person = services.person_ensure(full_name="赵大爷", phone=None)
    make_user(phone="+8613812340001")
    with pytest.raises(ValidationError) as error:
        services.person_set_phone(user=person, phone="+8613812340001", by=None)
    assert error.value.code == "phone_taken"
    services.person_set_phone(user=person, phone="+8613812340002", by=None)
    person.refresh_from_db()
    assert person.phone == "+8613812340002"
    with pytest.raises(ValidationError) as error:
        services.person_set_phone(user=person, phone="+8613812340003", by=None)
    assert error.value.code == "phone_exists"


def test_people_without_a_phone_get_distinct_usernames():
    a = services.person_ensure(full_name="甲", phone=None)
    b = services.person_ensure(full_name="乙", phone=None)
    assert a.username != b.username


def test_membership_ensure_verified_is_idempotent():
    user, household = make_user(), make_household()
    first = services.membership_ensure_verified(user=user, household=household, by=None)
    again = services.membership_ensure_verified(user=user, household=household, by=None)
    assert first.pk == again.pk
    assert again.status == Membership.Status.VERIFIED
    assert first.history.count() == 1


def test_membership_ensure_verified_verifies_a_pending_request():
    request = make_pending_request()
    services.membership_ensure_verified(user=request.user, household=request.household, by=None)
    request.refresh_from_db()
    assert request.status == Membership.Status.VERIFIED


def test_account_ensure_creates_then_changes_nothing_on_a_second_call():
    user = services.account_ensure(username="desk1", full_name="王主任", phone="+8613812349999",
                                   password="Juweihui-desk-1")
    assert user.check_password("Juweihui-desk-1") and user.phone_verified
    assert not user.is_staff
    again = services.account_ensure(username="desk1", full_name="王主任", phone="+8613812349999",
                                    password="Juweihui-desk-1")
    assert again.pk == user.pk
    assert user.history.count() == 1


def test_account_ensure_resets_a_changed_password_and_makes_superusers_staff():
    services.account_ensure(username="admin1", full_name="管理员", phone=None, password="first-Pass-1")
    user = services.account_ensure(username="admin1", full_name="管理员", phone=None, password="second-Pass-2",
                                   is_superuser=True)
    assert user.check_password("second-Pass-2")
    assert user.is_staff and user.is_superuser


# --- The last organizer -----------------------------------------------------------------------------

def test_the_last_organizer_cannot_revoke_their_own_role():
    committee = make_committee()
    organizer = make_organizer(committee)
    role = Role.objects.get(user=organizer, kind=Role.Kind.ORGANIZER, committee=committee)
    with pytest.raises(ValidationError) as error:
        services.role_revoke(role=role, by=organizer)
    assert error.value.code == "last_organizer"
    assert Role.objects.filter(pk=role.pk).exists()


def test_nobody_removes_the_last_organizer_not_even_a_site_admin_or_the_system():
    committee = make_committee()
    role = Role.objects.get(user=make_organizer(committee), kind=Role.Kind.ORGANIZER)
    for by in (make_site_admin(), None):
        with pytest.raises(ValidationError) as error:
            services.role_revoke(role=role, by=by)
        assert error.value.code == "last_organizer"
    assert Role.objects.filter(pk=role.pk).exists()


def test_an_organizer_leaves_once_another_organizer_remains_and_the_other_is_then_the_last():
    committee = make_committee()
    first, second = make_organizer(committee), make_organizer(committee)
    # An organizer of another committee does not count.
    make_organizer(make_committee())
    services.role_revoke(role=Role.objects.get(user=first, kind=Role.Kind.ORGANIZER), by=first)
    assert list(Role.objects.filter(committee=committee, kind=Role.Kind.ORGANIZER).values_list("user", flat=True)) \
        == [second.pk]
    with pytest.raises(ValidationError) as error:
        services.role_revoke(role=Role.objects.get(user=second, kind=Role.Kind.ORGANIZER), by=second)
    assert error.value.code == "last_organizer"
