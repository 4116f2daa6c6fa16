"""The stored committee counts (``CommitteeTally``) that database triggers keep (members/tallies.py).

After every kind of write the stored counts must equal ``tallies.recount()`` and the COUNT
DISTINCT query the street page ran before them. Run on both databases:

    .venv/bin/python -m pytest tests/members/test_tallies.py
    DATABASE_URL=postgres://sanhui:sanhui@127.0.0.1:5432/sanhui .venv/bin/python -m pytest tests/members/test_tallies.py
"""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Count, Q
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from members import selectors, services, tallies
from members.models import Building, Committee, CommitteeTally, Compound, Household, Membership, User
from tests.factories import (
    make_building,
    make_committee,
    make_compound,
    make_household,
    make_pending_request,
    make_resident,
    make_site_admin,
    make_street,
    make_user,
)

pytestmark = pytest.mark.django_db

ZERO = dict.fromkeys(tallies.COLUMNS, 0)


def stored() -> dict[int, dict[str, int]]:
    """What the triggers have stored, every committee (no row: zeros)."""
    rows = {t.committee_id: {c: getattr(t, c) for c in tallies.COLUMNS} for t in CommitteeTally.objects.all()}
    return {pk: rows.get(pk, ZERO) for pk in Committee.objects.values_list("pk", flat=True)}


def counted() -> dict[int, dict[str, int]]:
    """The counts as the street page took them before they were stored: COUNT DISTINCT over the joins."""
    members = "compounds__buildings__households__memberships"
    rows = Committee.objects.annotate(
        household_count=Count("compounds__buildings__households", distinct=True),
        resident_count=Count(members, filter=Q(**{f"{members}__status": "verified"}), distinct=True),
        pending_count=Count(members, filter=Q(**{f"{members}__status": "pending"}), distinct=True),
        compound_count=Count("compounds", distinct=True),
    ).values("pk", *tallies.COLUMNS)
    return {row.pop("pk"): row for row in rows}


def assert_counts_hold() -> dict[int, dict[str, int]]:
    """The stored counts equal the COUNT DISTINCT query and a recount from scratch."""
    kept = stored()
    assert kept == counted()
    tallies.recount()
    assert stored() == kept
    return kept


@pytest.fixture
def admin():
    return make_site_admin()


@pytest.fixture
def world():
    """Two committees of one street, each with two compounds of two buildings."""
    street = make_street()
    committees = [make_committee(street) for _ in range(2)]
    compounds = [make_compound(c) for c in committees for _ in range(2)]
    buildings = [make_building(compound) for compound in compounds for _ in range(2)]
    return committees, buildings


def test_every_tally_trigger_is_installed():
    assert tallies.installed() == {name for name, *_ in tallies.TRIGGERS}


def test_a_missing_trigger_lets_the_counts_drift_and_recount_repairs_them():
    household = make_household()
    committee = household.building.compound.committee
    with transaction.atomic():
        tallies.remove(connection)
        assert tallies.installed() == set()
        make_resident(household)
        assert stored()[committee.pk]["resident_count"] == 0  # nothing counted it
        tallies.recount([committee.pk])
        assert stored()[committee.pk]["resident_count"] == 1
        transaction.set_rollback(True)  # the triggers come back
    assert tallies.installed() == {name for name, *_ in tallies.TRIGGERS}


def test_a_new_committee_has_no_row_and_its_first_compound_creates_one():
    committee = make_committee()
    assert not CommitteeTally.objects.filter(committee=committee).exists()
    make_compound(committee)
    assert CommitteeTally.objects.get(committee=committee).compound_count == 1


def test_joining_verification_rejection_and_leaving_move_the_counts(world, admin):
    (committee, _), buildings = world
    household = make_household(buildings[0])
    first, second, third = (make_pending_request(household) for _ in range(3))
    assert stored()[committee.pk] == {"household_count": 1, "resident_count": 0, "pending_count": 3,
                                      "compound_count": 2}
    services.membership_approve(membership=first, by=admin)
    services.membership_approve(membership=second, by=admin)
    services.membership_reject(membership=third, by=admin, reason="not living here")
    assert assert_counts_hold()[committee.pk] == {"household_count": 1, "resident_count": 2,
                                                  "pending_count": 0, "compound_count": 2}
    services.membership_set_representative(membership=first, by=admin)
    services.membership_leave(membership=first, by=admin)
    assert assert_counts_hold()[committee.pk]["resident_count"] == 1
    # The same person asks again after leaving: a new pending request.
    make_pending_request(household, user=first.user)
    assert assert_counts_hold()[committee.pk]["pending_count"] == 1


def test_roster_import_and_bulk_writes_move_the_counts(world):
    (committee, other), buildings = world
    households = Household.objects.bulk_create(
        [Household(building=buildings[i % 4], door_number=str(500 + i), floor_area="60.00") for i in range(6)])
    users = User.objects.bulk_create([User(username=f"bulk{i}", password="!") for i in range(6)])
    Membership.objects.bulk_create(
        [Membership(user=u, household=h, status=status, rejection_reason="bulk")
         for u, h, status in zip(users, households, ["verified", "pending", "rejected"] * 2, strict=True)])
    make_resident(make_household(buildings[5]))  # the other committee, through the service
    kept = assert_counts_hold()
    assert kept[committee.pk]["household_count"] == 6
    assert kept[committee.pk]["resident_count"] == 2
    assert kept[other.pk]["resident_count"] == 1
    with connection.cursor() as cursor:  # raw SQL too
        cursor.execute("UPDATE members_membership SET status = 'verified' WHERE status = 'pending'")
    assert assert_counts_hold()[committee.pk]["resident_count"] == 4


def test_deleting_memberships_households_and_compounds_takes_from_the_counts(world):
    (committee, _), buildings = world
    household = make_household(buildings[0])
    make_resident(household)
    make_pending_request(household)
    empty = make_household(buildings[1])
    Membership.objects.filter(household=household).delete()
    assert assert_counts_hold()[committee.pk]["resident_count"] == 0
    Household.objects.filter(pk__in=[household.pk, empty.pk]).delete()
    spare = make_compound(committee)
    assert assert_counts_hold()[committee.pk]["compound_count"] == 3
    spare.delete()
    assert assert_counts_hold()[committee.pk] == {"household_count": 0, "resident_count": 0,
                                                  "pending_count": 0, "compound_count": 2}


def test_moving_a_household_a_building_or_a_compound_recounts_both_committees(world):
    (first, second), buildings = world
    household = make_household(buildings[0])
    make_resident(household)
    make_pending_request(household)
    make_resident(make_household(buildings[1]))

    household.building = buildings[4]  # into the second committee
    household.save(update_fields=["building"])
    kept = assert_counts_hold()
    assert (kept[first.pk]["household_count"], kept[second.pk]["household_count"]) == (1, 1)
    assert kept[second.pk]["pending_count"] == 1

    building = buildings[1]
    building.compound = buildings[4].compound
    building.save(update_fields=["compound"])
    kept = assert_counts_hold()
    assert (kept[first.pk]["resident_count"], kept[second.pk]["resident_count"]) == (0, 2)

    compound = buildings[4].compound
    compound.committee = first
    compound.save(update_fields=["committee"])
    kept = assert_counts_hold()
    assert kept[first.pk] == {"household_count": 2, "resident_count": 2, "pending_count": 1,
                              "compound_count": 3}
    assert kept[second.pk] == {"household_count": 0, "resident_count": 0, "pending_count": 0,
                               "compound_count": 1}


def test_a_membership_moved_to_another_household_moves_its_count(world):
    (first, second), buildings = world
    membership = Membership.objects.get(user=make_resident(make_household(buildings[0])))
    membership.household = make_household(buildings[4])
    membership.save(update_fields=["household"])
    kept = assert_counts_hold()
    assert (kept[first.pk]["resident_count"], kept[second.pk]["resident_count"]) == (0, 1)


def test_recount_of_some_committees_leaves_the_others_alone(world):
    (first, second), buildings = world
    make_resident(make_household(buildings[0]))
    make_resident(make_household(buildings[4]))
    CommitteeTally.objects.update(resident_count=7)
    tallies.recount([first.pk])
    assert stored()[first.pk]["resident_count"] == 1
    assert stored()[second.pk]["resident_count"] == 7
    tallies.recount([])
    assert stored()[second.pk]["resident_count"] == 7
    tallies.recount()
    assert stored()[second.pk]["resident_count"] == 1


def test_a_bulk_load_with_the_triggers_suspended_is_recounted_after(world):
    (committee, other), buildings = world
    with tallies.suspended([committee.pk]):
        assert tallies.installed() == set()
        Household.objects.bulk_create(
            [Household(building=buildings[0], door_number=str(700 + i), floor_area="60.00") for i in range(3)])
    assert tallies.installed() == {name for name, *_ in tallies.TRIGGERS}
    assert assert_counts_hold()[committee.pk]["household_count"] == 3


def test_a_failed_bulk_load_leaves_the_triggers_in_place(world):
    (committee, _), buildings = world
    with pytest.raises(ZeroDivisionError), tallies.suspended([committee.pk]):
        make_household(buildings[0])
        1 / 0  # noqa: B018
    assert tallies.installed() == {name for name, *_ in tallies.TRIGGERS}
    make_household(buildings[0])
    assert assert_counts_hold()[committee.pk]["household_count"] == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="bench/citydata loads with COPY (PostgreSQL)")
def test_the_bench_city_data_load_leaves_the_counts_right():
    from bench.citydata import places, residents
    from bench.citydata.common import City

    city = City(committees=3, residents_per_committee=60, committees_per_street=2)
    places.generate(city)
    residents.generate(city)
    kept = assert_counts_hold()
    assert [kept[pk]["resident_count"] for pk in city.committee_ids] == [60, 60, 60]
    assert tallies.installed() == {name for name, *_ in tallies.TRIGGERS}


def test_recount_tallies_reports_counts_that_drifted_and_fixes_them(world):
    (committee, _), buildings = world
    make_resident(make_household(buildings[0]))
    call_command("recount_tallies", stdout=StringIO(), stderr=StringIO())
    CommitteeTally.objects.filter(committee=committee).update(resident_count=5)
    with pytest.raises(CommandError):
        call_command("recount_tallies", stdout=StringIO(), stderr=StringIO())
    assert stored()[committee.pk]["resident_count"] == 5  # a check changes nothing
    call_command("recount_tallies", "--fix", stdout=StringIO(), stderr=StringIO())
    assert stored()[committee.pk]["resident_count"] == 1
    call_command("recount_tallies", stdout=StringIO(), stderr=StringIO())


def test_street_committees_reads_the_stored_counts_in_one_query(django_assert_num_queries):
    street = make_street()
    for i in range(30):
        committee = make_committee(street)
        for _ in range(i % 3):
            make_resident(make_household(make_building(make_compound(committee))))
    bare = make_committee(street)  # no compound, so no tally row
    with django_assert_num_queries(1):
        rows = list(selectors.street_committees(street))
    assert len(rows) == 31
    expected = counted()
    for row in rows:
        assert {c: getattr(row, c) for c in tallies.COLUMNS} == expected[row.pk]
    assert {c: getattr(next(r for r in rows if r.pk == bare.pk), c) for c in tallies.COLUMNS} == ZERO


# --- A random sequence of writes -----------------------------------------------------------------

OPERATIONS = st.lists(st.tuples(
    st.sampled_from(["request", "approve", "reject", "leave", "delete_membership", "add_household",
                     "delete_household", "move_household", "move_building", "move_compound",
                     "add_compound", "delete_compound"]),
    st.integers(min_value=0, max_value=30),
    st.integers(min_value=0, max_value=30),
), min_size=1, max_size=25)


@pytest.fixture
def populated_world(world):
    """The world with a verified resident and a pending request in each of its eight households."""
    for building in world[1]:
        household = make_household(building)
        make_resident(household)
        make_pending_request(household)
    return world


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=OPERATIONS)
def test_any_sequence_of_writes_keeps_the_counts(populated_world, admin, operations):
    committees, _ = populated_world
    with transaction.atomic():
        for operation, a, b in operations:
            _apply(operation, a, b, committees, admin)
        assert_counts_hold()
        transaction.set_rollback(True)


def _pick(queryset, n: int):
    rows = list(queryset.order_by("pk"))
    return rows[n % len(rows)] if rows else None


def _apply(operation: str, a: int, b: int, committees: list[Committee], admin: User) -> None:
    ours = Q(household__building__compound__committee__in=committees)
    if operation == "request":
        household = _pick(Household.objects.filter(building__compound__committee__in=committees), a)
        if household is not None:
            make_pending_request(household, user=make_user())
    elif operation in ("approve", "reject"):
        membership = _pick(Membership.objects.filter(ours, status="pending"), a)
        if membership is not None and operation == "approve":
            services.membership_approve(membership=membership, by=admin)
        elif membership is not None:
            services.membership_reject(membership=membership, by=admin, reason="no")
    elif operation == "leave":
        membership = _pick(Membership.objects.filter(ours, status="verified"), a)
        if membership is not None:
            services.membership_leave(membership=membership, by=admin)
    elif operation == "delete_membership":
        membership = _pick(Membership.objects.filter(ours), a)
        if membership is not None:
            membership.delete()
    elif operation == "add_household":
        make_household(_pick(Building.objects.filter(compound__committee__in=committees), a))
    elif operation == "delete_household":
        household = _pick(Household.objects.filter(building__compound__committee__in=committees,
                                                   memberships__isnull=True), a)
        if household is not None:
            household.delete()
    elif operation == "move_household":
        household = _pick(Household.objects.filter(building__compound__committee__in=committees), a)
        if household is not None:
            household.building = _pick(Building.objects.filter(compound__committee__in=committees), b)
            household.save(update_fields=["building"])
    elif operation == "move_building":
        building = _pick(Building.objects.filter(compound__committee__in=committees), a)
        compound = _pick(Compound.objects.filter(committee__in=committees), b)
        if not Building.objects.filter(compound=compound, name=building.name).exists():
            building.compound = compound
            building.save(update_fields=["compound"])
    elif operation == "move_compound":
        compound = _pick(Compound.objects.filter(committee__in=committees), a)
        committee = committees[b % 2]
        if not Compound.objects.filter(committee=committee, name=compound.name).exists():
            compound.committee = committee
            compound.save(update_fields=["committee"])
    elif operation == "add_compound":
        make_building(make_compound(committees[a % 2]))
    elif operation == "delete_compound":
        compound = _pick(Compound.objects.filter(committee__in=committees, buildings__isnull=True), a)
        if compound is not None:
            compound.delete()
