"""Every CSV and XLSX file the site writes goes through here, so no cell is ever run as a formula.

Exports carry text that residents and organizers typed (ballot titles, questions and options, party
topics and floor consultations become ballot titles, names of committees and agencies). A
spreadsheet program runs a cell as a formula when it starts with ``=``, ``+``, ``-`` or ``@``
(``=HYPERLINK(…)``, ``+cmd|' /C calc'!A0``), and Excel and WPS also when a tab, a carriage return or
spaces come before it. The OWASP rule is applied to every text cell: if it starts with one of
those characters, after any leading whitespace, it gets a leading apostrophe, which makes it
plain text. The full-width forms (＝ ＋ － ＠) are treated the same, because WPS reads them as
their ASCII twins. Numbers stay numbers: a Python number is written as it is, and so is text that
is nothing but a decimal number ("-12.5" is a negative number, not a formula).

``tests/test_spreadsheets.py`` fails if any module other than this one writes CSV or XLSX itself.
"""

import csv
import io
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def safe_cell(value):
    """``value`` as a cell no spreadsheet will run: formula-like text gets a leading apostrophe."""
    if not isinstance(value, str):
        return value  # numbers, dates, None, booleans: never formulas
    if value.startswith(("\t", "\r")) or value.lstrip().startswith(_FORMULA_STARTS):
        if _NUMBER.fullmatch(value.strip()):
            return value
        return "'" + value
    return value


def _safe_row(row: Iterable) -> list:
    return [safe_cell(value) for value in row]


class CsvFile:
    """A CSV file for Excel and WPS (UTF-8 with a BOM, CRLF lines), every cell made safe."""

    def __init__(self) -> None:
        self._out = io.StringIO()
        self._writer = csv.writer(self._out, lineterminator="\r\n")

    def row(self, *cells) -> None:
        self._writer.writerow(_safe_row(cells))

    def rows(self, rows: Iterable[Sequence]) -> None:
        for row in rows:
            self.row(*row)

    def text(self) -> str:
        return "\ufeff" + self._out.getvalue()


class XlsxFile:
    """An XLSX workbook (openpyxl) whose sheets take rows of safe cells only."""

    def __init__(self) -> None:
        self._book = Workbook()
        self._fresh = True  # openpyxl starts with one empty sheet; the first ``sheet`` call uses it

    def sheet(self, title: str, header: Sequence | None = None) -> "XlsxSheet":
        if self._fresh:
            worksheet, self._fresh = self._book.active, False
            worksheet.title = title[:31]
        else:
            worksheet = self._book.create_sheet(title[:31])
        sheet = XlsxSheet(worksheet)
        if header is not None:
            sheet.row(*header, bold=True)
        return sheet

    def content(self) -> bytes:
        out = io.BytesIO()
        self._book.save(out)
        return out.getvalue()


class XlsxSheet:
    def __init__(self, worksheet) -> None:
        self._worksheet = worksheet

    def row(self, *cells, bold: bool = False) -> None:
        self._worksheet.append([float(v) if isinstance(v, Decimal) else v for v in _safe_row(cells)])
        if bold:
            for cell in self._worksheet[self._worksheet.max_row]:
                cell.font = Font(bold=True)


def _download(content, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def csv_response(csv_file: CsvFile, filename: str) -> HttpResponse:
    """A download of ``csv_file``; ``filename`` is ASCII made by the code, not by a user."""
    return _download(csv_file.text(), "text/csv; charset=utf-8", filename)


def xlsx_response(xlsx_file: XlsxFile, filename: str) -> HttpResponse:
    """A download of ``xlsx_file``; ``filename`` is ASCII made by the code, not by a user."""
    return _download(xlsx_file.content(), XLSX_CONTENT_TYPE, filename)
