"""Household roster import (花名册导入): one CSV or XLSX row per household, all or nothing.

``parse_roster`` reads the file, ``validate_roster`` checks every row against one committee and
``roster_import`` writes through the member services. National ID numbers are never collected.
"""

from members.roster.checking import validate_roster
from members.roster.importing import roster_import, roster_template_csv
from members.roster.reading import (
    COLUMNS,
    REQUIRED_COLUMNS,
    ROSTER_MAX_ROWS,
    ROSTER_TEMPLATE_HEADERS,
    RosterError,
    RosterHousehold,
    RosterResident,
    RosterResult,
    RosterRow,
    RowError,
    parse_roster,
)

__all__ = [
    "COLUMNS", "REQUIRED_COLUMNS", "ROSTER_MAX_ROWS", "ROSTER_TEMPLATE_HEADERS", "RosterError",
    "RosterHousehold", "RosterResident", "RosterResult", "RosterRow", "RowError", "parse_roster",
    "roster_import", "roster_template_csv", "validate_roster",
]
