"""What keeps a vote going while the cluster's pieces fail (make test-cluster drives them live)."""

import pytest

from decisions import throttle


class _Unreachable:
    """A cache whose server is down (Redis restarting): every call raises its client's error."""

    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionError("Error 111 connecting to 127.0.0.1:6391. Connection refused.")
        return fail


def test_vote_throttle_fails_open_when_the_cache_is_unreachable(monkeypatch, caplog):
    monkeypatch.setattr(throttle, "caches", {"throttle": _Unreachable()})
    assert throttle._cache_hit("1", 0, 60) == 0
    assert "unreachable" in caplog.text


@pytest.mark.django_db
def test_vote_throttle_still_counts_when_the_cache_answers():
    assert [throttle._cache_hit("test", 0, 60) for _ in range(3)] == [1, 2, 3]


def test_the_proxy_s_try_again_page_is_the_app_s_own_in_the_site_s_language(tmp_path):
    """nginx shows this file when no app host answers (deploy/nginx/sanhui.conf, error_page)."""
    from django.core.management import call_command

    out = tmp_path / "try-again.html"
    call_command("render_try_again", str(out))
    html = out.read_text(encoding="utf-8")
    assert "请稍后再试" in html  # "Please try again in a minute", in LANGUAGE_CODE (zh-hans)
    assert 'lang="zh-hans"' in html


def test_the_example_proxy_shows_the_try_again_page_instead_of_a_bad_gateway():
    from pathlib import Path

    conf = (Path(__file__).resolve().parent.parent / "deploy" / "nginx" / "sanhui.conf").read_text()
    assert "error_page 502 504 =503 /try-again.html;" in conf
    assert "proxy_next_upstream error timeout;" in conf  # a POST that reached a host is never resent


@pytest.mark.django_db
def test_cached_db_sessions_are_read_from_the_database_while_the_cache_is_unreachable(monkeypatch):
    """Redis restarting: the session is still read (from the database), not a 500."""
    from django.contrib.auth import SESSION_KEY

    from config import sessions_cached

    store = sessions_cached.SessionStore()
    store[SESSION_KEY] = "42"
    store.save(must_create=True)
    reread = sessions_cached.SessionStore(store.session_key)
    monkeypatch.setattr(sessions_cached.SessionStore, "cache", property(lambda _store: _Unreachable()))
    assert reread[SESSION_KEY] == "42"
