"""The sealed ballot box: scrutineers, cards, sealing at cast, opening by k of n, counting, expiry."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from decisions import audit, box, selectors, services
from decisions.models import Ballot, Participation, Scrutineer, SealedSheet
from decisions.services.box import box_list, box_recount_matches
from tests.decisions.factories import (
    card_code,
    choices,
    make_building_of_households,
    make_paper_batch,
    open_box,
    option,
)
from tests.factories import make_organizer, make_resident

pytestmark = pytest.mark.django_db


def _ballot_with_scrutineers(n_voters=4, threshold=2, rule=Ballot.Rule.SIMPLE_MAJORITY, areas=None):
    building, reps = make_building_of_households(n_voters, areas)
    committee = building.compound.committee
    organizer = make_organizer(committee)
    ballot = services.ballot_create(committee=committee, by=organizer, title="加装电梯",
                                    electorate=Ballot.Electorate.HOUSEHOLDS, building=building, rule=rule)
    household = reps[0].memberships.first().household
    scrutineers = [make_organizer(committee), make_resident(household), make_organizer(committee)]
    services.scrutineers_set(ballot=ballot, by=organizer, users=scrutineers, threshold=threshold)
    return ballot, organizer, reps, scrutineers


def _take_cards(ballot, scrutineers):
    return {s.pk: services.scrutineer_take_card(ballot=ballot, user=s) for s in scrutineers}


def test_the_ballot_opens_only_when_every_scrutineer_has_a_card():
    ballot, organizer, _reps, scrutineers = _ballot_with_scrutineers()
    services.scrutineer_take_card(ballot=ballot, user=scrutineers[0])
    with pytest.raises(ValidationError) as refused:
        services.ballot_open(ballot=ballot, by=organizer)
    assert refused.value.code == "card_missing"
    _take_cards(ballot, scrutineers[1:])
    ballot = services.ballot_open(ballot=ballot, by=organizer)
    assert ballot.is_sealed and ballot.box_threshold == 2
    assert all(s.share for s in ballot.scrutineers.all())


def test_a_secret_paper_is_sealed_and_of_one_size_whatever_was_chosen():
    ballot, organizer, reps, scrutineers = _ballot_with_scrutineers()
    _take_cards(ballot, scrutineers)
    services.ballot_open(ballot=ballot, by=organizer)
    ballot.refresh_from_db()
    yes = services.vote_cast(ballot=ballot, voter=reps[0], choices=choices(ballot, "yes"))
    no = services.vote_cast(ballot=ballot, voter=reps[1], choices=choices(ballot, "no"))
    papers = list(Participation.objects.filter(ballot=ballot).values_list("paper", flat=True))
    assert len({len(bytes(p)) for p in papers}) == 1
    for participation in (yes, no):
        assert participation.receipt == box.receipt_of(box.digest(participation.paper))
        assert b'"o":' not in bytes(participation.paper)


def test_k_minus_one_cards_leave_the_box_shut_and_the_kth_opens_and_counts_once():
    ballot, organizer, reps, scrutineers = _ballot_with_scrutineers(n_voters=5)
    _take_cards(ballot, scrutineers)
    services.ballot_open(ballot=ballot, by=organizer)
    ballot.refresh_from_db()
    services.vote_cast(ballot=ballot, voter=reps[0], choices=choices(ballot, "yes"))
    services.vote_cast(ballot=ballot, voter=reps[1], choices=choices(ballot, "no"))
    services.vote_cast(ballot=ballot, voter=reps[1], choices=choices(ballot, "yes"))  # changed
    services.vote_cast(ballot=ballot, voter=reps[2], choices=choices(ballot, "no"))
    with pytest.raises(ValidationError) as early:
        services.box_present(ballot=ballot, by=scrutineers[0], code=card_code(ballot, scrutineers[0]))
    assert early.value.code == "box_not_closed"
    services.ballot_close(ballot=ballot, by=organizer)
    with pytest.raises(ValidationError) as shut:
        services.ballot_publish(ballot=ballot, by=organizer)
    assert shut.value.code == "box_not_opened"

    assert services.box_present(ballot=ballot, by=scrutineers[2], code=card_code(ballot, scrutineers[2])) is False
    ballot.refresh_from_db()
    assert ballot.box_opened_at is None and ballot.box_tally is None
    # No share is stored in the clear: what was handed on is sealed to the other cards.
    for scrutineer in Scrutineer.objects.filter(ballot=ballot):
        for sealed in scrutineer.handed.values():
            assert len(sealed) > 40

    assert services.box_present(ballot=ballot, by=scrutineers[0], code=card_code(ballot, scrutineers[0])) is True
    ballot.refresh_from_db()
    assert ballot.box_tally["papers"] == 3
    assert selectors.option_counts(ballot)[option(ballot, "yes").pk][0] == 2
    assert selectors.option_counts(ballot)[option(ballot, "no").pk][0] == 1
    assert not any(s.handed for s in Scrutineer.objects.filter(ballot=ballot))
    # Presented again, a card starts a recount round: the box is not counted a second time.
    tally = ballot.box_tally
    assert services.box_present(ballot=ballot, by=scrutineers[1], code=card_code(ballot, scrutineers[1])) is False
    ballot.refresh_from_db()
    assert ballot.box_tally == tally
    services.ballot_publish(ballot=ballot, by=organizer)
    ballot.refresh_from_db()
    assert ballot.result["turnout"]["voices"] == 3
    assert audit.audit(ballots=[ballot]) == []


def test_a_wrong_card_another_ballots_card_or_an_outsider_is_refused_and_changes_nothing():
    ballot, organizer, reps, scrutineers = _ballot_with_scrutineers()
    _take_cards(ballot, scrutineers)
    services.ballot_open(ballot=ballot, by=organizer)
    other, other_organizer, _r, other_scrutineers = _ballot_with_scrutineers()
    _take_cards(other, other_scrutineers)
    services.ballot_open(ballot=other, by=other_organizer)
    services.ballot_close(ballot=ballot, by=organizer)

    cases = [("nonsense", "card_malformed"),
             (card_code(other, other_scrutineers[0]), "card_wrong_ballot"),
             (card_code(ballot, scrutineers[1]), "card_does_not_open")]
    for code, expected in cases:
        with pytest.raises(ValidationError) as refused:
            services.box_present(ballot=ballot, by=scrutineers[0], code=code)
        assert refused.value.code == expected
    assert not Scrutineer.objects.filter(ballot=ballot, presented_at__isnull=False).exists()
    with pytest.raises(PermissionDenied):
        services.box_present(ballot=ballot, by=reps[2], code=card_code(ballot, scrutineers[0]))
    # A code typed in lower case, with spaces, still opens.
    typed = card_code(ballot, scrutineers[0]).lower().replace("-", " ")
    assert services.box_present(ballot=ballot, by=scrutineers[0], code=typed) is False


def test_with_no_scrutineer_named_the_organizer_who_opens_is_the_only_one_and_gets_a_card():
    building, _reps = make_building_of_households(2)
    organizer = make_organizer(building.compound.committee)
    ballot = services.ballot_create(committee=building.compound.committee, by=organizer, title="议题",
                                    electorate=Ballot.Electorate.HOUSEHOLDS, building=building)
    opened = services.ballot_open(ballot=ballot, by=organizer)
    assert list(opened.new_cards) == [organizer.pk]
    assert opened.scrutineers.get().user == organizer and opened.box_threshold == 1


def test_assisted_votes_and_paper_sheets_go_into_the_same_box_and_area_is_counted_inside_it():
    ballot, organizer, reps, scrutineers = _ballot_with_scrutineers(
        n_voters=4, rule=Ballot.Rule.ART278, areas=["60.00", "70.00", "80.00", "95.50"])
    _take_cards(ballot, scrutineers)
    services.ballot_open(ballot=ballot, by=organizer)
    ballot.refresh_from_db()
    second = make_organizer(ballot.committee)
    services.vote_cast(ballot=ballot, voter=reps[0], choices=choices(ballot, "yes"))
    services.vote_cast(ballot=ballot, voter=reps[1], choices=choices(ballot, "no"), channel="assisted",
                       entered_by=organizer, consent_note="电话确认")
    batch = make_paper_batch(ballot, organizer, [reps[2], reps[3]],
                             [{"choices": choices(ballot, "yes"), "floor_area": "80.00"},
                              {"choices": choices(ballot, "yes"), "floor_area": "95.50"}])
    services.paper_batch_confirm(batch=batch, by=second)
    assert SealedSheet.objects.filter(ballot=ballot).count() == 2
    services.ballot_close(ballot=ballot, by=organizer)
    open_box(ballot)
    counts = selectors.option_counts(ballot)
    assert counts[option(ballot, "yes").pk] == (3, Decimal("235.50"))
    assert counts[option(ballot, "no").pk] == (1, Decimal("70.00"))
    assert len(box_list(ballot)) == 4
    services.ballot_publish(ballot=ballot, by=organizer)
    ballot.refresh_from_db()
    assert ballot.result["turnout"]["area"] == "305.50"
    assert audit.audit(ballots=[ballot]) == []


def test_a_receipt_commits_to_a_paper_in_the_published_box_list():
    ballot, organizer, reps, scrutineers = _ballot_with_scrutineers()
    _take_cards(ballot, scrutineers)
    services.ballot_open(ballot=ballot, by=organizer)
    ballot.refresh_from_db()
    first = services.vote_cast(ballot=ballot, voter=reps[0], choices=choices(ballot, "no"))
    latest = services.vote_cast(ballot=ballot, voter=reps[0], choices=choices(ballot, "yes"))
    services.ballot_close(ballot=ballot, by=organizer)
    hashes = box_list(ballot)
    assert selectors.paper_of_receipt(ballot, latest.receipt.lower()) in hashes
    assert selectors.paper_of_receipt(ballot, first.receipt) not in hashes  # replaced


def test_a_box_never_opened_ends_not_counted_and_its_cards_open_nothing_after():
    ballot, organizer, reps, scrutineers = _ballot_with_scrutineers()
    _take_cards(ballot, scrutineers)
    services.ballot_open(ballot=ballot, by=organizer)
    ballot.refresh_from_db()
    services.vote_cast(ballot=ballot, voter=reps[0], choices=choices(ballot, "yes"))
    services.ballot_close(ballot=ballot, by=organizer)
    services.box_present(ballot=ballot, by=scrutineers[0], code=card_code(ballot, scrutineers[0]))
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        services.ballots_run_schedule()
        ballot.refresh_from_db()
        assert ballot.status == Ballot.Status.UNCOUNTED
        assert not Scrutineer.objects.filter(ballot=ballot, share__isnull=False).exists()
        with pytest.raises(ValidationError):
            services.box_present(ballot=ballot, by=scrutineers[1], code=card_code(ballot, scrutineers[1]))
    assert audit.audit(ballots=[ballot]) == []


def test_k_scrutineers_recount_after_publication_and_the_recount_reproduces_the_published_counts():
    ballot, organizer, reps, scrutineers = _ballot_with_scrutineers()
    _take_cards(ballot, scrutineers)
    services.ballot_open(ballot=ballot, by=organizer)
    ballot.refresh_from_db()
    for voter, meaning in zip(reps, ["yes", "no", "yes"], strict=False):
        services.vote_cast(ballot=ballot, voter=voter, choices=choices(ballot, meaning))
    services.ballot_close(ballot=ballot, by=organizer)
    open_box(ballot, scrutineers[0], scrutineers[1])
    services.ballot_publish(ballot=ballot, by=organizer)
    ballot.refresh_from_db()
    published = ballot.result
    assert box_recount_matches(ballot) is None
    assert services.box_present(ballot=ballot, by=scrutineers[2], code=card_code(ballot, scrutineers[2])) is False
    assert services.box_present(ballot=ballot, by=scrutineers[1], code=card_code(ballot, scrutineers[1])) is True
    ballot.refresh_from_db()
    assert box_recount_matches(ballot) is True
    assert ballot.result == published  # a recount never counts the box a second time
    assert audit.audit(ballots=[ballot]) == []


def test_check_my_receipt_finds_the_sealed_paper_in_the_published_list(client):
    from django.urls import reverse

    ballot, organizer, reps, scrutineers = _ballot_with_scrutineers()
    _take_cards(ballot, scrutineers)
    services.ballot_open(ballot=ballot, by=organizer)
    ballot.refresh_from_db()
    first = services.vote_cast(ballot=ballot, voter=reps[0], choices=choices(ballot, "no"))
    latest = services.vote_cast(ballot=ballot, voter=reps[0], choices=choices(ballot, "yes"))
    services.ballot_close(ballot=ballot, by=organizer)
    open_box(ballot)
    services.ballot_publish(ballot=ballot, by=organizer)
    client.force_login(reps[0])
    url = reverse("decisions:receipt_check", args=[ballot.pk])
    counted = client.get(url, {"code": latest.receipt.lower().replace("-", "")})
    assert counted.context["status"] == "counted" and counted.context["in_box"] is True
    assert box.digest(latest.paper) in counted.content.decode()
    replaced = client.get(url, {"code": first.receipt})
    assert replaced.context["status"] == "replaced" and replaced.context["in_box"] is False
    listed = client.get(reverse("decisions:ballot_box_hashes", args=[ballot.pk])).content.decode().split()
    assert listed == box_list(ballot) and box.digest(latest.paper) in listed


def test_named_scrutineers_are_told_to_take_their_card_and_at_close_to_open_the_box(
        django_capture_on_commit_callbacks):
    from members.models import Notification

    with django_capture_on_commit_callbacks(execute=True):
        ballot, organizer, reps, scrutineers = _ballot_with_scrutineers()
    told = Notification.objects.filter(kind=Notification.Kind.SCRUTINY)
    assert sorted(told.values_list("user_id", flat=True)) == sorted(s.pk for s in scrutineers)
    assert all(f"/ballots/{ballot.pk}/card/" in url for url in told.values_list("url", flat=True))
    _take_cards(ballot, scrutineers)
    services.ballot_open(ballot=ballot, by=organizer)
    services.ballot_close(ballot=ballot, by=organizer)
    box_notices = told.filter(url__endswith=f"/ballots/{ballot.pk}/box/")
    assert sorted(box_notices.values_list("user_id", flat=True)) == sorted(s.pk for s in scrutineers)
    assert not told.filter(user=reps[1]).exists()
