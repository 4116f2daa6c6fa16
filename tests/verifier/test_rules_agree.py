"""The verifier's arithmetic of the decision rules (verifier/arithmetic.py, written from
docs/BULLETIN.md) agrees with the server's (decisions/rules.py) on every case of the rules tests,
and on every small tally of a grid around the thresholds."""

import itertools
import json
import os
import subprocess
import sys
from decimal import Decimal

from decisions import rules
from tests.verifier.world import ROOT
from verifier import arithmetic


def _verifier_outcome(case: dict) -> str:
    try:
        outcome, _steps = arithmetic.decide(
            case["rule"], case["tally"], quorum=case["quorum"], quorum_more_than=case["quorum_more_than"],
            abstentions_count_as_cast=case["abstentions_count_as_cast"])
    except ValueError:
        return "error"
    return outcome


def test_the_verifier_decides_every_case_of_the_rules_tests_as_rules_py_does(tmp_path):
    cases_file = tmp_path / "cases.json"
    env = {**os.environ, "SANHUI_RULE_CASES": str(cases_file)}
    run = subprocess.run([sys.executable, "-m", "pytest", "tests/decisions/test_rules.py", "-p", "no:xdist",
                          "-p", "tests.verifier.record_rules", "-q"],
                         cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=600)
    assert run.returncode == 0, run.stdout[-2000:]
    cases = json.loads(cases_file.read_text(encoding="utf-8"))
    assert len(cases) > 150  # every parametrized case of tests/decisions/test_rules.py
    assert {case["rule"] for case in cases} >= set(rules.Rule)  # and an unknown rule, refused
    assert {case["outcome"] for case in cases} >= {"passed", "rejected", "invalid", "none", "error"}
    assert any(case["abstentions_count_as_cast"] for case in cases)
    # rules.py refuses a quorum passed as a Python str (its callers pass a Decimal); in a bulletin every
    # quorum is a decimal string, so that one case of the API's typing is not a case of the arithmetic.
    typed = [case for case in cases if case["quorum_is_str"]]
    assert len(typed) == 1
    disagreements = [(case, _verifier_outcome(case)) for case in cases
                     if not case["quorum_is_str"] and _verifier_outcome(case) != case["outcome"]]
    assert disagreements == []


def _server_outcome(rule: str, tally: dict, quorum: str, more_than: bool) -> str:
    numbers = {name: Decimal(value) if name.endswith("_area") and value is not None else value
               for name, value in tally.items()}
    try:
        return rules.decide(rule, rules.Tally(**numbers), quorum=Decimal(quorum),
                            quorum_more_than=more_than).outcome.value
    except ValueError:
        return "error"


def test_the_verifier_agrees_with_rules_py_on_every_small_tally_around_the_thresholds():
    """Electorates of 3 and 4 households of 100 m² (one of 100.01 m²), every split of yes, no and
    abstain among those taking part, every rule, quorums (as a ballot stores them, four decimals) of none,
    half, and either side of two thirds, to reach or to exceed."""
    compared = 0
    for voices, rule, (quorum, more_than) in itertools.product(
            (3, 4), list(rules.Rule), [("0", False), ("0.5", False), ("0.5", True), ("0.6666", False),
                                       ("0.6667", True), ("0.75", False)]):
        areas = [Decimal("100.01")] + [Decimal("100.00")] * (voices - 1)
        for taking_part in range(voices + 1):
            for yes, no in itertools.product(range(taking_part + 1), repeat=2):
                abstain = taking_part - yes - no
                if abstain < 0:
                    continue
                area = lambda people: sum(people, Decimal(0))  # noqa: E731 - the flats' areas in turn
                tally = {"electorate_voices": voices, "participating_voices": taking_part, "yes": yes, "no": no,
                         "abstain": abstain, "electorate_area": str(area(areas)),
                         "participating_area": str(area(areas[:taking_part])), "yes_area": str(area(areas[:yes])),
                         "no_area": str(area(areas[yes:yes + no])),
                         "abstain_area": str(area(areas[yes + no:taking_part]))}
                case = {"rule": str(rule), "tally": tally, "quorum": quorum, "quorum_more_than": more_than,
                        "abstentions_count_as_cast": False}
                assert _verifier_outcome(case) == _server_outcome(rule, tally, quorum, more_than), case
                compared += 1
    assert compared > 1000
