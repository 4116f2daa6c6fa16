"""The verifier passes on every published ballot of the demo data, and runs on nothing but itself and
the standard library: in a clean interpreter, no Django and no module of the project is loaded."""

import json
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from decisions.bulletin import NotPublished, bulletin_for, has_bulletin
from decisions.models import Ballot
from tests import databases
from tests.verifier.world import ROOT, run_verifier
from verifier import verify

pytestmark = [pytest.mark.django_db, databases.DEMO]

PROJECT = ("django", "config", "members", "decisions", "hearings", "coordination", "evaluations", "deliberation",
           "tests")


@pytest.fixture(scope="module")
def demo_bulletins(django_db_setup, django_db_blocker) -> list[dict]:
    """seed_demo once for the module, rolled back after; the bulletin of each published ballot that has one."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", force=True, quiet=True, stdout=StringIO())
        published = list(Ballot.objects.filter(status=Ballot.Status.PUBLISHED).order_by("pk"))
        without = [b for b in published if not has_bulletin(b)]
        for ballot in without:  # an evaluation's sheet: its results are shown under its own rules
            with pytest.raises(NotPublished):
                bulletin_for(ballot)
        bulletins = [json.loads(json.dumps(bulletin_for(b))) for b in published if has_bulletin(b)]
        transaction.set_rollback(True)
    return bulletins


def test_the_verifier_passes_on_every_published_ballot_of_the_demo(demo_bulletins):
    assert len(demo_bulletins) >= 5
    kinds = {(b["ballot"]["secrecy"], b["ballot"]["rule"]) for b in demo_bulletins}
    assert ("secret", "art278") in kinds and ("named", "simple_majority") in kinds
    for bulletin in demo_bulletins:
        report = verify(bulletin)
        assert report.holds, (bulletin["ballot"]["id"], report.failures)


def test_the_verifier_runs_alone_in_a_clean_interpreter(demo_bulletins, tmp_path):
    sealed = next(b for b in demo_bulletins if b["ballot"]["sealed"])
    path = tmp_path / "bulletin.json"
    path.write_text(json.dumps(sealed, ensure_ascii=False), encoding="utf-8")
    code = ("import sys, json; sys.path.insert(0, sys.argv[1]); from verifier.__main__ import main; "
            "status = main([sys.argv[2], '--lang', 'en']); "
            "print(json.dumps({'status': status, 'modules': sorted(sys.modules)}))")
    run = subprocess.run([sys.executable, "-I", "-S", "-c", code, str(ROOT), str(path)], capture_output=True,
                         text=True, check=False, timeout=120)
    outcome = json.loads(run.stdout.splitlines()[-1])
    assert outcome["status"] == 0, run.stdout
    loaded = {name.split(".")[0] for name in outcome["modules"]}
    assert not loaded & set(PROJECT)
    assert loaded - set(sys.stdlib_module_names) - set(sys.builtin_module_names) <= {"verifier", "__main__"}


def test_the_command_says_in_chinese_by_default_that_everything_holds(demo_bulletins, tmp_path):
    run = run_verifier(demo_bulletins[0], tmp_path)
    assert run.returncode == 0
    assert run.stdout.rstrip().endswith("结论：以上各项全部成立。")
