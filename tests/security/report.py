"""The figures of the trust suites, printed at the end of .ci/run: python tests/security/report.py

Reads test-artifacts/figures/*.json (written by tests/security, tests/e2e/test_xss_payloads.py,
tests/faults/run_faults.py, tests/cluster/drill.py and tests/security/audit.py). Exits 1 if a
figure that must be 0 is not, or if a suite left no figures at all.
"""

import json
import sys
from collections import defaultdict
from pathlib import Path

FOLDER = Path(__file__).resolve().parents[2] / "test-artifacts" / "figures"


def load() -> tuple[dict, dict]:
    per_db: dict = defaultdict(lambda: defaultdict(int))
    other: dict = {}
    for path in sorted(FOLDER.glob("*.json")):
        data = json.loads(path.read_text())
        if path.name.startswith("security-"):
            db = data.pop("database", "?")
            for key, value in data.items():
                per_db[db][key] += value
        else:
            other.update(data)
    return per_db, other


def main() -> int:
    per_db, other = load()
    rows, problems = [], []

    def row(label, value):
        rows.append(f"  {label:<52} {value}")

    for db in sorted(per_db):
        f = per_db[db]
        row(f"URL × role × object cells checked ({db})", f.get("access_cells", 0))
        if f.get("fuzz_examples"):
            row(f"fuzz examples run ({db}; endpoints {f.get('fuzz_endpoints', 0)})", f["fuzz_examples"])
            row("    refused and nothing stored / accepted",
                f"{f.get('fuzz_rejected', 0)} / {f.get('fuzz_accepted', 0)}")
        if f.get("xss_pages_checked"):
            row(f"XSS payloads stored / pages checked ({db})",
                f"{f.get('xss_payloads_stored', 0)} / {f['xss_pages_checked']}")
        if f.get("limits_checked"):
            row(f"limit checks ({db})", f["limits_checked"])
    if "xss_browser_pages" in other:
        row("XSS payloads × pages in the browser", f"{other['xss_payloads']} × {other['xss_browser_pages']}")
    if "faults_injected" in other:
        row("faults injected (database outages + workers killed)",
            f"{other['faults_injected']} ({other['database_outages']} + {other['workers_killed']})")
        row("votes: receipts given / recorded", f"{other['receipts_given']} / {other['votes_recorded']}")
        row("answered 503 'try again' (during the outage)", f"{other['try_again_503']} ({other['outage_503']})")
        row("ACCEPTED VOTES LOST (must be 0)", other["accepted_votes_lost"])
        row("DUPLICATES (must be 0)", other["duplicates"])
        row("partial ballots (must be 0)", other["partial_ballots"])
        row("verify_audit after the faults", "ok" if other["verify_audit"] else "FAILED")
        for key in ("accepted_votes_lost", "duplicates", "partial_ballots", "server_errors"):
            if other[key]:
                problems.append(f"{key} = {other[key]}")
        if not other["verify_audit"]:
            problems.append("verify_audit failed after the faults")
    else:
        problems.append("no figures from the fault tests")
    if "cluster_voters" in other:  # make test-cluster (synchronous standby)
        row("cluster drill: voters / votes sent / receipts given",
            f"{other['cluster_voters']} / {other['cluster_votes_sent']} / {other['cluster_receipts_given']}")
        row("    votes found on the promoted standby", other["cluster_votes_found"])
        row("    RECEIPTS LOST (must be 0) / DUPLICATED (must be 0)",
            f"{other['cluster_lost']} / {other['cluster_duplicated']}")
        row("    seconds without service", other["cluster_seconds_without_service"])
        row("    verify_audit on the new primary", "ok" if other["cluster_verify_audit"] else "FAILED")
        for key in ("cluster_lost", "cluster_duplicated", "cluster_bad_answers"):
            if other[key]:
                problems.append(f"{key} = {other[key]}")
        if not other["cluster_verify_audit"]:
            problems.append("verify_audit failed on the cluster's new primary")
    if "audit_vulnerabilities" in other:
        # Each package is counted once per report (the pins, everything installed): a pin counts twice.
        row("dependency audit: known vulnerabilities", other["audit_vulnerabilities"])
        row("    audited by pip-audit / by newest-release list",
            f"{other['audit_pins_audited'] + other['audit_installed_audited']} / "
            f"{other.get('audit_by_latest_release', 0)}")
        if other.get("audit_series_newest"):
            row("    series newest only (NOT a vulnerability lookup)", other["audit_series_newest"])
        row("    NOT AUDITED (pins + installed)", other["audit_not_audited"])
        if other["audit_vulnerabilities"]:
            problems.append("the dependency audit found known vulnerabilities")
    if not per_db:
        problems.append("no figures from tests/security")
    print("=== figures of trust")
    print("\n".join(rows))
    for problem in problems:
        print(f"  PROBLEM: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
