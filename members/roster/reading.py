"""Reading a roster file (CSV or XLSX) into rows; nothing is written."""

import csv
import io
import itertools
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl import load_workbook

from members.models import Building

ROSTER_MAX_ROWS = 20_000
# What a roster can be, checked before a file is parsed and again while it is read: a roster of
# 20,000 households with a dozen columns is about 240,000 cells, and as XLSX at most about 11 MB of
# XML unpacked (Excel's shared strings make it smaller). A file past these is not a roster, and a
# small zip that unpacks to much more would hold a server worker for as long as it takes to parse.
ROSTER_MAX_SHEET_ROWS = ROSTER_MAX_ROWS + 1_000  # title rows, blank lines between blocks
ROSTER_MAX_CELLS = 250_000
ROSTER_MAX_UNPACKED_BYTES = 24 * 1024 * 1024  # all parts of the XLSX together, as declared in the zip
ROSTER_MAX_ZIP_ENTRIES = 100  # Excel and WPS write about ten parts
# Distinct texts of the workbook (Excel's shared strings): openpyxl reads them all when it opens
# the file, so they are counted first. A roster has a few per household (door, names, phones).
ROSTER_MAX_SHARED_STRINGS = 5 * ROSTER_MAX_ROWS
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=[\"']([A-Z]{1,3})?(\d+)?(?::([A-Z]{1,3})(\d+))?[\"']")
_WORKSHEET_PART = re.compile(r"^xl/worksheets/[^/]+\.xml$")
_SHARED_STRINGS_PART = re.compile(r"^xl/[^/]*sharedstrings[^/]*\.xml$", re.IGNORECASE)
# Start tags with any namespace prefix (an XML prefix may hold letters, digits, "-", "." and "_").
_ROW_TAG = re.compile(rb"<(?:[^\s<>/:=\"']+:)?row[\s>/]")
_CELL_TAG = re.compile(rb"<(?:[^\s<>/:=\"']+:)?c[\s>/]")
_STRING_TAG = re.compile(rb"<(?:[^\s<>/:=\"']+:)?si[\s>/]")
# Chinese header, English header, further accepted spellings; in the template's order.
COLUMNS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "compound": ("小区", "compound", ("小区名称",)),
    "building": ("楼栋", "building", ("楼号", "楼组", "楼")),
    "door_number": ("门牌号", "door_number", ("门牌", "室号", "房号", "door", "flat")),
    "floor_area": ("建筑面积", "floor_area", ("面积", "area")),
    "owner_occupied": ("自住", "owner_occupied", ("是否自住",)),
    "names": ("姓名", "names", ("住户姓名", "居民姓名", "name")),
    "phones": ("电话", "phones", ("手机", "手机号", "联系电话", "电话号码", "phone")),
    "representative": ("户代表", "representative", ("户代表姓名",)),
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
    # Judge the delimiter on the first line that has one: the header or a title row's empty cells.
    first_line = next((line for line in itertools.islice(text.splitlines(), 50)
                       if any(d in line for d in ",\t;")), "")
    delimiter = max(",\t;", key=first_line.count)
    try:
        return _nonempty(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        raise _wrong_type(not_csv % {"name": name}) from None


def _too_many_rows() -> ValidationError:
    return ValidationError(_("The file has more than %(n)s rows; split it and upload the parts one by one.")
                           % {"n": ROSTER_MAX_ROWS}, code="file_too_large")


def _too_many_cells() -> ValidationError:
    return ValidationError(
        _("The file has more than %(n)s cells, far more than a roster; delete the columns and rows that are "
          "not part of the roster, or split it.") % {"n": f"{ROSTER_MAX_CELLS:,}"}, code="file_too_large")


def _nonempty(rows) -> list[tuple[int, list[str]]]:
    """The rows that hold something, as (spreadsheet row number, cleaned cells).

    Stops, refusing the file, at the first row past ``ROSTER_MAX_SHEET_ROWS`` or the first cell past
    ``ROSTER_MAX_CELLS`` (empty rows and cells count: they cost as much to read).
    """
    table = []
    cells_read = 0
    for number, row in enumerate(rows, start=1):
        cells_read += len(row)
        if number > ROSTER_MAX_SHEET_ROWS:
            raise _too_many_rows()
        if cells_read > ROSTER_MAX_CELLS:
            raise _too_many_cells()
        cells = [_clean(value) for value in row]
        if any(cells):
            table.append((number, cells))
            if len(table) > ROSTER_MAX_ROWS + 1:
                raise _too_many_rows()
    return table


def _check_archive(archive: zipfile.ZipFile) -> None:
    """Refuse, before anything is unpacked, a workbook larger than any roster.

    The sizes are those the zip declares; Python's zipfile never unpacks more than a part's declared
    size (a part that holds more fails its check and the file is refused as damaged), so they bound
    the work. Then each worksheet's declared dimension (``<dimension ref="A1:H2001"/>``, in its
    first bytes), and, since that may be missing or false, its row and cell tags and the shared
    strings' tags, counted while the parts are unpacked in pieces: far cheaper than parsing them.
    ``_nonempty`` holds the same limits again while the sheet is read.
    """
    parts = archive.infolist()
    if len(parts) > ROSTER_MAX_ZIP_ENTRIES or sum(part.file_size for part in parts) > ROSTER_MAX_UNPACKED_BYTES:
        raise ValidationError(
            _("The file unpacks to more than %(size)s, far more than a roster; save only the roster's sheet "
              "as .xlsx, or split it.") % {"size": filesizeformat(ROSTER_MAX_UNPACKED_BYTES)},
            code="file_too_large")
    for part in parts:
        if _WORKSHEET_PART.match(part.filename):
            head = _read(archive, part, 4096)
            found = _DIMENSION.search(head)
            if found and found.group(4):
                first_col, first_row, last_col, last_row = (g.decode() if g else None for g in found.groups())
                rows = int(last_row) - int(first_row or 1) + 1
                columns = _column_number(last_col) - _column_number(first_col or "A") + 1
                if rows > ROSTER_MAX_SHEET_ROWS:
                    raise _too_many_rows()
                if rows * columns > ROSTER_MAX_CELLS:
                    raise _too_many_cells()
            # The declared size may be missing or false: count the row and cell elements themselves.
            rows, cells = _count_tags(archive, part, _ROW_TAG, _CELL_TAG)
            if rows > ROSTER_MAX_SHEET_ROWS:
                raise _too_many_rows()
            if cells > ROSTER_MAX_CELLS:
                raise _too_many_cells()
        elif (_SHARED_STRINGS_PART.match(part.filename)
              and _count_tags(archive, part, _STRING_TAG)[0] > ROSTER_MAX_SHARED_STRINGS):
            raise _too_many_cells()


_ZIP_ERRORS = (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError, zlib.error)


def _read(archive: zipfile.ZipFile, part: zipfile.ZipInfo, size: int) -> bytes:
    try:
        with archive.open(part) as stream:
            return stream.read(size)
    except _ZIP_ERRORS:
        raise zipfile.BadZipFile from None


def _count_tags(archive: zipfile.ZipFile, part: zipfile.ZipInfo, *patterns: re.Pattern) -> list[int]:
    """How many times each XML start tag occurs in ``part``, unpacked in pieces, never whole.

    A tag cut between two pieces is counted once: the end of each piece is kept and searched again
    with the next one, less the tags found in that end alone.
    """
    counts = [0] * len(patterns)
    tail = b""
    try:
        with archive.open(part) as stream:
            while chunk := stream.read(1 << 20):
                window = tail + chunk
                for i, pattern in enumerate(patterns):
                    # Tags wholly in ``tail`` were counted with the previous piece.
                    counts[i] += len(pattern.findall(window)) - len(pattern.findall(tail))
                tail = window[-32:]
    except _ZIP_ERRORS:
        raise zipfile.BadZipFile from None
    return counts


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _xlsx_rows(data: bytes, name: str) -> list[tuple[int, list[str]]]:
    not_xlsx = _wrong_type(
        _("“%(name)s” is not a real .xlsx file; save it again from Excel or WPS as .xlsx.") % {"name": name})
    buffer = io.BytesIO(data)
    if not zipfile.is_zipfile(buffer):
        raise not_xlsx
    try:
        with zipfile.ZipFile(buffer) as archive:
            _check_archive(archive)
    except zipfile.BadZipFile:
        raise not_xlsx from None
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
