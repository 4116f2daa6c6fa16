"""Production configuration: `check --deploy`, the required secret key, the database setup.

Every check runs ``manage.py`` in a subprocess, because config/settings.py is read once
per process and the test process itself runs with test settings (PYTEST_VERSION set).
"""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from decisions.triggers import APPEND_ONLY_TABLES
from tests import databases

ROOT = Path(__file__).resolve().parent.parent
MARK = "SANHUI-JSON="


def production_env(**overrides: str) -> dict[str, str]:
    """os.environ without the test/debug switches and without any DJANGO_* tuning.

    Leaves DATABASE_URL alone (the deploy checks do not touch the database); callers
    override what they need.
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if key != "PYTEST_VERSION" and not (key.startswith("DJANGO_") and key != "DJANGO_SETTINGS_MODULE")
    }
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    env["DJANGO_SECRET_KEY"] = secrets.token_urlsafe(48)  # 64 characters
    env["DJANGO_ALLOWED_HOSTS"] = "sanhui.example.org"
    env["SMS_BACKEND"] = "none"  # production refuses the console backend (test below)
    env.update(overrides)
    return env


def manage(*args: str, env: dict[str, str], timeout: int = 180) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def shell_json(code: str, env: dict[str, str]):
    """Run ``code`` in ``manage.py shell -c``; it must print(MARK + json.dumps(...))."""
    result = manage("shell", "-c", code, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = [line for line in result.stdout.splitlines() if line.startswith(MARK)]
    assert lines, result.stdout + result.stderr
    return json.loads(lines[-1][len(MARK) :])


def test_deploy_check_passes_with_production_settings():
    env = production_env()
    assert len(env["DJANGO_SECRET_KEY"]) == 64
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr


def test_missing_secret_key_is_refused_in_production():
    env = production_env()
    del env["DJANGO_SECRET_KEY"]
    result = manage("check", env=env)
    assert result.returncode != 0, result.stdout + result.stderr
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.parametrize("backend", ["console", None])
def test_the_console_sms_backend_is_refused_in_production_naming_the_setting(backend):
    env = production_env()
    if backend:
        env["SMS_BACKEND"] = backend
    else:
        del env["SMS_BACKEND"]  # the default is the console backend
    result = manage("check", env=env)
    assert result.returncode != 0, result.stdout + result.stderr
    assert "ImproperlyConfigured" in result.stderr and "SMS_BACKEND=console" in result.stderr


def test_a_real_sms_gateway_without_its_credentials_is_refused_naming_them():
    result = manage("check", env=production_env(SMS_BACKEND="tencent"))
    assert result.returncode != 0
    assert "SMS_TENCENT_SECRET_ID" in result.stderr and "SMS_SIGN_NAME" in result.stderr


@databases.OWN_SQLITE_FILES
def test_sqlite_file_runs_wal_full_sync_busy_timeout_immediate(migrated_sqlite_copy):
    db_file = migrated_sqlite_copy("sanhui.sqlite3")
    env = production_env(DATABASE_URL=f"sqlite:///{db_file}")  # absolute path: sqlite:////tmp/...
    env.pop("SQLITE_TEST_NAME", None)

    # The production settings open the migrated file and find nothing left to migrate.
    migrated = manage("migrate", "--noinput", env=env, timeout=300)
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    assert "No migrations to apply" in migrated.stdout

    found = shell_json(
        "import json\n"
        "from django.conf import settings\n"
        "from django.db import connection\n"
        "cursor = connection.cursor()\n"
        "pragma = lambda name: cursor.execute('PRAGMA ' + name).fetchone()[0]\n"
        "db = settings.DATABASES['default']\n"
        f"print({MARK!r} + json.dumps({{\n"
        "    'engine': db['ENGINE'], 'name': str(db['NAME']),\n"
        "    'transaction_mode': db['OPTIONS'].get('transaction_mode'),\n"
        "    'atomic_requests': db['ATOMIC_REQUESTS'],\n"
        "    'runtime_transaction_mode': connection.transaction_mode,\n"
        "    'journal_mode': pragma('journal_mode'), 'synchronous': pragma('synchronous'),\n"
        "    'busy_timeout': pragma('busy_timeout'), 'foreign_keys': pragma('foreign_keys'),\n"
        "    'triggers': [r[0] for r in cursor.execute(\"SELECT name FROM sqlite_master WHERE type = 'trigger'\")],\n"
        "}))\n",
        env,
    )
    assert found["engine"] == "django.db.backends.sqlite3"
    assert found["name"] == str(db_file)
    assert found["transaction_mode"] == "IMMEDIATE"
    assert found["runtime_transaction_mode"] == "IMMEDIATE"
    assert found["atomic_requests"] is False
    assert found["journal_mode"].lower() == "wal"
    assert found["synchronous"] == 2  # FULL
    assert found["busy_timeout"] >= 20000
    assert found["foreign_keys"] == 1
    # Migrations that rebuild a table (an altered field, on SQLite) put its append-only triggers back.
    assert {f"{table}_no_{action}" for table in APPEND_ONLY_TABLES for action in ("update", "delete")} <= set(
        found["triggers"])


def test_settings_of_this_test_run():
    db = settings.DATABASES["default"]
    assert db["ATOMIC_REQUESTS"] is False
    if db["ENGINE"] == "django.db.backends.sqlite3":
        assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    else:
        assert "transaction_mode" not in db.get("OPTIONS", {})


def test_postgres_database_url_selects_postgresql():
    env = production_env(DATABASE_URL="postgres://u:p@h:5432/d")
    found = shell_json(
        "import json\n"
        "from django.conf import settings\n"
        "db = settings.DATABASES['default']\n"
        f"print({MARK!r} + json.dumps({{\n"
        "    'engine': db['ENGINE'], 'name': db['NAME'], 'user': db['USER'],\n"
        "    'password': db['PASSWORD'], 'host': db['HOST'], 'port': db['PORT'],\n"
        "    'options': db.get('OPTIONS', {}), 'atomic_requests': db['ATOMIC_REQUESTS'],\n"
        "}))\n",
        env,
    )
    assert found["engine"] == "django.db.backends.postgresql"
    assert (found["name"], found["user"], found["password"], found["host"]) == ("d", "u", "p", "h")
    assert int(found["port"]) == 5432
    assert "transaction_mode" not in found["options"]  # SQLite-only option
    assert found["atomic_requests"] is False


def test_cache_is_the_database_by_default_and_redis_when_redis_url_is_set():
    code = (
        "import json\n"
        "from django.conf import settings\n"
        f"print({MARK!r} + json.dumps(settings.CACHES['default']))\n"
    )
    default = shell_json(code, production_env())
    assert default["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    redis = shell_json(code, production_env(REDIS_URL="redis://127.0.0.1:6379/1"))
    assert redis["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert redis["LOCATION"] == "redis://127.0.0.1:6379/1"


def test_production_settings_keep_the_trust_defences():
    """What tests/security relies on, read from a process with production settings."""
    found = shell_json(
        "import json\n"
        "from django.conf import settings\n"
        "from decisions.throttle import parse_rate\n"
        f"print({MARK!r} + json.dumps({{\n"
        "    'middleware': settings.MIDDLEWARE, 'csp': settings.CONTENT_SECURITY_POLICY,\n"
        "    'throttle': parse_rate(settings.VOTE_THROTTLE), 'max_request': settings.MAX_REQUEST_BYTES,\n"
        "    'attachment': settings.ATTACHMENT_MAX_BYTES, 'fields': settings.DATA_UPLOAD_MAX_NUMBER_FIELDS,\n"
        "    'login_failed': settings.ACCOUNT_RATE_LIMITS['login_failed'],\n"
        "    'secure_cookies': [settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE],\n"
        "    'debug': settings.DEBUG,\n"
        "}))\n",
        production_env(DATABASE_URL="postgres://u:p@h:5432/d"),
    )
    assert found["debug"] is False
    assert found["middleware"][0] == "config.middleware.BusyDatabaseMiddleware"
    assert "config.middleware.RequestSizeLimitMiddleware" in found["middleware"]
    directives = found["csp"]["DIRECTIVES"]
    flat = " ".join(" ".join(v) for v in directives.values())
    assert "unsafe-inline" not in flat and "unsafe-eval" not in flat
    assert directives["script-src"] == ["'self'"] and directives["object-src"] == ["'none'"]
    limit, period = found["throttle"]
    assert 0 < limit <= 60 and period >= 10
    assert found["max_request"] >= found["attachment"]
    assert found["fields"] <= 1000
    assert "/ip" in found["login_failed"] and "/key" in found["login_failed"]
    assert found["secure_cookies"] == [True, True]


def test_deploy_check_passes_on_postgresql_settings():
    env = production_env(DATABASE_URL="postgres://u:p@h:5432/d")
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_wsgi_application_loads_its_views_then_freezes_what_it_loaded():
    """config.wsgi: the objects of a loaded worker are out of the garbage collector's sight."""
    code = (
        "import gc, json, sys\n"
        "before = gc.get_freeze_count()\n"
        "import config.wsgi\n"
        f"print({MARK!r} + json.dumps({{'before': before, 'frozen': gc.get_freeze_count(),\n"
        "    'views_loaded': 'decisions.views.voting' in sys.modules}))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=production_env(), capture_output=True,
                            text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stdout + result.stderr
    found = json.loads(next(line for line in result.stdout.splitlines() if line.startswith(MARK))[len(MARK):])
    assert found["before"] == 0
    assert found["views_loaded"] is True  # imported before the freeze, not in the first request
    assert found["frozen"] > 50_000
