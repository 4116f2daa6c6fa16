"""A ballot's turnout as the pages show it: stored counts kept by the database, equal to a count of the
register, read with the same queries whatever the electorate's size."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from decisions import selectors, services, turnout
from decisions.audit import audit
from decisions.models import Ballot, Channel, Participation, TurnoutCount, Voice
from tests.decisions.factories import choices, make_open_ballot, make_paper_batch
from tests.decisions.helpers import login, url
from tests.factories import make_organizer

pytestmark = pytest.mark.django_db


def shown(ballot) -> tuple[int, Decimal]:
    took = selectors.turnout(ballot)
    return took.voices, took.area


def recounted(ballot) -> tuple[int, Decimal | None]:
    took = selectors.counted_turnout(ballot)
    return took.voices, None if took.area is None else Decimal(str(took.area)).quantize(Decimal("0.01"))


@pytest.mark.parametrize("secrecy", [Ballot.Secrecy.SECRET, Ballot.Secrecy.NAMED])
def test_first_votes_count_once_and_changes_do_not_count_again(secrecy):
    ballot, organizer, voters = make_open_ballot(secrecy=secrecy, n=5, areas=["80.00", "95.50", "60.25", "70.00",
                                                                             "88.80"])
    assert shown(ballot) == (0, None)

    services.vote_cast(ballot=ballot, voter=voters[0], choices=choices(ballot, "yes"))
    services.vote_cast(ballot=ballot, voter=voters[1], choices=choices(ballot, "no"))
    services.vote_cast(ballot=ballot, voter=voters[0], choices=choices(ballot, "no"))  # a change: version 2
    services.vote_cast(ballot=ballot, voter=voters[2], choices=choices(ballot, "yes"), channel=Channel.ASSISTED,
                       entered_by=organizer, consent_note="本人口头同意，因视力不便")

    assert Participation.objects.filter(ballot=ballot).count() == 4
    assert shown(ballot) == recounted(ballot) == (3, Decimal("235.75"))


def test_paper_sheets_count_when_their_batch_is_confirmed():
    ballot, organizer, voters = make_open_ballot(n=4)
    services.vote_cast(ballot=ballot, voter=voters[0], choices=choices(ballot, "yes"))
    batch = make_paper_batch(ballot, organizer, voters[1:3], [{"choices": choices(ballot, "no")}] * 2)
    assert shown(ballot)[0] == 1  # entered, not yet confirmed: not counted

    services.paper_batch_confirm(batch=batch, by=make_organizer(ballot.committee))

    assert shown(ballot) == recounted(ballot) == (3, Decimal("240.00"))


def test_each_ballot_has_its_own_count_and_recount_rebuilds_it():
    first, _o, voters = make_open_ballot(n=3)
    second, _o2, others = make_open_ballot(n=3)
    for voter in voters:
        services.vote_cast(ballot=first, voter=voter, choices=choices(first, "yes"))
    services.vote_cast(ballot=second, voter=others[0], choices=choices(second, "no"))
    assert (shown(first)[0], shown(second)[0]) == (3, 1)

    TurnoutCount.objects.filter(ballot=first).delete()
    TurnoutCount.objects.filter(ballot=second).update(voices=40)
    turnout.recount([first.pk])
    assert (shown(first)[0], shown(second)[0]) == (3, 40)
    turnout.recount()
    assert (shown(first), shown(second)) == (recounted(first), recounted(second))


def test_the_audit_reports_a_count_changed_behind_the_application():
    ballot, _organizer, voters = make_open_ballot(n=3)
    services.vote_cast(ballot=ballot, voter=voters[0], choices=choices(ballot, "yes"))
    assert not [p for p in audit(ballots=[ballot]) if "turnout" in p.text]

    TurnoutCount.objects.filter(ballot=ballot).update(voices=2)

    found = [p for p in audit(ballots=[ballot]) if "turnout" in p.text]
    assert len(found) == 1 and "(2 voices" in found[0].text and "(1 voices" in found[0].text


def add_voices(ballot: Ballot, n: int, *, took_part: int, voter) -> None:
    """``n`` more voices on the open ballot (80 m² each), the first ``took_part`` of them with a vote in
    the register, written in bulk as a large electorate would have them."""
    voices = Voice.objects.bulk_create(
        Voice(ballot=ballot, key=f"x{i}", floor_area=Decimal("80.00")) for i in range(n))
    if connection.vendor == "sqlite":  # bulk_create sets no ids on SQLite before 3.35's RETURNING
        voices = list(Voice.objects.filter(ballot=ballot, key__startswith="x").order_by("pk"))
    now = timezone.now() - timedelta(minutes=5)
    Participation.objects.bulk_create(
        Participation(ballot=ballot, voice=voice, version=1, user=voter, cast_at=now, receipt=f"T{ballot.pk}-{i}")
        for i, voice in enumerate(voices[:took_part]))
    Ballot.objects.filter(pk=ballot.pk).update(electorate_size=Voice.objects.filter(ballot=ballot).count(),
                                               electorate_area=Decimal("80.00") * (n + 4))


def test_the_ballot_page_costs_the_same_queries_and_shows_the_exact_turnout_from_10_to_10000_voices(client):
    pages = {}
    for size in (10, 10_000):
        ballot, organizer, voters = make_open_ballot(secrecy=Ballot.Secrecy.NAMED, n=4)
        services.vote_cast(ballot=ballot, voter=voters[1], choices=choices(ballot, "yes"))
        add_voices(ballot, size - 4, took_part=(size - 4) // 2, voter=organizer)
        login(client, voters[0])
        client.get(url("ballot_detail", ballot.pk))  # the session and caches warm, as for any reader
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url("ballot_detail", ballot.pk))
        assert page.status_code == 200
        facts = page.context["facts"]["turnout"]
        ballot.refresh_from_db()
        expected = 1 + (size - 4) // 2
        assert (facts["voices"], facts["electorate"]) == (expected, size)
        assert selectors.counted_turnout(ballot).voices == expected
        assert Decimal(facts["area"]) == Decimal("80.00") * expected
        pages[size] = len(queries)
    assert pages[10] == pages[10_000], pages


def test_the_committee_ballot_list_shows_each_ballots_stored_turnout():
    ballot, organizer, voters = make_open_ballot(n=4)
    other = services.ballot_create(committee=ballot.committee, by=organizer, title="另一项表决")
    for voter in voters[:3]:
        services.vote_cast(ballot=ballot, voter=voter, choices=choices(ballot, "yes"))
    services.vote_cast(ballot=ballot, voter=voters[0], choices=choices(ballot, "no"))  # a change counts once
    listed = {b.pk: b.participants for b in selectors.committee_ballots(ballot.committee)}
    assert listed == {ballot.pk: 3, other.pk: 0}
    assert listed[ballot.pk] == selectors.counted_turnout(ballot).voices
