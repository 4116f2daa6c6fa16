import csv
import io

import pytest

from deliberation import exports, selectors, services
from deliberation.models import Ballot
from tests.deliberation.factories import choices, close_count_publish, make_open_ballot

pytestmark = pytest.mark.django_db


def test_result_export_carries_counts_verdict_heads_and_receipts():
    ballot, organizer, voters = make_open_ballot(rule=Ballot.Rule.ART278, areas=["90", "80", "70", "60"])
    for voter in voters[:3]:
        services.vote_cast(ballot=ballot, voter=voter, choices=choices(ballot, "yes"))
    close_count_publish(ballot, organizer)
    rows = list(csv.reader(io.StringIO(exports.result_csv(ballot).lstrip("\ufeff"))))
    flat = [cell for row in rows for cell in row]
    assert ["加装电梯", "同意", "3", "240.00"] in rows
    assert ballot.snapshot_hash in flat
    for head in list(ballot.heads_at_open.values()) + list(ballot.heads_at_close.values()):
        assert head["hash"] in flat
    for code in selectors.counted_receipts(ballot):
        assert [code] in rows
    assert any(cell == "passed" for cell in flat)


def test_result_export_refuses_an_unpublished_ballot():
    ballot, _organizer, _voters = make_open_ballot()
    with pytest.raises(ValueError):
        exports.result_csv(ballot)


def test_result_export_is_downloadable_once_published_and_only_by_viewers(client):
    from django.urls import reverse

    from tests.factories import make_committee, make_organizer

    ballot, organizer, voters = make_open_ballot()
    url = reverse("deliberation:ballot_export", args=[ballot.pk])
    client.force_login(voters[0])
    assert client.get(url).status_code == 404  # not published yet
    services.vote_cast(ballot=ballot, voter=voters[0], choices=choices(ballot, "yes"))
    close_count_publish(ballot, organizer)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert ballot.title in response.content.decode()
    client.force_login(make_organizer(make_committee()))
    assert client.get(url).status_code == 404
