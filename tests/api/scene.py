"""A street with public data of every kind the API serves, and tokens: the scene of the API tests."""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from api import services as api_services
from api.models import ApiToken
from decisions import ledger
from decisions import services as ballot_services
from decisions.models import Anchor
from hearings.models import Hearing
from tests.decisions.factories import choices, close_count_publish, make_open_ballot
from tests.evaluations import factories as evaluation_factories
from tests.factories import make_street, make_street_officer
from tests.hearings.hearing_factories import advance, make_area, make_hearing


@dataclass
class Scene:
    street: object
    officer: object
    hearing: Hearing
    draft: Hearing
    ballot: object
    campaign: object
    voters: list
    token: str
    other_token: str


def make_token(street, officer, name="personnel", days=30) -> tuple[ApiToken, str]:
    return api_services.token_create(street=street, name=name, days=days, by=officer)


def make_published_ballot(committee=None):
    ballot, organizer, voters = make_open_ballot(n=4)
    if committee is not None:
        ballot.committee = committee
    for voter in voters[:3]:
        ballot_services.vote_cast(ballot=ballot, voter=voter, choices=choices(ballot, "yes"))
    close_count_publish(ballot, organizer)
    return ballot, voters


def make_scene() -> Scene:
    """Street A: a hearing on public notice and a draft, a published secret ballot, a published
    evaluation (six evaluators); street B: its own officer. A token of each street."""
    world = evaluation_factories.make_world(committees=1, reps=6)
    street, committee = world.street, world.committees[0]
    campaign = evaluation_factories.make_open_campaign(world)
    for rep in world.reps[committee.pk]:
        evaluation_factories.fill(campaign, rep, level=1)
    campaign = evaluation_factories.publish(campaign, world.organizers[committee.pk])

    area = make_area()
    area["committee"].street = street
    area["committee"].save(update_fields=["street"])
    hearing = advance(make_hearing(area), area["organizer"], Hearing.Status.PUBLIC_NOTICE)
    draft = make_hearing(area, title="Draft matter")

    ballot, voters = make_published_ballot()
    # A time-stamp requested for the publication, not obtained yet (no authority in the tests).
    head = ledger.head(f"b{ballot.pk}")
    Anchor.objects.create(ballot=ballot, event="published", chain=f"b{ballot.pk}", seq=head["seq"],
                          entry_hash=head["hash"], requested_at=timezone.now())
    ballot.committee.street = street
    ballot.committee.save(update_fields=["street"])

    other = make_street()
    _, token = make_token(street, world.officer)
    _, other_token = make_token(other, make_street_officer(other))
    return Scene(street=street, officer=world.officer, hearing=hearing, draft=draft, ballot=ballot,
                 campaign=campaign, voters=voters, token=token, other_token=other_token)


def expire(token: str) -> None:
    """Make the token's expiry pass (its row is found by the token's prefix)."""
    row = ApiToken.objects.get(prefix=token.split(".")[0])
    row.created_at = timezone.now() - timedelta(days=2)
    row.expires_at = timezone.now() - timedelta(days=1)
    row.save(update_fields=["created_at", "expires_at"])
