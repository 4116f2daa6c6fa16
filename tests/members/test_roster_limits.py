"""A roster file larger than any roster is refused quickly, with a clear message, and nothing is imported.

The zip bomb of the field report (a 275 KB XLSX that unpacks to 90 MB) is built here in memory.
"""

import io
import time
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from members import roster
from members.models import Household, Membership, User
from members.roster import parse_roster, roster_import
from members.roster.reading import (
    ROSTER_MAX_CELLS,
    ROSTER_MAX_SHARED_STRINGS,
    ROSTER_MAX_SHEET_ROWS,
    ROSTER_MAX_UNPACKED_BYTES,
    ROSTER_MAX_ZIP_ENTRIES,
)
from tests.factories import make_building, make_committee, make_compound, make_organizer, make_roster_xlsx

HEADER = ["小区", "楼栋", "门牌号", "建筑面积", "自住", "姓名", "电话", "户代表"]
ROW = ["幸福小区", "1号楼", "101", "75.50", "是", "张三", "13812345678", "张三"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
              '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')


@pytest.fixture
def place():
    committee = make_committee()
    make_building(make_compound(committee, name="幸福小区"), name="1号楼")
    return committee


def _counts() -> tuple[int, int, int]:
    return Household.objects.count(), Membership.objects.count(), User.objects.count()


def _workbook_with_sheet(sheet_xml: bytes, *, extra_parts: int = 0, name: str = "roster.xlsx") -> SimpleUploadedFile:
    """A real workbook (openpyxl's parts) whose first sheet's XML is ``sheet_xml``."""
    original = zipfile.ZipFile(io.BytesIO(make_roster_xlsx([HEADER, ROW]).read()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for part in original.infolist():
            data = sheet_xml if part.filename == "xl/worksheets/sheet1.xml" else original.read(part)
            archive.writestr(part.filename, data)
        for i in range(extra_parts):
            archive.writestr(f"xl/media/image{i}.png", b"")
    return SimpleUploadedFile(name, out.getvalue(), content_type=XLSX)


def _rows_xml(rows: int, *, dimension: str | None = None, start: int = 1) -> bytes:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    body = "".join(f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>x</t></is></c></row>'
                   for r in range(start, start + rows))
    return f"{SHEET_HEAD}{dim}<sheetData>{body}</sheetData></worksheet>".encode()


def _zip_bomb() -> SimpleUploadedFile:
    """About 90 MB of worksheet XML, compressed to a few hundred KB; no dimension to warn of it."""
    row = b'<row><c t="inlineStr"><is><t>0</t></is></c><c><v>1</v></c></row>'
    body = row * (90 * 1024 * 1024 // len(row))
    return _workbook_with_sheet(SHEET_HEAD.encode() + b"<sheetData>" + body + b"</sheetData></worksheet>")


@pytest.fixture
def openpyxl_never_opens(monkeypatch):
    """Fail the test if the workbook reaches openpyxl: these files must be refused before parsing."""

    def refuse(*args, **kwargs):
        raise AssertionError("openpyxl was asked to parse a file that should have been refused")

    monkeypatch.setattr("members.roster.reading.load_workbook", refuse)


@pytest.mark.django_db
def test_the_zip_bomb_roster_is_refused_in_under_two_seconds_and_nothing_is_imported(place, openpyxl_never_opens):
    bomb = _zip_bomb()
    assert bomb.size < 2 * 1024 * 1024  # within the upload limit: only its unpacked size gives it away
    client = Client(raise_request_exception=False)
    client.force_login(make_organizer(place))
    before = _counts()
    started = time.monotonic()
    response = client.post(reverse("members:roster_import", args=[place.pk]), {"file": bomb},
                           HTTP_ACCEPT_LANGUAGE="zh-hans")
    elapsed = time.monotonic() - started
    assert response.status_code == 200
    assert elapsed < 2, elapsed
    assert "解压后超过" in response.content.decode()  # the form's error, in the user's language
    assert _counts() == before


@pytest.mark.django_db
def test_the_zip_bomb_is_refused_in_english_for_an_english_reader(place, openpyxl_never_opens):
    client = Client(raise_request_exception=False)
    client.force_login(make_organizer(place))
    response = client.post(reverse("members:roster_import", args=[place.pk]), {"file": _zip_bomb()},
                           HTTP_ACCEPT_LANGUAGE="en")
    assert "unpacks to more than" in response.content.decode()
    assert Household.objects.count() == 0


def test_a_workbook_over_the_unpacked_limit_is_refused_by_its_declared_sizes(openpyxl_never_opens):
    filler = b" " * (ROSTER_MAX_UNPACKED_BYTES + 1)
    with pytest.raises(ValidationError) as caught:
        parse_roster(_workbook_with_sheet(_rows_xml(2).replace(b"<sheetData>", filler + b"<sheetData>")))
    assert caught.value.code == "file_too_large"


def test_a_workbook_of_too_many_parts_is_refused(openpyxl_never_opens):
    with pytest.raises(ValidationError) as caught:
        parse_roster(_workbook_with_sheet(_rows_xml(2), extra_parts=ROSTER_MAX_ZIP_ENTRIES))
    assert caught.value.code == "file_too_large"


@pytest.mark.parametrize("dimension", ["A1:A1048576", "A1:XFD30", f"A1:B{ROSTER_MAX_SHEET_ROWS + 1}",
                                       f"A1:Z{ROSTER_MAX_CELLS // 26 + 1}"])
def test_a_sheet_declaring_more_rows_or_cells_than_a_roster_is_refused_before_parsing(dimension,
                                                                                      openpyxl_never_opens):
    with pytest.raises(ValidationError) as caught:
        parse_roster(_workbook_with_sheet(_rows_xml(2, dimension=dimension)))
    assert caught.value.code == "file_too_large"


@pytest.mark.parametrize("dimension", ["A1:A10", None])
def test_a_sheet_understating_or_omitting_its_size_is_refused_by_counting_its_rows_and_cells(dimension,
                                                                                           openpyxl_never_opens):
    with pytest.raises(ValidationError) as caught:
        parse_roster(_workbook_with_sheet(_rows_xml(ROSTER_MAX_SHEET_ROWS + 10, dimension=dimension)))
    assert caught.value.code == "file_too_large"
    few_rows_many_cells = "".join(f'<row r="{r}">' + '<c><v>1</v></c>' * 1000 + "</row>"
                                  for r in range(1, ROSTER_MAX_CELLS // 1000 + 2))
    with pytest.raises(ValidationError) as caught:
        parse_roster(_workbook_with_sheet(f"{SHEET_HEAD}<sheetData>{few_rows_many_cells}</sheetData></worksheet>"
                                          .encode()))
    assert caught.value.code == "file_too_large"


def test_tags_cut_between_two_pieces_are_counted_once():
    from members.roster.reading import _CELL_TAG, _ROW_TAG, _count_tags

    for offset in range(40):  # move the tags across the 1 MiB boundary of the pieces
        xml = b" " * ((1 << 20) - offset) + b'<row r="1"><c r="A1"><v>1</v></c><c r="B1"/></row>'
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("xl/worksheets/sheet1.xml", xml)
        with zipfile.ZipFile(out) as archive:
            assert _count_tags(archive, archive.infolist()[0], _ROW_TAG, _CELL_TAG) == [1, 2], offset


def test_a_workbook_of_too_many_shared_strings_is_refused_before_openpyxl_reads_them(openpyxl_never_opens):
    original = zipfile.ZipFile(io.BytesIO(make_roster_xlsx([HEADER, ROW]).read()))
    n = ROSTER_MAX_SHARED_STRINGS + 1
    strings = (f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{n}" '
               f'uniqueCount="{n}">' + "<si><t>a</t></si>" * n + "</sst>").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for part in original.infolist():
            archive.writestr(part.filename, original.read(part))
        archive.writestr("xl/sharedStrings.xml", strings)
    with pytest.raises(ValidationError) as caught:
        parse_roster(SimpleUploadedFile("roster.xlsx", out.getvalue()))
    assert caught.value.code == "file_too_large"


def test_one_cell_a_million_rows_down_is_refused_without_reading_a_million_rows():
    xml = f'{SHEET_HEAD}<sheetData><row r="1048576"><c r="A1048576"><v>1</v></c></row></sheetData></worksheet>'
    started = time.monotonic()
    with pytest.raises(ValidationError) as caught:
        parse_roster(_workbook_with_sheet(xml.encode()))
    assert caught.value.code == "file_too_large"
    assert time.monotonic() - started < 2


def test_rows_as_wide_as_the_sheet_are_refused_by_the_cell_count():
    body = "".join(f'<row r="{r}"><c r="XFD{r}"><v>1</v></c></row>' for r in range(1, 40))
    xml = f"{SHEET_HEAD}<sheetData>{body}</sheetData></worksheet>"
    with pytest.raises(ValidationError) as caught:
        parse_roster(_workbook_with_sheet(xml.encode()))
    assert caught.value.code == "file_too_large"


def test_a_csv_of_blank_lines_or_endless_columns_is_refused():
    blank_lines = "\r\n" * (ROSTER_MAX_SHEET_ROWS + 1)
    blank = SimpleUploadedFile("roster.csv", (",".join(HEADER) + "\r\n" + blank_lines).encode())
    with pytest.raises(ValidationError) as caught:
        parse_roster(blank)
    assert caught.value.code == "file_too_large"
    wide = SimpleUploadedFile("roster.csv", (",".join(HEADER) + "\r\n" + "," * (ROSTER_MAX_CELLS + 1)).encode())
    with pytest.raises(ValidationError) as caught:
        parse_roster(wide)
    assert caught.value.code == "file_too_large"


@pytest.mark.django_db
def test_a_refused_file_changes_nothing_through_the_service(place):
    organizer = make_organizer(place)
    before = _counts()
    with pytest.raises(ValidationError) as caught:
        roster_import(committee=place, uploaded_file=_zip_bomb(), by=organizer)
    assert not isinstance(caught.value, roster.RosterError) and caught.value.code == "file_too_large"
    assert _counts() == before


def test_a_roster_of_twenty_thousand_households_is_within_every_limit():
    rows = [HEADER, *([f"小区{i % 7}", f"{i % 50}号楼", str(100 + i), "75.5", "是", f"张三{i}、李四{i}",
                       f"138{i:08d}", f"张三{i}"] for i in range(roster.ROSTER_MAX_ROWS))]
    assert len(parse_roster(make_roster_xlsx(rows))) == roster.ROSTER_MAX_ROWS
