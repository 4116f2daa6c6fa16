"""Whether a vote may follow the voice's latest one: the ballot page and the casting service give the
same answer, because both ask ``services.casting.change_refusal``."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from decisions import services
from decisions.models import Ballot, Channel, Participation
from tests.decisions.factories import choices, make_open_ballot, make_paper_batch
from tests.factories import make_organizer

pytestmark = pytest.mark.django_db


def page_offers_a_vote(client, ballot, voter) -> bool:
    client.force_login(voter)
    page = client.get(reverse("decisions:ballot_detail", args=[ballot.pk]))
    assert page.status_code == 200
    return page.context["form"] is not None


def service_accepts_a_vote(ballot, voter) -> bool:
    before = Participation.objects.filter(ballot=ballot).count()
    try:
        services.vote_cast(ballot=ballot, voter=voter, choices=choices(ballot, "no"))
    except ValidationError:
        assert Participation.objects.filter(ballot=ballot).count() == before
        return False
    return True


@pytest.mark.parametrize("allow_change", [True, False])
def test_the_resident_may_replace_an_assisted_vote_on_the_page_and_in_the_service(client, allow_change):
    ballot, organizer, voters = make_open_ballot(allow_change=allow_change)
    services.vote_cast(ballot=ballot, voter=voters[0], choices=choices(ballot, "yes"),
                       channel=Channel.ASSISTED, entered_by=organizer, consent_note="电话确认")

    shown = page_offers_a_vote(client, ballot, voters[0])
    accepted = service_accepts_a_vote(ballot, voters[0])

    assert shown is accepted is True


@pytest.mark.parametrize("allow_change", [True, False])
def test_after_their_own_vote_the_page_and_the_service_agree(client, allow_change):
    ballot, _organizer, voters = make_open_ballot(allow_change=allow_change)
    services.vote_cast(ballot=ballot, voter=voters[0], choices=choices(ballot, "yes"))

    shown = page_offers_a_vote(client, ballot, voters[0])
    accepted = service_accepts_a_vote(ballot, voters[0])

    assert shown is accepted is allow_change


def test_on_a_paper_vote_the_page_and_the_service_both_refuse(client):
    # A named ballot: the sheet carries the voter's name, so the voice is known to have voted on paper.
    ballot, organizer, voters = make_open_ballot(secrecy=Ballot.Secrecy.NAMED)
    batch = make_paper_batch(ballot, organizer, [voters[0]], [{"voter": voters[0], "choices": choices(ballot, "yes")}])
    services.paper_batch_confirm(batch=batch, by=make_organizer(ballot.committee))  # a second organizer checks

    assert page_offers_a_vote(client, ballot, voters[0]) is False
    assert service_accepts_a_vote(ballot, voters[0]) is False
