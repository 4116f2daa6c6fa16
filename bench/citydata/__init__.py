"""City-size data, generated in bulk (COPY on PostgreSQL), one module per part of the data.

Each module has ``generate(city: City) -> dict[str, int]`` (what it added, for the report) and runs
in the order of ``MODULES``; a later module reads what an earlier one left in ``city``.
"""

from bench.citydata import ballots, casework, evaluations, places, residents
from bench.citydata.common import City

# evaluations: one campaign per committee, ~1,400 sheets each (2,000 households, turnout 0.7), so
# that a district of 280 committees has about 400,000 sheets. casework: a year of residents'
# requests per committee (600), after evaluations, whose police stations and work stations handle some.
MODULES = [places, residents, ballots, evaluations, casework]

__all__ = ["MODULES", "City", "generate"]


def generate(city: City) -> dict[str, int]:
    size: dict[str, int] = {}
    for module in MODULES:
        size.update(module.generate(city))
    return size
