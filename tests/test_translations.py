"""Simplified Chinese is the default language, and every user-facing string is translated."""

import ast
import gettext
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def _entries(text: str) -> list[dict]:
    """Parse a .po file into entries (msgid, msgid_plural, msgstr…, flags); enough for our checks."""
    entries, current, key = [], None, None
    for line in text.splitlines() + [""]:
        if not line.strip():
            if current and "msgid" in current:
                entries.append(current)
            current, key = None, None
            continue
        current = current or {"flags": ""}
        if line.startswith("#,"):
            current["flags"] += line
        elif line.startswith("#"):
            continue
        else:
            match = re.match(r'^(msgid_plural|msgid|msgctxt|msgstr(?:\[\d+\])?)\s+(".*")$', line)
            if match:
                key = match.group(1)
                current[key] = ast.literal_eval(match.group(2))
            elif line.startswith('"') and key:
                current[key] += ast.literal_eval(line)
    return entries


def test_every_catalogue_entry_is_translated_and_not_fuzzy():
    entries = [e for e in _entries(PO.read_text(encoding="utf-8")) if e["msgid"]]
    assert len(entries) > 100
    untranslated = [e["msgid"] for e in entries
                    if not any(v for k, v in e.items() if k.startswith("msgstr"))]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert untranslated == []
    assert fuzzy == []


def test_compiled_catalogue_matches_the_po_file():
    catalogue = gettext.GNUTranslations(MO.open("rb"))
    for entry in _entries(PO.read_text(encoding="utf-8")):
        if not entry["msgid"] or "msgid_plural" in entry:
            continue
        msgid = entry["msgid"] if "msgctxt" not in entry else f"{entry['msgctxt']}\x04{entry['msgid']}"
        assert catalogue.gettext(msgid) == entry["msgstr"], entry["msgid"]


@pytest.mark.skipif(not shutil.which("xgettext"), reason="GNU gettext is not installed")
def test_no_string_in_the_code_is_missing_from_the_catalogue(tmp_path):
    copy = tmp_path / "src"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(
        ".venv", ".git", "staticfiles", "test-artifacts", "node_modules", "*.sqlite3*", "tests", "bench"))
    subprocess.run([sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-obsolete",
                    "--ignore=staticfiles"], cwd=copy, check=True, capture_output=True,
                   env={"PATH": "/usr/bin:/bin", "DJANGO_DEBUG": "1", "HOME": str(tmp_path)})
    fresh = _entries((copy / PO.relative_to(ROOT)).read_text(encoding="utf-8"))
    missing = [e["msgid"] for e in fresh
               if e["msgid"] and not any(v for k, v in e.items() if k.startswith("msgstr"))]
    assert missing == [], "run `make messages` and translate these"
