"""Every CSV and XLSX the site writes: formula-like cells escaped, numbers kept, one writer for all."""

import ast
import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from config.spreadsheets import CsvFile, XlsxFile, safe_cell

ROOT = Path(__file__).resolve().parents[1]
HELPER = ROOT / "config" / "spreadsheets.py"


@pytest.mark.parametrize("text", [
    "=HYPERLINK(\"http://evil.example\",\"点击\")", "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)", "\t=1+1", "\r=1+1", "  =1+1", " \t@x", "＝1+1", "＋1", "－cmd", "＠x", "-", "=",
])
def test_formula_like_text_gets_a_leading_apostrophe(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", [
    "加装电梯", "A=B", "1+1", "", "  text", "'=already text", "-12.5", "+3", "-0.5", "-1e3", " -7 ",
    -3, -2.5, Decimal("-66.7"), 0, None, True,
])
def test_plain_text_and_numbers_are_left_as_they_are(value):
    assert safe_cell(value) == value


def test_the_csv_file_escapes_cells_keeps_numbers_and_reads_back_in_excel_form():
    f = CsvFile()
    f.row("标题", "=1+1", -3, Decimal("-2.50"), "-4")
    text = f.text()
    assert text.startswith("\ufeff") and text.endswith("\r\n")
    assert list(csv.reader(io.StringIO(text.lstrip("\ufeff")))) == [["标题", "'=1+1", "-3", "-2.50", "-4"]]


def test_the_xlsx_file_stores_formula_like_text_as_text_and_numbers_as_numbers():
    book = XlsxFile()
    sheet = book.sheet("结果" * 20, ["Name", "Change"])
    sheet.row("=cmd|' /C calc'!A0", -2.5)
    sheet.row("@x", Decimal("-1.5"))
    book.sheet("Second").row("+1+1", None)
    wb = load_workbook(io.BytesIO(book.content()))
    first = wb.worksheets[0]
    assert first.title == ("结果" * 20)[:31]
    assert [[c.value for c in row] for row in first.iter_rows()] == [
        ["Name", "Change"], ["'=cmd|' /C calc'!A0", -2.5], ["'@x", -1.5]]
    assert all(c.data_type != "f" for row in first.iter_rows() for c in row)
    assert first["B2"].data_type == "n" and first["A1"].font.bold
    assert wb.worksheets[1].title == "Second" and wb.worksheets[1]["A1"].value == "'+1+1"


# --- No export bypasses the writer -------------------------------------------------------------

WRITERS = {("csv", "writer"), ("csv", "DictWriter"), ("openpyxl", "Workbook"), ("openpyxl", "workbook"),
           ("openpyxl", "writer")}
FORBIDDEN_MODULES = ("xlsxwriter", "pyexcel", "tablib", "pandas", "xlwt")
CONTENT_TYPES = ("text/csv", "spreadsheetml", "application/vnd.ms-excel")


def _source_files():
    skip = {".venv", "node_modules", "tests", "staticfiles", "static", "media", "test-artifacts", "bench"}
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        # Hidden folders too: virtualenvs (.venv, .venv-audit), the cluster's data, git.
        if parts[0] in skip or parts[0].startswith(".") or path == HELPER:
            continue
        yield path


def _bypasses(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and (node.value.id, node.attr) in WRITERS:
            found.append(f"{node.value.id}.{node.attr}")
        elif isinstance(node, ast.ImportFrom) and node.module:
            root = node.module.split(".")[0]
            names = {alias.name for alias in node.names}
            if root == "openpyxl" and (node.module != "openpyxl" or names - {"load_workbook"}):
                found.append(f"from {node.module} import {', '.join(sorted(names))}")
            if root == "csv" or root in FORBIDDEN_MODULES:
                found.append(f"from {node.module} import …")
        elif isinstance(node, ast.Import):
            found += [f"import {a.name}" for a in node.names if a.name.split(".")[0] in FORBIDDEN_MODULES]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and any(t in node.value for t in CONTENT_TYPES):
            found.append(repr(node.value))
    return found


def test_no_module_writes_csv_or_xlsx_except_through_config_spreadsheets():
    offenders = {str(p.relative_to(ROOT)): found for p in _source_files() if (found := _bypasses(p))}
    assert offenders == {}, ("write CSV and XLSX with config.spreadsheets (CsvFile, XlsxFile, csv_response, "
                             f"xlsx_response): {offenders}")


def test_the_scan_sees_a_direct_writer(tmp_path):
    sneaky = tmp_path / "sneaky.py"
    sneaky.write_text("import csv\nfrom openpyxl import Workbook\n"
                      "def export(out):\n    csv.writer(out).writerow(['=1'])\n"
                      "    return 'text/csv'\n", encoding="utf-8")
    assert sorted(_bypasses(sneaky)) == ["'text/csv'", "csv.writer", "from openpyxl import Workbook"]
