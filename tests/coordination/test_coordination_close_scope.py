"""Closing an escalated matter: organizers and the street office, not the parties (found by the access matrix)."""

import pytest
from django.urls import reverse

from coordination.models import CoordinationMeeting
from tests.coordination.coordination_factories import make_meeting, make_neighbourhood

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_a_party_of_an_escalated_meeting_gets_no_close_page(client):
    n = make_neighbourhood()
    meeting = make_meeting(n, "escalated")
    url = reverse("coordination:coordination_move", args=[meeting.pk, "close"])
    for party in (n.resident, n.firm_contact):
        client.force_login(party)
        assert client.get(url).status_code == 404
        assert client.post(url, {"note": "settled"}).status_code == 404
    meeting.refresh_from_db()
    assert meeting.status == CoordinationMeeting.Status.ESCALATED
    client.force_login(n.officer)
    assert client.get(url).status_code == 200
    client.force_login(n.other_officer)
    assert client.get(url).status_code == 404
