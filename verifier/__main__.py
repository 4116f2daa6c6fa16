"""python -m verifier BULLETIN.json|URL [--receipt CODE] [--lang zh|en] [--tsa-root ROOT.pem]"""

import argparse
import json
import sys
import urllib.request
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from verifier import arithmetic
from verifier.checks import Report, verify
from verifier.words import say, term

MARKS = {True: "✓", False: "✗", None: "·"}
MAX_BYTES = 256 * 1024 * 1024


def load(source: str, headers: list[str]) -> dict:
    """The bulletin from a file, or from an http(s) URL (with any headers given, such as a token)."""
    if source.startswith(("https://", "http://")):
        request = urllib.request.Request(source, headers=dict(h.split(":", 1) for h in headers))  # noqa: S310
        with urllib.request.urlopen(request, timeout=60) as reply:  # noqa: S310 (scheme checked above)
            return json.loads(reply.read(MAX_BYTES))
    return json.loads(Path(source).read_text(encoding="utf-8"))


def _percent(value: Fraction, places: int) -> str:
    """A share as a percentage rounded half up to ``places`` decimals, exactly."""
    scaled = (value * 100 * 10**places + Fraction(1, 2)).__floor__()
    return f"{Decimal(scaled).scaleb(-places):f}%"


def step_text(step: arithmetic.Step, lang: str) -> str:
    """One comparison of the verdict as a reader checks it by hand: share, sign, threshold, numbers."""
    params = {"part": _plain(step.part), "whole": _plain(step.whole)}
    if step.threshold is not None:
        value = Fraction(step.part) / Fraction(step.whole) if step.whole else Fraction(0)
        places = 1
        while places < 6 and value != step.threshold and _percent(value, places) == _percent(step.threshold, places):
            places += 1
        params.update(value=_percent(value, places), threshold=_percent(step.threshold, places),
                      sign=(">" if step.holds else "≤") if step.strict else ("≥" if step.holds else "<"))
    text = term(step.what, lang, **params)
    if step.what in ("nobody", "no_votes_cast"):
        return text
    return f"{text} {'✓' if step.holds else '✗'}"


def _plain(value) -> str:
    value = Fraction(value)
    return str(value.numerator) if value.denominator == 1 else f"{float(value):.2f}"


def render(report: Report, bulletin: dict, lang: str) -> str:
    lines = []
    ballot = bulletin.get("ballot") if isinstance(bulletin, dict) else None
    if isinstance(ballot, dict):
        lines.append(say("title", lang, id=ballot.get("id"), title=ballot.get("title"),
                         committee=ballot.get("committee")))
    for finding in report.findings:
        params = dict(finding.params)
        steps = params.pop("steps", [])
        for key in ("rule", "outcome", "when", "channel", "field"):
            if key in params and isinstance(params[key], str):
                params[key] = term(params[key], lang)
        lines.append(f"{MARKS[finding.holds]} {say(finding.code, lang, **params)}")
        lines.extend(f"    {step_text(step, lang)}" for step in steps)
    failures = len(report.failures)
    lines.append(say("all_hold", lang) if not failures else say("some_fail", lang, n=failures))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m verifier",
                                     description="Check a Sanhui ballot bulletin (docs/BULLETIN.md).")
    parser.add_argument("bulletin", help="the bulletin: a JSON file or an http(s) URL")
    parser.add_argument("--receipt", help="a receipt code to find among those counted")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh", help="the report's language (default zh)")
    parser.add_argument("--tsa-root", type=Path, help="the time-stamp authority's root certificate (PEM): "
                        "check each token's signature with the openssl program")
    parser.add_argument("--header", action="append", default=[], help="an HTTP header for a URL, NAME:VALUE")
    args = parser.parse_args(argv)
    try:
        bulletin = load(args.bulletin, args.header)
    except (OSError, ValueError) as error:
        sys.stdout.write(say("unreadable", args.lang, error=error) + "\n")
        return 2
    report = verify(bulletin, receipt=args.receipt, tsa_root=args.tsa_root)
    sys.stdout.write(render(report, bulletin, args.lang) + "\n")
    return 0 if report.holds else 1


if __name__ == "__main__":
    sys.exit(main())
