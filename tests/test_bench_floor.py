"""The benchmark's floor views exist only when SANHUI_BENCH=1; production URLs never carry them."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, resolve

from bench.floor import ensure_table, floor_page, floor_vote
from tests.factories import make_user
from tests.test_deploy import production_env, shell_json

PROBE = (
    "import json; from django.urls import resolve, Resolver404\n"
    "names = []\n"
    "for url in ('/bench/floor/', '/bench/page/'):\n"
    "    try:\n        names.append(resolve(url).url_name)\n"
    "    except Resolver404:\n        pass\n"
    "print('SANHUI-JSON=' + json.dumps(names))"
)


def _env(**extra: str) -> dict[str, str]:
    env = production_env(**extra)
    if "SANHUI_BENCH" not in extra:
        env.pop("SANHUI_BENCH", None)
    return env


def test_production_settings_do_not_mount_the_floor_view():
    assert shell_json(PROBE, _env()) == []
    assert shell_json(PROBE, _env(SANHUI_BENCH="0")) == []


def test_the_bench_switch_mounts_the_floor_views():
    assert shell_json(PROBE, _env(SANHUI_BENCH="1")) == ["bench_floor", "bench_page"]


def test_the_test_settings_do_not_mount_it(settings):
    assert settings.BENCH is False
    for url in ("/bench/floor/", "/bench/page/"):
        with pytest.raises(Resolver404):
            resolve(url)


@pytest.mark.django_db
def test_the_floor_records_a_voter_once():
    ensure_table()
    factory = RequestFactory()
    first = floor_vote(factory.post("/bench/floor/", {"voter": "u1", "ballot": "7"}))
    again = floor_vote(factory.post("/bench/floor/", {"voter": "u1", "ballot": "7"}))
    other = floor_vote(factory.post("/bench/floor/", {"voter": "u2", "ballot": "7"}))
    assert (first.status_code, again.status_code, other.status_code) == (201, 409, 201)


@pytest.mark.django_db
def test_the_read_floor_is_the_base_page_signed_in_and_nothing_else(client):
    factory = RequestFactory()
    anonymous = factory.get("/bench/page/")
    anonymous.user = AnonymousUser()
    assert floor_page(anonymous).status_code == 302  # to the sign-in page

    user = make_user(name="王阿姨")
    client.force_login(user)
    request = factory.get("/bench/page/")
    request.user, request.session = user, client.session
    with CaptureQueriesContext(connection) as queries:
        page = floor_page(request)
    assert page.status_code == 200
    text = page.content.decode()
    # The header and its menu, as on every page, with an empty main part.
    assert 'class="site-header' in text and "<main" in text
    # What the header reads: the person's roles and their unread notifications; nothing else.
    tables = {table for q in queries for table in re.findall(r'FROM "?(\w+)"?', q["sql"])}
    assert tables <= {"members_role", "members_notification"}, [q["sql"] for q in queries]
