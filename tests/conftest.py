import os

import pytest

# Playwright runs an event loop in the test thread; Django's sync ORM refuses that unless told.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _sms_outbox():
    """Start every test with an empty SMS outbox (members.phone.outbox)."""
    from members import phone

    phone.outbox.clear()
    yield phone.outbox
    phone.outbox.clear()


@pytest.fixture
def sms_outbox(_sms_outbox):
    return _sms_outbox
