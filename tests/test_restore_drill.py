"""The backup and restore drill (scripts/restore-drill.sh) on PostgreSQL: dump, restore, verify_audit.

Runs only on PostgreSQL (``make test-pg``); SQLite backups are in docs/OPERATIONS.md.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from decisions import services, triggers
from decisions.models import Participation
from tests.decisions.factories import choices, close_count_publish, make_open_ballot

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="PostgreSQL only"),
]


def _url(name: str) -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def _drill(tmp_path, **extra) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_VERSION"}
    env.update({"DATABASE_URL": _url(connection.settings_dict["NAME"]), "DJANGO_SECRET_KEY": settings.SECRET_KEY,
                "BACKUP_DIR": str(tmp_path), "PYTHON": str(ROOT / ".venv" / "bin" / "python"),
                "SMS_BACKEND": "none", **extra})
    return subprocess.run(["bash", "scripts/restore-drill.sh"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300, stdin=subprocess.DEVNULL)


@pytest.fixture(autouse=True)
def _tools():
    if not (shutil.which("pg_dump") and shutil.which("pg_restore") and shutil.which("psql")):
        pytest.skip("pg_dump, pg_restore and psql are needed")


def _published_ballot():
    ballot, organizer, voters = make_open_ballot(n=3)
    for voter in voters:
        services.vote_cast(ballot=ballot, voter=voter, choices=choices(ballot, "yes"))
    close_count_publish(ballot, organizer)
    return ballot


def test_a_backup_restores_into_a_fresh_database_and_verifies(tmp_path):
    _published_ballot()
    drill = _drill(tmp_path, DRILL_DB=f"{connection.settings_dict['NAME']}_drill")
    assert drill.returncode == 0, drill.stdout + drill.stderr
    assert "ok: the backup restores and verifies" in drill.stdout
    assert list(tmp_path.glob("*.dump"))


def test_the_drill_fails_when_the_restored_audit_fails(tmp_path):
    """A sealed paper damaged in the database stands in for a damaged backup: the restored copy does
    not verify. (A wrong secret key no longer would: sealed papers carry no tag under it.)"""
    ballot = _published_ballot()
    cast = Participation.objects.filter(ballot=ballot).order_by("pk").first()
    damaged = bytearray(bytes(cast.paper))
    damaged[len(damaged) // 2] ^= 0x01
    triggers.remove(connection)
    try:
        with connection.cursor() as cursor:
            cursor.execute("UPDATE deliberation_participation SET paper = %s WHERE id = %s", [bytes(damaged), cast.pk])
    finally:
        triggers.install(connection)
    drill = _drill(tmp_path, DRILL_DB=f"{connection.settings_dict['NAME']}_drill2")
    assert drill.returncode != 0
    assert "ok: the backup" not in drill.stdout
    assert "problem" in drill.stderr  # verify_audit named what broke
    assert "paper differ(s) from the register entry" in drill.stderr
