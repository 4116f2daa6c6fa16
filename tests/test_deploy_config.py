"""The multi-host configuration of docs/DEPLOY.md: Redis for cache and sessions, the proxy's client
address, and the example nginx front (deploy/nginx/sanhui.conf)."""

from pathlib import Path

from tests.test_deploy import MARK, production_env, shell_json

ROOT = Path(__file__).resolve().parent.parent
PROBE = (
    "import json\nfrom django.conf import settings\n"
    f"print({MARK!r} + json.dumps([settings.CACHES['default']['BACKEND'], settings.SESSION_ENGINE,"
    " settings.ALLAUTH_TRUSTED_PROXY_COUNT]))"
)


def test_redis_holds_the_cache_and_sessions_are_written_through_to_the_database():
    found = shell_json(PROBE, production_env(REDIS_URL="redis://10.0.0.30:6379/1", DJANGO_TRUSTED_PROXY_COUNT="1"))
    assert found == ["django.core.cache.backends.redis.RedisCache", "config.sessions_cached", 1]


def test_without_redis_the_database_holds_both():
    env = production_env()
    env.pop("REDIS_URL", None)
    found = shell_json(PROBE, env)
    assert found == ["django.core.cache.backends.db.DatabaseCache", "members.sessions", 0]


def test_the_example_proxy_overwrites_the_forwarded_headers_and_never_serves_uploads():
    conf = (ROOT / "deploy" / "nginx" / "sanhui.conf").read_text()
    assert "proxy_set_header X-Forwarded-Proto https;" in conf
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in conf
    assert "location /media/ { return 404; }" in conf
    env = (ROOT / "deploy" / "env.example").read_text()
    assert "DJANGO_TRUSTED_PROXY_COUNT=1" in env  # one proxy hop: the address nginx appends
