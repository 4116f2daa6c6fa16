"""A read replica (DATABASE_REPLICA_URL): chosen pages read from it, writes never go to it.

Run in subprocesses with production settings, as a deployment would: a primary SQLite file (a copy
of the migrated test database), filled, is copied (SQLite's online backup) to a second file that
plays the replica.
After the copy the primary changes, so a page that shows the old value read the replica.
"""

import sqlite3

import pytest

from config.routers import PRIMARY, REPLICA, ReplicaRouter, reading_from_replica
from tests import databases
from tests.test_deploy import MARK, production_env, shell_json

pytestmark = databases.OWN_SQLITE_FILES

SETUP = f"""
import json
from tests.decisions.factories import make_open_ballot
from tests.factories import make_street_officer
ballot, organizer, voters = make_open_ballot(n=3)
street = ballot.committee.street
street.name = "旧街道名"
street.save()
officer = make_street_officer(street)
question = ballot.questions.get()
print({MARK!r} + json.dumps({{"ballot": ballot.pk, "street": street.pk, "officer": officer.pk,
      "voter": voters[0].pk, "question": question.pk,
      "yes": question.options.get(meaning="yes").pk}}))
"""

SCENARIO = f"""
import json
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from decisions.models import Participation
from members.models import Street, User
ids = {{ids!r}}
street = Street.objects.get(pk=ids["street"])
street.name = "新街道名"  # on the primary only: the replica is a copy from before
street.save()
# No collectstatic here: serve static names as they are (production uses the manifest).
override_settings(STORAGES={{"default": {{"BACKEND": "django.core.files.storage.FileSystemStorage"}},
    "staticfiles": {{"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}}}).enable()

def run(user_pk, method, url, data=None):
    client = Client()
    client.force_login(User.objects.get(pk=user_pk))
    with CaptureQueriesContext(connections["default"]) as primary, \\
            CaptureQueriesContext(connections["replica"]) as replica:
        response = getattr(client, method)(url, data or {{}})
    return response, [q["sql"] for q in primary], [q["sql"] for q in replica]

page, _p, street_replica = run(ids["officer"], "get", "/streets/%d/" % ids["street"])
detail, _p, detail_replica = run(ids["voter"], "get", "/ballots/%d/" % ids["ballot"])
vote, vote_primary, vote_replica = run(ids["voter"], "post", "/ballots/%d/vote/" % ids["ballot"],
    {{"q%d" % ids["question"]: str(ids["yes"]), "action": "confirm", "after": "0"}})
print({MARK!r} + json.dumps({{
    "street_status": page.status_code, "street_html": page.content.decode(),
    "street_replica": street_replica, "detail_status": detail.status_code, "detail_replica": detail_replica,
    "vote_status": vote.status_code, "vote_primary": vote_primary, "vote_replica": vote_replica,
    "primary_votes": Participation.objects.using("default").count(),
    "replica_votes": Participation.objects.using("replica").count(),
    "routers": __import__("django.conf").conf.settings.DATABASE_ROUTERS,
}}))
"""


@pytest.fixture
def primary_and_replica(tmp_path, migrated_sqlite_copy):
    primary, replica = migrated_sqlite_copy("primary.sqlite3"), tmp_path / "replica.sqlite3"
    env = production_env(DATABASE_URL=f"sqlite:///{primary}", DJANGO_ALLOWED_HOSTS="testserver",
                         DJANGO_SECURE_SSL_REDIRECT="0")
    env.pop("SQLITE_TEST_NAME", None)
    env.pop("DATABASE_REPLICA_URL", None)
    ids = shell_json(SETUP, env)
    with sqlite3.connect(primary) as source, sqlite3.connect(replica) as target:
        source.backup(target)
    return env | {"DATABASE_REPLICA_URL": f"sqlite:///{replica}"}, ids


def test_dashboard_reads_go_to_the_replica_and_writes_never_do(primary_and_replica):
    env, ids = primary_and_replica
    found = shell_json(SCENARIO.replace("{ids!r}", repr(ids)), env)
    assert found["routers"] == ["config.routers.ReplicaRouter"]
    # The street page (a dashboard) read the replica: it still shows the name from before the copy.
    assert found["street_status"] == 200
    assert "旧街道名" in found["street_html"] and "新街道名" not in found["street_html"]
    assert found["street_replica"] and all(sql.lstrip().upper().startswith("SELECT") for sql in found["street_replica"])
    # A page not on the list, and every write, stay on the primary.
    assert found["detail_status"] == 200 and found["detail_replica"] == []
    assert found["vote_status"] == 302 and found["vote_replica"] == []
    assert any(sql.lstrip().upper().startswith("INSERT") for sql in found["vote_primary"])
    assert (found["primary_votes"], found["replica_votes"]) == (1, 0)


def test_without_a_replica_url_there_is_no_router(tmp_path):
    env = production_env(DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}")
    env.pop("DATABASE_REPLICA_URL", None)
    found = shell_json(
        "import json\nfrom django.conf import settings\n"
        f"print({MARK!r} + json.dumps([sorted(settings.DATABASES), settings.DATABASE_ROUTERS,"
        " 'config.routers.ReplicaPagesMiddleware' in settings.MIDDLEWARE]))", env)
    assert found == [["default"], [], False]


def test_the_router_sends_only_chosen_reads_to_the_replica():
    from django.contrib.sessions.models import Session

    from decisions.models import Ballot, Participation
    from members.models import Session as MemberSession

    router = ReplicaRouter()
    assert router.db_for_read(Ballot) == PRIMARY
    with reading_from_replica():
        assert router.db_for_read(Ballot) == REPLICA
        assert router.db_for_read(Session) == PRIMARY  # a session written a moment ago
        assert router.db_for_read(MemberSession) == PRIMARY  # members.sessions keeps them here
        assert router.db_for_write(Participation) == PRIMARY
    assert router.db_for_read(Ballot) == PRIMARY
    assert router.allow_migrate(PRIMARY, "deliberation") and not router.allow_migrate(REPLICA, "deliberation")
