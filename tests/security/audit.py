"""Run pip-audit (from its own virtualenv), then PyPI's newest-release advisories for what it could not check.

    python tests/security/audit.py AUDIT_VENV PROJECT_VENV

Two reports: requirements.txt as pinned (no resolution), and everything installed in PROJECT_VENV.

1. pip-audit looks each package up by its exact version. Where it can, its answer is the one used.
2. A package pip-audit could not look up (on some machines PyPI's per-version JSON API answers 404
   and the OSV service is unreachable) is looked up in PyPI's per-project JSON
   (``/pypi/<name>/json``). Its ``vulnerabilities`` list holds the advisories (PyPA advisory
   database / OSV) that affect the project's NEWEST release only, so:
   - installed version == newest release: audited from that list; any advisory in it (not
     withdrawn) is a known vulnerability of our version;
   - Django, installed version == the newest release of its own major.minor series (an LTS kept on
     purpose): counted apart as "newest of its supported series". That is NOT a vulnerability
     lookup: it relies on Django shipping security fixes to every supported series at once;
   - anything else (behind the newest release, not on PyPI, PyPI unreachable): NOT AUDITED.

Exits 1 if any known vulnerability is found, else 0; whatever was not audited is printed loudly
and counted in test-artifacts/figures/audit.json: a skip is never reported as "no vulnerability".
"""

import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata
from pathlib import Path

from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parents[2]
FIGURES = ROOT / "test-artifacts" / "figures" / "audit.json"
# The per-project JSON API; another base (a mirror, or an unreachable one in the tests) by environment.
INDEX = os.environ.get("SANHUI_AUDIT_INDEX", "https://pypi.org/pypi").rstrip("/")
TIMEOUT = 15  # seconds per request
RETRIES = 3  # attempts per package on a network error or a 5xx/429 answer
WORKERS = 8
# Projects whose security fixes are released for every supported series at once (Django's policy).
SERIES_PROJECTS = {"django"}

AUDITED, SERIES, NOT_AUDITED = "latest", "series", "not_audited"


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def run(audit_venv: Path, *args: str) -> dict:
    result = subprocess.run([str(audit_venv / "bin" / "pip-audit"), "--progress-spinner", "off", "-f", "json",
                             *args], capture_output=True, text=True, cwd=ROOT)
    try:
        return json.loads(result.stdout)
    except json.JSONDecodeError:
        print(result.stdout, result.stderr, file=sys.stderr)
        raise SystemExit("pip-audit gave no report") from None


class Unreachable(Exception):
    """The per-project JSON could not be fetched (network down, timeouts, server errors)."""


def fetch_project(name: str) -> dict | None:
    """PyPI's JSON for the project, or None if PyPI has no such project (404). Raises Unreachable."""
    url = f"{INDEX}/{canonical(name)}/json"
    error = ""
    for attempt in range(RETRIES):
        if attempt:
            time.sleep(attempt)
        try:
            with urllib.request.urlopen(url, timeout=TIMEOUT) as answer:
                return json.load(answer)
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return None
            error = f"HTTP {exc.code}"
            if exc.code != 429 and exc.code < 500:
                break
        except (urllib.error.URLError, OSError, ValueError) as exc:
            error = str(getattr(exc, "reason", exc)) or type(exc).__name__
    raise Unreachable(error)


def parse(version: str) -> Version | None:
    try:
        return Version(version)
    except InvalidVersion:
        return None


def released(data: dict) -> list[Version]:
    """Final releases with at least one file not yanked (no pre-releases, no empty or yanked ones)."""
    out = []
    for text, files in data.get("releases", {}).items():
        version = parse(text)
        if version is None or version.is_prerelease or version.is_devrelease:
            continue
        if files and all(f.get("yanked") for f in files):
            continue
        out.append(version)
    return out


def classify(name: str, version: str, data: dict | None) -> tuple[str, str, list[str]]:
    """(class, explanation, vulnerabilities) of one package from its project JSON (None: not on PyPI)."""
    if data is None:
        return NOT_AUDITED, f"{version} installed; PyPI has no project named {name}", []
    newest = data.get("info", {}).get("version", "?")
    ours, latest = parse(version), parse(newest)
    if ours is not None and ours == latest:
        vulns = []
        for vuln in data.get("vulnerabilities") or []:
            if vuln.get("withdrawn"):
                continue
            fixed = ", ".join(vuln.get("fixed_in") or []) or "no fix released"
            aliases = ", ".join(vuln.get("aliases") or [])
            vulns.append(f"{name} {version}: {vuln.get('id')}{f' ({aliases})' if aliases else ''} "
                         f"(fixed in {fixed})")
        return AUDITED, f"{version} is the newest release", vulns
    if canonical(name) in SERIES_PROJECTS and ours is not None and latest is not None and ours < latest:
        series = [v for v in released(data) if v.release[:2] == ours.release[:2]]
        if series and max(series) == ours:
            return SERIES, f"{version} is the newest {ours.major}.{ours.minor} release (newest overall {newest})", []
    return NOT_AUDITED, f"{version} installed, newest {newest}", []


def lookup_all(packages: set[tuple[str, str]]) -> dict[tuple[str, str], tuple[str, str, list[str]]]:
    """Classify every (name, version); one quick probe first, so an offline machine fails fast."""
    results: dict = {}
    if not packages:
        return results
    names = sorted({name for name, _ in packages})
    try:
        first = {names[0]: fetch_project(names[0])}
    except Unreachable as exc:
        print(f"# PyPI's project JSON is unreachable ({exc}): the packages pip-audit skipped stay NOT audited")
        return {key: (NOT_AUDITED, f"{key[1]} installed; PyPI unreachable ({exc})", []) for key in packages}

    def one(name):
        try:
            return name, fetch_project(name), None
        except Unreachable as exc:
            return name, None, exc

    data, failed = dict(first), {}
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        for name, project, error in pool.map(one, names[1:]):
            if error is None:
                data[name] = project
            else:
                failed[name] = error
    for name, version in packages:
        if name in failed:
            results[(name, version)] = (NOT_AUDITED, f"{version} installed; PyPI unreachable ({failed[name]})", [])
        else:
            results[(name, version)] = classify(name, version, data[name])
    return results


def skipped_version(dep: dict, known: dict[str, str]) -> str:
    """The version pip-audit names in its skip reason ("... (1.2.3)"), else the installed or pinned one."""
    match = re.search(r"\(([^()\s]+)\)\s*$", dep.get("skip_reason", ""))
    return dep.get("version") or (match.group(1) if match else known.get(canonical(dep["name"]), "?"))


def known_versions(site: Path) -> dict[str, str]:
    versions = {}
    for dist in metadata.distributions(path=[str(site)]):
        versions[canonical(dist.metadata["Name"])] = dist.version
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        match = re.match(r"\s*([A-Za-z0-9_.-]+)\s*==\s*([^\s;#]+)", line)
        if match:
            versions.setdefault(canonical(match.group(1)), match.group(2))
    return versions


def box(title: str, lines: list[str], footer: list[str]) -> None:
    print("#" * 78)
    print(f"# {title}")
    for line in lines:
        print(f"#   {line}")
    for line in footer:
        print(f"# {line}")
    print("#" * 78)


def main(argv: list[str]) -> int:
    audit_venv, project_venv = Path(argv[0]), Path(argv[1])
    site = next((project_venv / "lib").glob("python3*/site-packages"))
    reports = {
        "pins": run(audit_venv, "--no-deps", "--disable-pip", "-r", "requirements.txt"),
        "installed": run(audit_venv, "--path", str(site)),
    }
    known = known_versions(site)
    vulnerable: dict[str, None] = {}  # ordered set: a pin is in both reports
    skipped = {label: [(canonical(d["name"]), skipped_version(d, known)) for d in r.get("dependencies", [])
                       if "skip_reason" in d] for label, r in reports.items()}
    for report in reports.values():
        for dep in report.get("dependencies", []):
            if "skip_reason" in dep:
                continue
            for vuln in dep.get("vulns", []):
                vulnerable[f"{dep['name']} {dep.get('version')}: {vuln.get('id')} "
                           f"(fixed in {', '.join(vuln.get('fix_versions', [])) or '?'})"] = None

    results = lookup_all({key for keys in skipped.values() for key in keys})
    figures: dict = {}
    rows = []
    for label, report in reports.items():
        deps = report.get("dependencies", [])
        classes = [results[key][0] for key in skipped[label]]
        figures[f"audit_{label}_packages"] = len(deps)
        figures[f"audit_{label}_audited"] = len(deps) - len(skipped[label])  # by pip-audit
        figures[f"audit_{label}_by_latest_release"] = classes.count(AUDITED)
        figures[f"audit_{label}_series_newest"] = classes.count(SERIES)
        figures[f"audit_{label}_not_audited"] = classes.count(NOT_AUDITED)
        rows.append((label, len(deps), len(deps) - len(skipped[label]), classes.count(AUDITED),
                     classes.count(SERIES), classes.count(NOT_AUDITED)))
    for key in ("by_latest_release", "series_newest", "not_audited"):
        figures[f"audit_{key}"] = figures[f"audit_pins_{key}"] + figures[f"audit_installed_{key}"]
    for _, _, vulns in results.values():
        vulnerable.update(dict.fromkeys(vulns))
    figures["audit_vulnerabilities"] = len(vulnerable)
    FIGURES.parent.mkdir(parents=True, exist_ok=True)
    FIGURES.write_text(json.dumps(figures, indent=2, sort_keys=True))

    print("=== dependency audit (each package counted once per report; a pin is in both)")
    print(f"  {'':<11}{'packages':>9}{'pip-audit':>11}{'newest release':>16}{'series newest':>15}{'NOT audited':>13}")
    for label, *counts in rows:
        print(f"  {label:<11}" + "".join(f"{n:>{w}}" for n, w in zip(counts, (9, 11, 16, 15, 13), strict=True)))
    print("  pip-audit: its own lookup of the exact version (PyPI per-version JSON or OSV)")
    print("  newest release: our version is PyPI's newest; audited from the advisories PyPI lists for it")
    series = sorted({(n, v, results[(n, v)][1]) for keys in skipped.values() for n, v in keys
                     if results[(n, v)][0] == SERIES})
    for name, _, why in series:
        print(f"  series newest (NOT a vulnerability lookup): {name} {why};")
        print("    no advisory list covers this version here: it relies on the project releasing security")
        print("    fixes for every supported series at once")
    for line in vulnerable:
        print(f"VULNERABLE: {line}")
    not_audited = sorted({f"{n}: {results[(n, v)][1]}" for keys in skipped.values() for n, v in keys
                          if results[(n, v)][0] == NOT_AUDITED})
    if not_audited:
        box(f"{len(not_audited)} package(s) NOT AUDITED; they are NOT known to be safe:", not_audited,
            ["pip-audit could not look them up, and PyPI's advisories cover only a project's newest release:",
             "upgrade them to it, or run `make audit` where pip-audit's services are reachable."])
    print(json.dumps(figures, sort_keys=True))
    print(f"=== {len(vulnerable)} known vulnerabilit{'y' if len(vulnerable) == 1 else 'ies'}, "
          f"{len(not_audited)} package(s) not audited")
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
