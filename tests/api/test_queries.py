"""The API's lists read a fixed number of queries however many rows they hold."""

import pytest

from hearings import services as hearing_services
from tests.api.scene import make_published_ballot, make_token
from tests.evaluations import factories as evaluation_factories
from tests.factories import make_street_officer
from tests.hearings.hearing_factories import make_area, make_hearing

pytestmark = pytest.mark.django_db


def _get(client, url, token):
    return client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}")


def test_the_hearing_list_reads_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    area = make_area(1)
    for i in range(15):
        hearing_services.hearing_announce(hearing=make_hearing(area, title=f"Matter {i}"), by=area["organizer"])
    street = area["committee"].street
    _, token = make_token(street, make_street_officer(street))
    with django_assert_max_num_queries(8):
        answer = _get(client, "/api/v1/hearings/?limit=100", token)
    assert answer.json()["count"] == 15


def test_the_ballot_list_reads_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    first, _ = make_published_ballot()
    street = first.committee.street
    for _ in range(11):
        ballot, _ = make_published_ballot()
        ballot.committee.street = street
        ballot.committee.save(update_fields=["street"])
    _, token = make_token(street, make_street_officer(street))
    with django_assert_max_num_queries(8):
        answer = _get(client, "/api/v1/ballots/?limit=100", token)
    assert answer.json()["count"] == 12


def test_the_evaluation_list_and_results_read_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    world = evaluation_factories.make_world(committees=3, reps=5, stationed=4)
    campaigns = []
    for committee in world.committees:
        campaign = evaluation_factories.make_open_campaign(world, committee)
        for rep in world.reps[committee.pk]:
            evaluation_factories.fill(campaign, rep, level=1)
        campaigns.append(evaluation_factories.publish(campaign, world.organizers[committee.pk]))
    _, token = make_token(world.street, world.officer)
    with django_assert_max_num_queries(8):
        assert _get(client, "/api/v1/evaluations?limit=100", token).json()["count"] == 3
    with django_assert_max_num_queries(16):
        results = _get(client, f"/api/v1/evaluations/{campaigns[0].pk}", token).json()
    assert len(results["evaluatees"]) >= 5
    with django_assert_max_num_queries(12):
        street = _get(client, f"/api/v1/streets/{world.street.pk}/evaluations", token).json()
    assert len(street["committees"]) == 3
