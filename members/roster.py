"""Household roster import (花名册导入): one CSV or XLSX row per household, all or nothing.

``parse_roster`` reads the file, ``validate_roster`` checks every row against one committee and
``roster_import`` writes through the member services. National ID numbers are never collected.
"""

import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl import load_workbook

from members import permissions, services
from members.models import Building, Committee, Household, Membership, User
from members.phone import normalize_phone

ROSTER_MAX_ROWS = 20_000
# Chinese header, English header, further accepted spellings; required columns first.
COLUMNS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "compound": ("小区", "compound", ("小区名称",)),
    "building": ("楼栋", "building", ("楼号", "楼组", "楼")),
    "door_number": ("门牌号", "door_number", ("门牌", "室号", "房号", "door", "flat")),
    "floor_area": ("建筑面积", "floor_area", ("面积", "area")),
    "names": ("姓名", "names", ("住户姓名", "居民姓名", "name")),
    "owner_occupied": ("自住", "owner_occupied", ("是否自住",)),
    "phones": ("电话", "phones", ("手机", "手机号", "联系电话", "电话号码", "phone")),
    "representative": ("户代表", "representative", ()),
}
REQUIRED_COLUMNS = ("compound", "building", "door_number", "floor_area", "names")
ROSTER_TEMPLATE_HEADERS: tuple[str, ...] = tuple(zh for zh, _en, _more in COLUMNS.values())
_TEMPLATE_EXAMPLE = ("幸福小区", "1号楼", "101", "75.50", "是", "张三、李四", "13812345678", "张三")

_SEPARATORS = re.compile(r"[、，,;；/／]")
_YES = {"", "是", "yes", "y", "1", "true"}
_NO = {"否", "no", "n", "0", "false"}
_ID_HEADER = re.compile(r"身份证|证件|identity|^(national)?id(number|no|num|card)$|^nationalid$")
_ID_NUMBER = re.compile(r"(?<![0-9])[0-9]{17}[0-9X](?![0-9X])")
_AREA_UNITS = re.compile(r"(m2|平方米|平米)$")


@dataclass(frozen=True)
class RosterRow:
    """One data row as read from the file: cell text by column key."""

    row_number: int
    cells: dict[str, str]


@dataclass(frozen=True)
class RowError:
    row_number: int
    column: str
    code: str
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class RosterResident:
    full_name: str
    phone: str | None


@dataclass(frozen=True)
class RosterHousehold:
    """A row that passed validation, ready to be written."""

    row_number: int
    building: Building
    door_number: str
    floor_area: Decimal
    owner_occupied: bool
    residents: tuple[RosterResident, ...]
    representative: str | None


@dataclass
class RosterResult:
    households_created: int = 0
    households_updated: int = 0
    households_unchanged: int = 0
    residents_created: int = 0
    residents_linked: int = 0
    residents_unchanged: int = 0
    representatives_set: int = 0

    @property
    def households(self) -> int:
        return self.households_created + self.households_updated + self.households_unchanged


class RosterError(ValidationError):
    """The roster has row errors; ``row_errors`` lists every one of them, in row order."""

    def __init__(self, row_errors: list[RowError]):
        self.row_errors = sorted(row_errors, key=lambda e: e.row_number)
        n = len(self.row_errors)
        super().__init__(
            ngettext("The roster has %(count)d error; nothing was imported.",
                     "The roster has %(count)d errors; nothing was imported.", n) % {"count": n},
            code="invalid_rows")


# --- Reading the file ----------------------------------------------------------

def _clean(value) -> str:
    """Cell value as stripped NFKC text (full-width digits and commas become ASCII)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        value = "true" if value else "false"
    elif isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel stores 13812345678 and 101 as floats
    return unicodedata.normalize("NFKC", str(value)).replace("\ufeff", "").strip()


def _header_key(text: str) -> str:
    text = re.sub(r"\(.*?\)|\*", "", text.casefold())
    return re.sub(r"[\s_\-]", "", text)


_ALIASES = {_header_key(alias): key for key, (zh, en, more) in COLUMNS.items() for alias in (zh, en, *more)}


def _wrong_type(message: str) -> ValidationError:
    return ValidationError(message, code="wrong_file_type")


def _csv_rows(data: bytes, name: str) -> list[tuple[int, list[str]]]:
    not_csv = _("“%(name)s” is not a text CSV file; save it again from Excel or WPS as CSV (UTF-8).")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ("utf-16",)  # Excel's "Unicode text"
    elif b"\x00" in data or data.startswith(b"PK\x03\x04"):
        raise _wrong_type(not_csv % {"name": name})
    else:
        encodings = ("utf-8-sig", "gb18030")  # Excel in China writes GB18030 unless told otherwise
    for encoding in encodings:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _wrong_type(not_csv % {"name": name})
    text = text.lstrip("\ufeff")
    if any(ord(ch) < 32 and ch not in "\t\r\n" for ch in text):
        raise _wrong_type(not_csv % {"name": name})
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(",\t;", key=first_line.count)
    try:
        return _nonempty(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        raise _wrong_type(not_csv % {"name": name}) from None


def _nonempty(rows) -> list[tuple[int, list[str]]]:
    """The rows that hold something, as (spreadsheet row number, cleaned cells)."""
    table = []
    for number, row in enumerate(rows, start=1):
        cells = [_clean(value) for value in row]
        if any(cells):
            table.append((number, cells))
            if len(table) > ROSTER_MAX_ROWS + 1:
                raise ValidationError(_("The file has more than %(n)s rows.") % {"n": ROSTER_MAX_ROWS},
                                      code="file_too_large")
    return table


def _xlsx_rows(data: bytes, name: str) -> list[tuple[int, list[str]]]:
    not_xlsx = _wrong_type(
        _("“%(name)s” is not a real .xlsx file; save it again from Excel or WPS as .xlsx.") % {"name": name})
    buffer = io.BytesIO(data)
    if not zipfile.is_zipfile(buffer):
        raise not_xlsx
    with zipfile.ZipFile(buffer) as archive:
        # A small zip can unpack to gigabytes; a real roster is not that compressible.
        if sum(info.file_size for info in archive.infolist()) > 50 * settings.ROSTER_MAX_BYTES:
            raise _file_too_large()
    try:
        workbook = load_workbook(buffer, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types on a damaged or foreign zip
        raise not_xlsx from None
    try:
        if not workbook.worksheets:
            return []
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # read-only mode trusts the stored size, which may be wrong
        return _nonempty(sheet.iter_rows(values_only=True))
    except ValidationError:
        raise
    except Exception:
        raise not_xlsx from None
    finally:
        workbook.close()


def _file_too_large() -> ValidationError:
    return ValidationError(
        _("The file is larger than %(size)s; split it and upload the parts one by one.")
        % {"size": filesizeformat(settings.ROSTER_MAX_BYTES)}, code="file_too_large")


def _empty() -> ValidationError:
    return ValidationError(_("The file has no households in it."), code="empty")


def _find_header(table: list[tuple[int, list[str]]]) -> int:
    """Index of the header row: the first of the first rows naming two known columns.

    A title row ("某某小区住户花名册") above the header is common in Excel rosters.
    """
    for index, (_number, cells) in enumerate(table[:10]):
        if len({_ALIASES.get(_header_key(c)) for c in cells} - {None}) >= 2:
            return index
    return 0


def _columns(header: list[str]) -> dict[int, str]:
    by_index: dict[int, str] = {}
    for index, text in enumerate(header):
        if _ID_HEADER.search(_header_key(text)):
            raise ValidationError(
                _("The column “%(column)s” looks like national ID numbers. The roster never collects "
                  "them: delete the column and upload again.") % {"column": text},
                code="id_numbers_refused")
        key = _ALIASES.get(_header_key(text))
        if key is None:
            continue  # extra columns (notes, sequence numbers) are ignored
        if key in by_index.values():
            raise ValidationError(_("The column “%(column)s” appears twice.") % {"column": text},
                                  code="duplicate_column")
        by_index[index] = key
    missing = [COLUMNS[key] for key in REQUIRED_COLUMNS if key not in by_index.values()]
    if missing:
        raise ValidationError(
            _("The file has no column for: %(columns)s.")
            % {"columns": ", ".join(f"{zh} / {en}" for zh, en, _more in missing)},
            code="missing_column")
    return by_index


def parse_roster(uploaded_file) -> list[RosterRow]:
    """Read a .csv or .xlsx roster into rows numbered as in the spreadsheet (header = row 1)."""
    name = getattr(uploaded_file, "name", "") or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ("csv", "xlsx"):
        raise _wrong_type(_("Upload the roster as a .csv or .xlsx file."))
    if (getattr(uploaded_file, "size", None) or 0) > settings.ROSTER_MAX_BYTES:
        raise _file_too_large()
    uploaded_file.seek(0)
    data = uploaded_file.read(settings.ROSTER_MAX_BYTES + 1)
    if len(data) > settings.ROSTER_MAX_BYTES:
        raise _file_too_large()
    if not data.strip():
        raise _empty()
    table = _csv_rows(data, name) if extension == "csv" else _xlsx_rows(data, name)
    if not table:
        raise _empty()
    header_index = _find_header(table)
    by_index = _columns(table[header_index][1])
    rows = []
    for number, cells in table[header_index + 1:]:
        if any(_is_id_number(cell) for cell in cells):
            raise ValidationError(
                _("Row %(row)s looks like it holds a national ID number. The roster never collects "
                  "them: delete it and upload again.") % {"row": number},
                code="id_numbers_refused")
        rows.append(RosterRow(number, {key: cells[i] if i < len(cells) else ""
                                       for i, key in by_index.items()}))
    if not rows:
        raise _empty()
    return rows


def _is_id_number(text: str) -> bool:
    """True if ``text`` contains an 18-digit ID number with a valid check digit (GB 11643)."""
    for match in _ID_NUMBER.finditer(text.upper()):
        digits = match.group()
        total = sum(int(d) * (2 ** (17 - i) % 11) for i, d in enumerate(digits[:17]))
        if "10X98765432"[total % 11] == digits[17]:
            return True
    return False


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
                      _("Row %(row)s: names “%(value)s” has an empty name between two separators."),
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


# --- Writing ------------------------------------------------------------------------

@transaction.atomic
def roster_import(*, committee: Committee, uploaded_file, by: User) -> RosterResult:
    """Import a household roster into ``committee``; import nothing if any row is wrong."""
    if not permissions.can_manage_committee(by, committee):
        raise PermissionDenied(_("Only organizers of %(c)s may import its roster.") % {"c": committee})
    households, errors = validate_roster(committee=committee, rows=parse_roster(uploaded_file))
    if errors:
        raise RosterError(errors)

    existing = {(h.building_id, h.door_number): h for h in Household.objects.filter(
        building__compound__committee=committee).only("building", "door_number", "floor_area",
                                                      "owner_occupied")}
    phones = sorted({r.phone for h in households for r in h.residents if r.phone})
    known_phones = {phone for start in range(0, len(phones), 500) for phone in User.objects.filter(
        phone__in=phones[start:start + 500]).values_list("phone", flat=True)}
    result = RosterResult()
    try:
        for row in households:
            before = existing.get((row.building.pk, row.door_number))
            household = services.household_upsert(
                building=row.building, door_number=row.door_number, floor_area=row.floor_area,
                owner_occupied=row.owner_occupied, by=by)
            if before is None:
                result.households_created += 1
            elif (before.floor_area, before.owner_occupied) != (row.floor_area, row.owner_occupied):
                result.households_updated += 1
            else:
                result.households_unchanged += 1
            _import_residents(row, household, known_phones, result, by)
    except IntegrityError:
        # Someone changed the same people or households while we were importing.
        raise ValidationError(_("The roster could not be imported because the directory changed "
                                "meanwhile. Upload it again."), code="conflict") from None
    return result


def _import_residents(row: RosterHousehold, household: Household, known_phones: set[str],
                      result: RosterResult, by: User) -> None:
    active = list(Membership.objects.filter(household=household, status__in=Membership.ACTIVE)
                  .select_related("user").order_by("pk"))
    by_name: dict[str, Membership] = {}
    for membership in active:
        by_name.setdefault(membership.user.full_name, membership)
    for resident in row.residents:
        created = False
        namesake = by_name.get(resident.full_name)
        if resident.phone is None and namesake is not None:
            user = namesake.user  # no phone to match on: the household's member of that name
        elif resident.phone and resident.phone not in known_phones and namesake is not None \
                and not namesake.user.phone:
            user = namesake.user  # listed without a phone last time, with one now: same person
            user.phone = resident.phone
            user._history_user = by
            user.save(update_fields=["phone"])
        else:
            created = resident.phone is None or resident.phone not in known_phones
            user = services.person_ensure(full_name=resident.full_name, phone=resident.phone, by=by)
        if resident.phone:
            known_phones.add(resident.phone)
        was_verified = any(m.user_id == user.pk and m.status == Membership.Status.VERIFIED for m in active)
        membership = services.membership_ensure_verified(user=user, household=household, by=by)
        if created:
            result.residents_created += 1
        elif was_verified:
            result.residents_unchanged += 1
        else:
            result.residents_linked += 1
        if resident.full_name == row.representative and not membership.is_representative:
            services.membership_set_representative(membership=membership, by=None)
            result.representatives_set += 1


def roster_template_csv() -> str:
    """A roster template: the header row and one example household (starts with a BOM for Excel)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(ROSTER_TEMPLATE_HEADERS)
    writer.writerow(_TEMPLATE_EXAMPLE)
    return "\ufeff" + out.getvalue()
