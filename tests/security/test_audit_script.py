"""tests/security/audit.py (make audit) without the network: how a package is classed, and the exit code."""

import json
import sys

from tests.security import audit


def project(newest, releases=(), vulnerabilities=()):
    versions = {v: [{"yanked": False}] for v in (*releases, newest)}
    return {"info": {"version": newest}, "releases": versions, "vulnerabilities": list(vulnerabilities)}


ADVISORY = {"id": "PYSEC-2099-1", "aliases": ["CVE-2099-1"], "fixed_in": [], "withdrawn": None}


def test_newest_release_without_advisories_is_audited():
    assert audit.classify("gunicorn", "27.0.1", project("27.0.1", ["23.0.0"])) == (
        audit.AUDITED, "27.0.1 is the newest release", [])


def test_an_advisory_on_the_newest_release_is_a_vulnerability():
    kind, _, vulns = audit.classify("redis", "8.1.0", project("8.1.0", vulnerabilities=[ADVISORY]))
    assert kind == audit.AUDITED
    assert vulns == ["redis 8.1.0: PYSEC-2099-1 (CVE-2099-1) (fixed in no fix released)"]
    withdrawn = {**ADVISORY, "withdrawn": "2099-01-02T00:00:00Z"}
    assert audit.classify("redis", "8.1.0", project("8.1.0", vulnerabilities=[withdrawn]))[2] == []


def test_behind_the_newest_release_is_not_audited_even_without_advisories():
    assert audit.classify("pytest", "8.4.2", project("9.2.0", ["8.4.2"])) == (
        audit.NOT_AUDITED, "8.4.2 installed, newest 9.2.0", [])


def test_not_on_pypi_is_not_audited():
    assert audit.classify("private-thing", "1.0", None)[0] == audit.NOT_AUDITED


def test_django_newest_of_its_series_is_a_class_of_its_own():
    data = project("6.1.3", ["5.2.18", "5.2.19", "5.2.20rc1", "6.0", "6.1.3"])
    kind, why, vulns = audit.classify("Django", "5.2.19", data)
    assert (kind, vulns) == (audit.SERIES, [])
    assert why == "5.2.19 is the newest 5.2 release (newest overall 6.1.3)"
    assert audit.classify("Django", "5.2.18", data)[0] == audit.NOT_AUDITED
    # a yanked 5.2.20 does not count as the series' newest
    data["releases"]["5.2.20"] = [{"yanked": True}]
    assert audit.classify("Django", "5.2.19", data)[0] == audit.SERIES
    data["releases"]["5.2.20"] = [{"yanked": False}]
    assert audit.classify("Django", "5.2.19", data)[0] == audit.NOT_AUDITED
    # only projects with Django's every-series security policy
    assert audit.classify("redis", "6.4.0", project("8.1.0", ["6.4.0"]))[0] == audit.NOT_AUDITED


def test_offline_every_package_is_not_audited(monkeypatch, capsys):
    monkeypatch.setattr(audit, "INDEX", "http://127.0.0.1:9/pypi")  # the discard port: refused at once
    monkeypatch.setattr(audit, "RETRIES", 1)
    results = audit.lookup_all({("django", "5.2.19"), ("redis", "8.1.0")})
    assert {kind for kind, _, _ in results.values()} == {audit.NOT_AUDITED}
    assert "unreachable" in results[("redis", "8.1.0")][1]
    assert "unreachable" in capsys.readouterr().out


def fake_pip_audit(*_):
    return {"dependencies": [{"name": "redis", "skip_reason": "Dependency not found on PyPI and could not be "
                                                              "audited: redis (8.1.0)"},
                             {"name": "gunicorn", "skip_reason": "... gunicorn (23.0.0)"},
                             {"name": "django", "version": "5.2.19", "vulns": []}]}


def run_main(monkeypatch, tmp_path, projects):
    monkeypatch.setattr(audit, "run", fake_pip_audit)
    monkeypatch.setattr(audit, "fetch_project", projects.get)
    monkeypatch.setattr(audit, "FIGURES", tmp_path / "audit.json")
    code = audit.main([str(tmp_path), sys.prefix])
    return code, json.loads((tmp_path / "audit.json").read_text())


def test_main_counts_and_exits_0_while_naming_what_was_not_audited(monkeypatch, tmp_path, capsys):
    code, figures = run_main(monkeypatch, tmp_path, {"redis": project("8.1.0"), "gunicorn": project("27.0.1")})
    assert code == 0
    assert figures["audit_pins_packages"] == figures["audit_installed_packages"] == 3
    assert figures["audit_pins_audited"] == 1  # by pip-audit
    assert (figures["audit_by_latest_release"], figures["audit_not_audited"]) == (2, 2)
    assert figures["audit_vulnerabilities"] == 0
    out = capsys.readouterr().out
    assert "NOT AUDITED" in out and "gunicorn: 23.0.0 installed, newest 27.0.1" in out


def test_main_exits_1_on_an_advisory_of_the_newest_release(monkeypatch, tmp_path, capsys):
    code, figures = run_main(monkeypatch, tmp_path, {"redis": project("8.1.0", vulnerabilities=[ADVISORY]),
                                                      "gunicorn": project("23.0.0")})
    assert code == 1
    assert figures["audit_vulnerabilities"] == 1  # the same pin in both reports is one vulnerability
    assert (figures["audit_by_latest_release"], figures["audit_not_audited"]) == (4, 0)
    out = capsys.readouterr().out
    assert "VULNERABLE: redis 8.1.0: PYSEC-2099-1" in out and "NOT AUDITED" not in out

