"""config.dburl: DATABASE_URL with libpq's host list (failover to a promoted standby, docs/DEPLOY.md)."""

import pytest
from django.db.backends.postgresql.base import DatabaseWrapper

from config import dburl

MULTI = "postgres://sanhui:s3cret@10.0.0.20:5441,10.0.0.21:5442/sanhui?target_session_attrs=read-write&connect_timeout=3"


def test_multi_host_url_keeps_the_host_and_port_lists():
    config = dburl.parse(MULTI, conn_max_age=60, conn_health_checks=True)
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"]) == ("10.0.0.20,10.0.0.21", "5441,5442")
    assert (config["NAME"], config["USER"], config["PASSWORD"]) == ("sanhui", "sanhui", "s3cret")
    assert config["OPTIONS"]["target_session_attrs"] == "read-write"
    assert config["CONN_MAX_AGE"] == 60 and config["CONN_HEALTH_CHECKS"] is True


def test_django_hands_the_lists_to_libpq():
    """What psycopg receives: libpq's own multi-host parameters, tried in order for a read-write one."""
    params = DatabaseWrapper({**dburl.parse(MULTI), "TIME_ZONE": None, "AUTOCOMMIT": True}).get_connection_params()
    assert params["host"] == "10.0.0.20,10.0.0.21" and params["port"] == "5441,5442"
    assert params["target_session_attrs"] == "read-write" and params["connect_timeout"] == 3


@pytest.mark.parametrize(("url", "hosts", "ports"), [
    ("postgres://u:p@a,b/db", "a,b", "5432,5432"),            # default port for each host
    ("postgres://u:p@a:5441,b/db", "a,b", "5441,5432"),
    ("postgresql://u@[::1]:5441,[::2]:5442/db", "::1,::2", "5441,5442"),
])
def test_host_list_forms(url, hosts, ports):
    config = dburl.parse(url)
    assert (config["HOST"], config["PORT"]) == (hosts, ports)


def test_single_host_and_sqlite_urls_are_dj_database_url_s():
    assert dburl.parse("postgres://u:p@db:5432/sanhui")["HOST"] == "db"
    assert dburl.parse("postgres://u:p@db:5432/sanhui")["PORT"] == 5432
    assert dburl.parse("sqlite:////tmp/x.sqlite3")["NAME"] == "/tmp/x.sqlite3"


def test_empty_host_in_the_list_is_refused():
    with pytest.raises(ValueError, match="empty host"):
        dburl.parse("postgres://u:p@a,/db")


def test_a_postgresql_connection_prepares_the_statements_it_repeats():
    """Server-side binding alone prepares nothing (Django leaves psycopg's threshold off): the settings
    set the threshold too, so a statement a connection repeats is planned once, not at every vote."""
    from config.settings import _bind_on_the_server

    database = {**dburl.parse("postgres://u:p@db:5432/sanhui"), "TIME_ZONE": None, "AUTOCOMMIT": True}
    _bind_on_the_server(database)
    params = DatabaseWrapper(database).get_connection_params()
    assert params["prepare_threshold"] == 5
    assert database["OPTIONS"]["server_side_binding"] is True


@pytest.mark.django_db
def test_the_test_database_connection_prepares_a_repeated_statement():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    with connection.cursor() as cursor:
        for _ in range(6):
            cursor.execute("SELECT %s::integer + 1", [41])
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ["%::integer + 1%"])
        assert cursor.fetchone()[0] == 1
