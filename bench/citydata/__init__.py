"""City-size data, generated in bulk (COPY on PostgreSQL), one module per part of the data.

Each module has ``generate(city: City) -> dict[str, int]`` (what it added, for the report) and runs
in the order of ``MODULES``; a later module reads what an earlier one left in ``city``. The
evaluation sheets (400,000 in a district) are one more module once evaluations/ has its models:
``bench/citydata/evaluations.py`` with the same ``generate``, added to ``MODULES``.
"""

from bench.citydata import ballots, places, residents
from bench.citydata.common import City

MODULES = [places, residents, ballots]
# TODO(evaluations): add `evaluations` here (campaigns per committee, ~1,430 sheets per committee
# so that a district of 280 committees has 400,000), generating sheets with COPY like residents.py.

__all__ = ["MODULES", "City", "generate"]


def generate(city: City) -> dict[str, int]:
    size: dict[str, int] = {}
    for module in MODULES:
        size.update(module.generate(city))
    return size
