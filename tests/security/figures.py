"""Figures the security suites report: each suite adds to a counter; the session writes them to JSON.

test-artifacts/figures/<suite>-<database>.json, read by scripts/ci-figures.py at the end of .ci/run.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIGURES_DIR = ROOT / "test-artifacts" / "figures"
_counts: Counter = Counter()


def add(name: str, n: int = 1) -> None:
    _counts[name] += n


def write(vendor: str) -> Path | None:
    if not _counts:
        return None
    FIGURES_DIR.mkdir(parents=True, exist_ok=True)
    path = FIGURES_DIR / f"security-{vendor}-{os.getpid()}.json"
    path.write_text(json.dumps({"database": vendor, **_counts}, indent=2, sort_keys=True))
    return path
