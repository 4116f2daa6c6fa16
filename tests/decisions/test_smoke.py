import pytest

from decisions import selectors, services
from decisions.models import Ballot
from tests.decisions.factories import choices, make_open_ballot, open_box

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("secrecy", [Ballot.Secrecy.SECRET, Ballot.Secrecy.NAMED])
def test_ballot_runs_from_open_to_published(secrecy):
    ballot, organizer, voters = make_open_ballot(secrecy=secrecy, rule=Ballot.Rule.ART278,
                                                 areas=["100", "80", "60", "60"])
    services.vote_cast(ballot=ballot, voter=voters[0], choices=choices(ballot, "yes"))
    services.vote_cast(ballot=ballot, voter=voters[1], choices=choices(ballot, "no"))
    services.vote_cast(ballot=ballot, voter=voters[1], choices=choices(ballot, "yes"))
    services.vote_cast(ballot=ballot, voter=voters[2], choices=choices(ballot, "yes"))
    services.ballot_close(ballot=ballot, by=organizer)
    open_box(ballot)  # a secret ballot's scrutineer (the organizer who opened it) counts the papers
    services.ballot_publish(ballot=ballot, by=organizer)
    ballot.refresh_from_db()
    result = ballot.result
    assert result["turnout"] == {"voices": 3, "area": "240.00"}
    yes = next(o for o in result["questions"][0]["options"] if o["meaning"] == "yes")
    assert yes["count"] == 3
    assert result["verdict"] == "passed"
    assert len(selectors.counted_receipts(ballot)) == 3
