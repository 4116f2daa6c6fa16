"""A pytest plugin that records every case the rules tests decide, for tests/verifier/test_rules_agree.py.

Loaded with ``-p tests.verifier.record_rules`` and ``SANHUI_RULE_CASES=<file>``: it wraps
``decisions.rules.decide`` before the tests are collected (they import it by name), and writes each
call's rule, tally, quorum and outcome (or "error" when the rule refuses the numbers) to the file.
"""

import json
import os
from dataclasses import fields

CASES: list[dict] = []


def _text(value):
    """Exact numbers as the bulletin writes them (decimal strings); any other value as it is."""
    return value if value is None or isinstance(value, bool | int | float) else str(value)


def pytest_configure(config):
    from decisions import rules

    original = rules.decide

    def recording(rule, tally, **options):
        case = {"rule": str(rule), "tally": {f.name: _text(getattr(tally, f.name)) for f in fields(tally)},
                "quorum": _text(options.get("quorum", 0)),
                # A quorum given as a Python str: rules.py wants a number; a bulletin writes every one as text.
                "quorum_is_str": isinstance(options.get("quorum"), str),
                "quorum_more_than": options.get("quorum_more_than", False),
                "abstentions_count_as_cast": rules.ABSTENTIONS_COUNT_AS_CAST}
        try:
            verdict = original(rule, tally, **options)
        except ValueError:
            CASES.append({**case, "outcome": "error"})
            raise
        CASES.append({**case, "outcome": verdict.outcome.value})
        return verdict

    rules.decide = recording


def pytest_sessionfinish(session, exitstatus):
    path = os.environ.get("SANHUI_RULE_CASES")
    if path:
        with open(path, "w", encoding="utf-8") as file:
            json.dump(CASES, file)
