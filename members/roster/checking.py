"""Checking roster rows against one committee; nothing is written."""

import unicodedata
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from members.models import Building, Committee
from members.phone import normalize_phone
from members.roster.reading import (
    _AREA_UNITS,
    _NO,
    _SEPARATORS,
    _YES,
    REQUIRED_COLUMNS,
    RosterHousehold,
    RosterResident,
    RosterRow,
    RowError,
)

# --- Checking the rows ------------------------------------------------------------

def _match_key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold()


def _split(text: str) -> list[str]:
    parts = [part.strip() for part in _SEPARATORS.split(text)]
    while parts and not parts[-1]:
        parts.pop()
    return parts


def validate_roster(*, committee: Committee, rows: list[RosterRow]
                    ) -> tuple[list[RosterHousehold], list[RowError]]:
    """Check every row against ``committee``; return the good rows and every error found."""
    checker = _Checker(committee)
    households = [household for row in rows if (household := checker.check(row)) is not None]
    return households, checker.errors


class _Checker:
    """Checks rows one by one, remembering door numbers and phones already seen in the file."""

    def __init__(self, committee: Committee):
        self.compounds = {_match_key(c.name): c for c in committee.compounds.all()}
        self.buildings = {(b.compound_id, _match_key(b.name)): b
                          for b in Building.objects.filter(compound__committee=committee)}
        self.labels = {"compound": _("compound"), "building": _("building"),
                       "door_number": _("door number"), "floor_area": _("floor area"), "names": _("names")}
        self.doors: dict[tuple[str, str, str], int] = {}
        self.phones: dict[str, int] = {}
        self.errors: list[RowError] = []

    def fail(self, key: str, code: str, message: str, value: str = "", **params) -> None:
        params.update(row=self.row_number, value=value[:60])
        self.errors.append(RowError(self.row_number, key, code, message % params))

    def check(self, row: RosterRow) -> RosterHousehold | None:
        self.row_number, cells = row.row_number, row.cells
        errors_before = len(self.errors)
        for key in REQUIRED_COLUMNS:
            if not cells.get(key):
                self.fail(key, "required", _("Row %(row)s: the %(column)s column is empty."),
                          column=self.labels[key])
        building = self.check_place(cells.get("compound", ""), cells.get("building", ""),
                                    cells.get("door_number", ""))
        floor_area = self.check_floor_area(cells.get("floor_area", ""))
        occupancy = cells.get("owner_occupied", "").casefold()
        if occupancy not in _YES | _NO:
            self.fail("owner_occupied", "invalid_owner_occupied",
                      _("Row %(row)s: owner-occupied “%(value)s” must be yes or no."),
                      cells["owner_occupied"])
        residents = self.check_people(cells.get("names", ""), cells.get("phones", ""))
        representative = cells.get("representative") or None
        if representative and residents and representative not in {r.full_name for r in residents}:
            self.fail("representative", "representative_not_listed",
                      _("Row %(row)s: representative “%(value)s” is not one of the names."), representative)
        if len(self.errors) > errors_before:
            return None
        return RosterHousehold(row_number=row.row_number, building=building, door_number=cells["door_number"],
                               floor_area=floor_area, owner_occupied=occupancy in _YES,
                               residents=residents, representative=representative)

    def check_place(self, compound_name: str, building_name: str, door: str) -> Building | None:
        building = None
        compound = self.compounds.get(_match_key(compound_name))
        if compound_name and compound is None:
            self.fail("compound", "unknown_compound",
                      _("Row %(row)s: compound “%(value)s” is not one of this committee's compounds."),
                      compound_name)
        elif compound is not None and building_name:
            building = self.buildings.get((compound.pk, _match_key(building_name)))
            if building is None:
                self.fail("building", "unknown_building",
                          _("Row %(row)s: building “%(value)s” is not in compound “%(compound)s”."),
                          building_name, compound=compound.name)
        if len(door) > 20:
            self.fail("door_number", "too_long",
                      _("Row %(row)s: door number “%(value)s” is longer than 20 characters."), door)
        if door and compound_name and building_name:
            key = (_match_key(compound_name), _match_key(building_name), _match_key(door))
            if key in self.doors:
                self.fail("door_number", "duplicate_door",
                          _("Row %(row)s: door number “%(value)s” of building “%(building)s” is already "
                            "in row %(first)s."), door, building=building_name, first=self.doors[key])
            else:
                self.doors[key] = self.row_number
        return building

    def check_floor_area(self, text: str) -> Decimal | None:
        if not text:
            return None
        try:
            area = Decimal(_AREA_UNITS.sub("", text.casefold()).strip())
        except InvalidOperation:
            area = None
        if area is None or not area.is_finite():
            self.fail("floor_area", "floor_area_not_a_number",
                      _("Row %(row)s: floor area “%(value)s” is not a number."), text)
        elif not Decimal("0") < area < Decimal("10000"):
            self.fail("floor_area", "floor_area_out_of_range",
                      _("Row %(row)s: floor area “%(value)s” must be more than 0 and less than 10000 m²."),
                      text)
        elif area != area.quantize(Decimal("0.01")):
            self.fail("floor_area", "floor_area_too_precise",
                      _("Row %(row)s: floor area “%(value)s” has more than two decimals."), text)
        else:
            return area.quantize(Decimal("0.01"))
        return None

    def check_people(self, names_text: str, phones_text: str) -> tuple[RosterResident, ...]:
        names, raw_phones = _split(names_text), _split(phones_text)
        if names_text and not names:
            self.fail("names", "required", _("Row %(row)s: the %(column)s column is empty."),
                      column=self.labels["names"])
        elif "" in names:
            self.fail("names", "empty_name",
                      _("Row %(row)s: the names “%(value)s” contain an empty name between two separators."),
                      names_text)
        for name in sorted({x for x in names if x and names.count(x) > 1}):
            self.fail("names", "duplicate_name", _("Row %(row)s: the name “%(value)s” appears twice."), name)
        for name in names:
            if len(name) > 60:
                self.fail("names", "too_long",
                          _("Row %(row)s: the name “%(value)s” is longer than 60 characters."), name)
        if names and len(raw_phones) > len(names):
            self.fail("phones", "too_many_phones",
                      _("Row %(row)s: there are %(phones)s phones for %(names)s names; give the phones in "
                        "the order of the names and leave a place empty for a person without one."),
                      phones=len(raw_phones), names=len(names))
        phones: list[str | None] = []
        for raw in raw_phones:
            phone = None
            if raw:
                try:
                    phone = normalize_phone(raw)
                except ValidationError:
                    self.fail("phones", "invalid_phone",
                              _("Row %(row)s: phone “%(value)s” is not a valid mobile number."), raw)
            if phone and phone in self.phones:
                self.fail("phones", "duplicate_phone",
                          _("Row %(row)s: phone “%(value)s” is already in row %(first)s."), raw,
                          first=self.phones[phone])
            elif phone:
                self.phones[phone] = self.row_number
            phones.append(phone)
        phones += [None] * (len(names) - len(phones))
        return tuple(RosterResident(name, phone) for name, phone in zip(names, phones, strict=False))
