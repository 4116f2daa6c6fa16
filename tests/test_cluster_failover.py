"""What keeps a vote going while the cluster's pieces fail (make test-cluster drives them live)."""

import pytest

from deliberation import throttle


class _Unreachable:
    """A cache whose server is down (Redis restarting): every call raises its client's error."""

    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionError("Error 111 connecting to 127.0.0.1:6391. Connection refused.")
        return fail


def test_vote_throttle_fails_open_when_the_cache_is_unreachable(monkeypatch, caplog):
    monkeypatch.setattr(throttle, "caches", {"throttle": _Unreachable()})
    assert throttle._hit("sanhui:vote-throttle:1:1", 60) == 0
    assert "unreachable" in caplog.text


@pytest.mark.django_db
def test_vote_throttle_still_counts_when_the_cache_answers():
    assert [throttle._hit("sanhui:vote-throttle:test:1", 60) for _ in range(3)] == [1, 2, 3]
