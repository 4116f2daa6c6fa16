"""Residents: users, households and verified memberships (one representative per household)."""

import math
from decimal import Decimal

from django.utils import timezone

from bench.citydata.common import City, copy, next_id
from members import tallies
from members.models import Household, Membership, User


def generate(city: City) -> dict[str, int]:
    now = timezone.now()
    per_committee = math.ceil(city.residents_per_committee / city.people_per_household)
    user_id, household_id = next_id(User), next_id(Household)
    users, households, memberships = [], [], []
    for cid in city.committee_ids:
        buildings = city.buildings_of[cid]
        people = city.residents_per_committee
        for h in range(per_committee):
            building = buildings[h // city.households_per_building]
            households.append((household_id, building, str(101 + h % city.households_per_building),
                               Decimal(city.rng.randint(450, 1400)) / 10, True))
            size = min(people, 2 if h % 2 else 3)  # 2.5 people per household on average
            for m in range(size):
                users.append((user_id, "!", False, f"r{user_id}", "", "", "", False, True, now,
                              f"居民{user_id}", None, False, False))
                memberships.append((user_id, household_id, "verified", m == 0, now, now, ""))
                user_id += 1
            people -= size
            household_id += 1
    copy(User, ["id", "password", "is_superuser", "username", "first_name", "last_name", "email", "is_staff",
                "is_active", "date_joined", "full_name", "phone", "phone_verified", "large_print"], users)
    # The committees' counts: recounted once after the load, not moved by a trigger per row (at
    # 1/10 of a district the row triggers took the load from 2.5 s to 14 s; the recount 0.1 s).
    with tallies.suspended(city.committee_ids):
        copy(Household, ["id", "building_id", "door_number", "floor_area", "owner_occupied"], households)
        copy(Membership, ["user_id", "household_id", "status", "is_representative", "requested_at", "verified_at",
                          "rejection_reason"], memberships)
    return {"residents": len(users), "households": len(households), "memberships": len(memberships)}
