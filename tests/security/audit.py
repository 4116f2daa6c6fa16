"""Run pip-audit (from its own virtualenv) and say plainly what it could and could not check.

    python tests/security/audit.py AUDIT_VENV PROJECT_VENV

Audits requirements.txt as pinned (no resolution) and everything installed from it. Exits 1 if any
known vulnerability is found. A package pip-audit could not look up (the vulnerability service
unreachable, or a version it does not know) is reported as NOT AUDITED, loudly, and counted in
test-artifacts/figures/audit.json: a skip is never reported as "no vulnerability".
"""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIGURES = ROOT / "test-artifacts" / "figures" / "audit.json"


def run(audit_venv: Path, *args: str) -> dict:
    result = subprocess.run([str(audit_venv / "bin" / "pip-audit"), "--progress-spinner", "off", "-f", "json",
                             *args], capture_output=True, text=True, cwd=ROOT)
    try:
        return json.loads(result.stdout)
    except json.JSONDecodeError:
        print(result.stdout, result.stderr, file=sys.stderr)
        raise SystemExit("pip-audit gave no report") from None


def main() -> int:
    audit_venv, project_venv = Path(sys.argv[1]), Path(sys.argv[2])
    site = next((project_venv / "lib").glob("python3*/site-packages"))
    reports = {
        "pins": run(audit_venv, "--no-deps", "--disable-pip", "-r", "requirements.txt"),
        "installed": run(audit_venv, "--path", str(site)),
    }
    figures, vulnerable, skipped = {}, [], []
    for label, report in reports.items():
        deps = report.get("dependencies", [])
        audited = [d for d in deps if "skip_reason" not in d]
        skipped += [f"{d['name']}: {d['skip_reason']}" for d in deps if "skip_reason" in d]
        for dep in audited:
            for vuln in dep.get("vulns", []):
                vulnerable.append(f"{dep['name']} {dep.get('version')}: {vuln.get('id')} "
                                  f"(fixed in {', '.join(vuln.get('fix_versions', [])) or '?'})")
        figures[f"audit_{label}_packages"] = len(deps)
        figures[f"audit_{label}_audited"] = len(audited)
    figures["audit_vulnerabilities"] = len(vulnerable)
    figures["audit_not_audited"] = len(skipped)
    FIGURES.parent.mkdir(parents=True, exist_ok=True)
    FIGURES.write_text(json.dumps(figures, indent=2, sort_keys=True))
    for line in vulnerable:
        print(f"VULNERABLE: {line}")
    if skipped:
        print("#" * 78)
        print(f"# pip-audit could NOT check {len(skipped)} package(s); they are NOT known to be safe:")
        for line in sorted(set(skipped))[:10]:
            print(f"#   {line}")
        print("# (on this machine PyPI's per-version JSON API answers 404: run `make audit` where it is reachable)")
        print("#" * 78)
    print(json.dumps(figures, sort_keys=True))
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main())
