# ruff: noqa: T201, S603 - a command-line tool that starts the verifier it times
"""The independent verifier over every published ballot of a database (the bench's, after `make bench`).

    DATABASE_URL=postgres://sanhui:sanhui@127.0.0.1:5432/sanhui_bench \\
        DJANGO_SETTINGS_MODULE=config.settings .venv/bin/python -m bench.verify_bulletins

Writes each published ballot's bulletin (docs/BULLETIN.md) to bench/.work/bulletins/, then runs
``python -m verifier`` on it in a clean interpreter (``-I -S``: no site-packages, none of the
project's code), as a resident would on the downloaded file. Prints, per ballot, the voices, the
bulletin's size, the time to build it and the time to verify it; exits non-zero when any ballot does
not verify (its report is printed). A ballot whose subject shows its own results (an evaluation) has
no bulletin and is listed as skipped.
"""

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import django

django.setup()

from decisions.bulletin import bulletin_for, has_bulletin  # noqa: E402
from decisions.models import Ballot  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CLEAN = ("import runpy, sys; sys.path.insert(0, sys.argv.pop(1)); sys.argv[0] = 'verifier'; "
         "runpy.run_module('verifier', run_name='__main__', alter_sys=True)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / ".work" / "bulletins")
    parser.add_argument("--lang", choices=("zh", "en"), default="en")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    failed = checked = skipped = 0
    for ballot in Ballot.objects.filter(status=Ballot.Status.PUBLISHED).order_by("pk").iterator():
        if not has_bulletin(ballot):
            skipped += 1
            print(f"ballot {ballot.pk}: skipped (its subject shows its own results)")
            continue
        started = time.perf_counter()
        text = json.dumps(bulletin_for(ballot), ensure_ascii=False)
        built = time.perf_counter() - started
        path = args.out / f"ballot-{ballot.pk}-bulletin.json"
        path.write_text(text, encoding="utf-8")
        started = time.perf_counter()
        run = subprocess.run([sys.executable, "-I", "-S", "-c", CLEAN, str(ROOT), str(path), "--lang", args.lang],
                             capture_output=True, text=True, check=False)
        verified = time.perf_counter() - started
        checked += 1
        status = "holds" if run.returncode == 0 else f"DOES NOT HOLD (exit {run.returncode})"
        print(f"ballot {ballot.pk}: {ballot.electorate_size} voices, {len(text) / 1024:.0f} KiB, "
              f"built in {built:.2f} s, verified in {verified:.2f} s: {status}")
        if run.returncode != 0:
            failed += 1
            print(run.stdout, run.stderr, sep="\n")
    print(f"{checked} bulletins verified, {failed} failed, {skipped} skipped; files in {args.out}")
    return 1 if failed or not checked else 0


if __name__ == "__main__":
    sys.exit(main())
