import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from decisions import services
from decisions.models import Ballot, PaperBatch, PaperSheet
from tests.decisions.factories import choices, make_open_ballot, make_paper_batch
from tests.factories import make_committee, make_organizer

pytestmark = pytest.mark.django_db


def test_a_pending_batch_can_be_discarded_and_its_voters_entered_again():
    ballot, organizer, voters = make_open_ballot()
    batch = make_paper_batch(ballot, organizer, voters[:2], [{"choices": choices(ballot, "yes")}])
    services.paper_batch_discard(batch=batch, by=organizer)
    assert not PaperBatch.objects.filter(pk=batch.pk).exists()
    again = services.paper_batch_create(ballot=ballot, by=organizer, issued=2, returned=2, void=0,
                                        voters=voters[:2])
    assert again.voters.count() == 2


def test_a_confirmed_batch_cannot_be_discarded_or_changed():
    ballot, organizer, voters = make_open_ballot()
    batch = make_paper_batch(ballot, organizer, voters[:1], [{"choices": choices(ballot, "yes")}])
    sheet = batch.sheets.get()
    services.paper_batch_confirm(batch=batch, by=make_organizer(ballot.committee))
    with pytest.raises(ValidationError) as error:
        services.paper_batch_discard(batch=batch, by=organizer)
    assert error.value.code == "batch_confirmed"
    assert PaperBatch.objects.filter(pk=batch.pk).exists()
    assert not PaperSheet.objects.filter(pk=sheet.pk).exists()  # secret: the typed sheet became a paper


def test_a_mistyped_sheet_can_be_removed_from_a_pending_batch():
    ballot, organizer, voters = make_open_ballot(secrecy=Ballot.Secrecy.NAMED)
    batch = make_paper_batch(ballot, organizer, voters[:1], [{"choices": choices(ballot, "no"), "voter": voters[0]}])
    services.paper_sheet_remove(sheet=batch.sheets.get(), by=organizer)
    services.paper_sheet_add(batch=batch, by=organizer, choices=choices(ballot, "yes"), voter=voters[0])
    assert batch.sheets.get().options.get().meaning == "yes"


def test_an_organizer_of_another_committee_cannot_discard_or_remove():
    ballot, organizer, voters = make_open_ballot()
    batch = make_paper_batch(ballot, organizer, voters[:1], [{"choices": choices(ballot, "yes")}])
    stranger = make_organizer(make_committee())
    with pytest.raises(PermissionDenied):
        services.paper_batch_discard(batch=batch, by=stranger)
    with pytest.raises(PermissionDenied):
        services.paper_sheet_remove(sheet=batch.sheets.get(), by=stranger)
    assert batch.sheets.count() == 1


def test_the_batch_page_discards_a_batch_and_removes_a_sheet(client):
    from django.urls import reverse

    ballot, organizer, voters = make_open_ballot()
    batch = make_paper_batch(ballot, organizer, voters[:2], [{"choices": choices(ballot, "yes")}])
    client.force_login(organizer)
    sheet = batch.sheets.get()
    response = client.post(reverse("decisions:paper_sheet_remove", args=[ballot.pk, batch.pk, sheet.pk]))
    assert response.status_code == 302 and not batch.sheets.exists()
    url = reverse("decisions:paper_batch_discard", args=[ballot.pk, batch.pk])
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 302
    assert not PaperBatch.objects.filter(pk=batch.pk).exists()
    client.force_login(make_organizer(make_committee()))
    other = make_paper_batch(ballot, organizer, voters[2:3], [])
    assert client.post(reverse("decisions:paper_batch_discard", args=[ballot.pk, other.pk])).status_code == 404
