"""The benchmark's floor view exists only when SANHUI_BENCH=1; production URLs never carry it."""

import pytest
from django.test import RequestFactory
from django.urls import Resolver404, resolve

from bench.floor import ensure_table, floor_vote
from tests.test_deploy import production_env, shell_json

PROBE = (
    "import json; from django.urls import resolve, Resolver404\n"
    "try:\n    name = resolve('/bench/floor/').url_name\n"
    "except Resolver404:\n    name = None\n"
    "print('SANHUI-JSON=' + json.dumps(name))"
)


def _env(**extra: str) -> dict[str, str]:
    env = production_env(**extra)
    if "SANHUI_BENCH" not in extra:
        env.pop("SANHUI_BENCH", None)
    return env


def test_production_settings_do_not_mount_the_floor_view():
    assert shell_json(PROBE, _env()) is None
    assert shell_json(PROBE, _env(SANHUI_BENCH="0")) is None


def test_the_bench_switch_mounts_the_floor_view():
    assert shell_json(PROBE, _env(SANHUI_BENCH="1")) == "bench_floor"


def test_the_test_settings_do_not_mount_it(settings):
    assert settings.BENCH is False
    with pytest.raises(Resolver404):
        resolve("/bench/floor/")


@pytest.mark.django_db
def test_the_floor_records_a_voter_once():
    ensure_table()
    factory = RequestFactory()
    first = floor_vote(factory.post("/bench/floor/", {"voter": "u1", "ballot": "7"}))
    again = floor_vote(factory.post("/bench/floor/", {"voter": "u1", "ballot": "7"}))
    other = floor_vote(factory.post("/bench/floor/", {"voter": "u2", "ballot": "7"}))
    assert (first.status_code, again.status_code, other.status_code) == (201, 409, 201)
