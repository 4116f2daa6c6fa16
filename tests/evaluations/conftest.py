import pytest
from django.test import Client


@pytest.fixture
def client():
    """Pages in English, so assertions on wording do not depend on the translations."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")
