"""Shared by the generator modules: the city being built and a COPY helper."""

import random
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection, models


@dataclass
class City:
    committees: int
    residents_per_committee: int = 5000
    committees_per_street: int = 21  # a district: 280 committees in about 13 streets
    people_per_household: float = 2.5
    households_per_building: int = 24
    buildings_per_compound: int = 20
    turnout: float = 0.7
    seed: int = 2026
    rng: random.Random = field(init=False)
    # Filled in by the modules as they go.
    street_ids: list[int] = field(default_factory=list)
    committee_ids: list[int] = field(default_factory=list)
    buildings_of: dict[int, list[int]] = field(default_factory=dict)  # committee -> buildings
    ballot_ids: list[int] = field(default_factory=list)
    campaign_ids: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)


def next_id(model: type[models.Model]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {model._meta.db_table}")  # noqa: S608
        return cursor.fetchone()[0]


def copy(model: type[models.Model], columns: list[str], rows: Iterable[tuple]) -> int:
    """COPY ``rows`` into ``model``'s table (PostgreSQL), then move its id sequence past them."""
    table = model._meta.db_table
    count = 0
    with connection.cursor() as cursor:
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as feed:
            for row in rows:
                feed.write_row(row)
                count += 1
        if model._meta.pk.name == "id" and isinstance(model._meta.pk, models.AutoField | models.BigAutoField):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                           f"(SELECT COALESCE(MAX(id), 1) FROM {table}))")
    return count
