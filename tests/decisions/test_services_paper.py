"""The decision core's paper ballots, permissions and history (decisions.services)."""

import json
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from decisions import box, selectors, services
from decisions.models import (
    Ballot,
    Channel,
    LedgerEntry,
    NamedChoice,
    Option,
    PaperBatch,
    Participation,
    Question,
    SealedSheet,
    SecretContent,
)
from decisions.services import OptionSpec
from tests.decisions.factories import (
    choices,
    make_building_of_households,
    make_open_ballot,
    make_paper_batch,
    open_box,
)
from tests.decisions.helpers import E, counted, open_draft
from tests.factories import make_committee, make_household, make_organizer, make_resident, make_user

pytestmark = pytest.mark.django_db


# --- Paper ballots ------------------------------------------------------------------------------------

@pytest.fixture
def paper():
    """An open secret ballot to four households (80 m² each) and a second organizer."""
    ballot, organizer, voters = make_open_ballot()
    return SimpleNamespace(ballot=ballot, organizer=organizer, second=make_organizer(ballot.committee),
                           voters=voters)


@pytest.mark.parametrize(("counts", "code"), [
    ({"issued": 2, "returned": 3, "void": 0}, "more_returned_than_issued"),
    ({"issued": 3, "returned": 2, "void": 3}, "too_many_void"),
    ({"issued": 3, "returned": 3, "void": 0}, "voters_mismatch"),
    ({"issued": 3, "returned": 1, "void": 0}, "voters_mismatch"),
    ({"issued": 3, "returned": 2, "void": -1}, "negative_count"),
])
def test_paper_batch_create_refuses_inconsistent_counts(paper, counts, code):
    with pytest.raises(ValidationError) as error:
        services.paper_batch_create(ballot=paper.ballot, by=paper.organizer, voters=paper.voters[:2],
                                    **counts)
    assert error.value.code == code
    assert not PaperBatch.objects.exists()


def test_paper_batch_create_refuses_a_voter_who_has_already_voted(paper):
    services.vote_cast(ballot=paper.ballot, voter=paper.voters[0], choices=choices(paper.ballot, "yes"))
    with pytest.raises(ValidationError) as error:
        services.paper_batch_create(ballot=paper.ballot, by=paper.organizer, issued=2, returned=2, void=0,
                                    voters=paper.voters[:2])
    assert error.value.code == "already_voted"


def test_paper_batch_create_refuses_a_voter_outside_the_electorate(paper):
    with pytest.raises(ValidationError) as error:
        services.paper_batch_create(ballot=paper.ballot, by=paper.organizer, issued=1, returned=1, void=0,
                                    voters=[make_resident()])
    assert error.value.code == "not_entitled"


def test_paper_batch_create_refuses_a_voter_in_another_pending_batch(paper):
    services.paper_batch_create(ballot=paper.ballot, by=paper.organizer, issued=2, returned=2, void=0,
                                voters=paper.voters[:2])
    with pytest.raises(ValidationError) as error:
        services.paper_batch_create(ballot=paper.ballot, by=paper.second, issued=2, returned=2, void=0,
                                    voters=paper.voters[1:3])
    assert error.value.code == "voter_in_pending_batch"
    assert PaperBatch.objects.count() == 1


def test_paper_batch_create_refuses_two_members_sharing_one_household_voice():
    household = make_household()
    alice, bob = make_resident(household), make_resident(household)
    committee = household.building.compound.committee
    organizer = make_organizer(committee)
    ballot = open_draft(committee, organizer, electorate=E.HOUSEHOLDS,
                        household_voice=Ballot.HouseholdVoice.FIRST_MEMBER)
    # Both sheets could never be counted: the confirmation would fail for ever on the second one.
    with pytest.raises(ValidationError) as error:
        services.paper_batch_create(ballot=ballot, by=organizer, issued=2, returned=2, void=0,
                                    voters=[alice, bob])
    assert error.value.code == "voice_listed_twice"
    services.paper_batch_create(ballot=ballot, by=organizer, issued=1, returned=1, void=0, voters=[alice])
    with pytest.raises(ValidationError) as error:
        services.paper_batch_create(ballot=ballot, by=organizer, issued=1, returned=1, void=0, voters=[bob])
    assert error.value.code == "voter_in_pending_batch"
    assert PaperBatch.objects.filter(ballot=ballot).count() == 1


def test_paper_batch_create_counts_a_voter_listed_twice_once(paper):
    with pytest.raises(ValidationError) as error:
        services.paper_batch_create(ballot=paper.ballot, by=paper.organizer, issued=2, returned=2, void=0,
                                    voters=[paper.voters[0], paper.voters[0]])
    assert error.value.code == "voters_mismatch"


def test_paper_batch_create_on_a_closed_ballot_is_refused(paper):
    services.ballot_close(ballot=paper.ballot, by=paper.organizer)
    with pytest.raises(ValidationError) as error:
        services.paper_batch_create(ballot=paper.ballot, by=paper.organizer, issued=1, returned=1, void=0,
                                    voters=paper.voters[:1])
    assert error.value.code == "not_open"


def test_paper_sheet_add_refuses_a_name_on_a_secret_sheet(paper):
    batch = services.paper_batch_create(ballot=paper.ballot, by=paper.organizer, issued=1, returned=1, void=0,
                                        voters=paper.voters[:1])
    with pytest.raises(ValidationError) as error:
        services.paper_sheet_add(batch=batch, by=paper.organizer, choices=choices(paper.ballot, "yes"),
                                 voter=paper.voters[0])
    assert error.value.code == "secret_sheet_named"
    assert not batch.sheets.exists()


def test_paper_sheet_add_on_a_named_ballot_needs_one_sheet_per_listed_voter():
    ballot, organizer, voters = make_open_ballot(secrecy=Ballot.Secrecy.NAMED)
    batch = services.paper_batch_create(ballot=ballot, by=organizer, issued=2, returned=2, void=0,
                                        voters=voters[:2])
    for voter in (None, voters[2]):
        with pytest.raises(ValidationError) as error:
            services.paper_sheet_add(batch=batch, by=organizer, choices=choices(ballot, "yes"), voter=voter)
        assert error.value.code == "sheet_voter"
    services.paper_sheet_add(batch=batch, by=organizer, choices=choices(ballot, "yes"), voter=voters[0])
    with pytest.raises(ValidationError) as error:
        services.paper_sheet_add(batch=batch, by=organizer, choices=choices(ballot, "no"), voter=voters[0])
    assert error.value.code == "sheet_duplicate"
    assert batch.sheets.get().voter == voters[0]


def test_paper_sheet_add_on_a_secret_art278_ballot_needs_the_floor_area():
    ballot, organizer, voters = make_open_ballot(rule=Ballot.Rule.ART278)
    batch = services.paper_batch_create(ballot=ballot, by=organizer, issued=1, returned=1, void=0,
                                        voters=voters[:1])
    with pytest.raises(ValidationError) as error:
        services.paper_sheet_add(batch=batch, by=organizer, choices=choices(ballot, "yes"))
    assert error.value.code == "sheet_area_required"
    sheet = services.paper_sheet_add(batch=batch, by=organizer, choices=choices(ballot, "yes"),
                                     floor_area=Decimal("80.00"))
    assert sheet.floor_area == Decimal("80.00")


def test_paper_sheet_add_on_a_secret_art278_ballot_takes_only_the_floor_areas_of_the_batchs_voters():
    ballot, organizer, voters = make_open_ballot(rule=Ballot.Rule.ART278, areas=["100", "80", "60", "60"])
    batch = services.paper_batch_create(ballot=ballot, by=organizer, issued=3, returned=3, void=0,
                                        voters=voters[1:])
    yes = choices(ballot, "yes")
    # A typo (800 for 80) or an area nobody in the batch has would weigh a sheet wrongly.
    for area in ("800", "100"):
        with pytest.raises(ValidationError) as error:
            services.paper_sheet_add(batch=batch, by=organizer, choices=yes, floor_area=Decimal(area))
        assert error.value.code == "sheet_area_unknown"
    services.paper_sheet_add(batch=batch, by=organizer, choices=yes, floor_area=Decimal("80"))
    with pytest.raises(ValidationError) as error:
        services.paper_sheet_add(batch=batch, by=organizer, choices=yes, floor_area=Decimal("80.00"))
    assert error.value.code == "sheet_area_unknown"
    services.paper_sheet_add(batch=batch, by=organizer, choices=yes, floor_area=Decimal("60.00"))
    services.paper_sheet_add(batch=batch, by=organizer, choices=yes, floor_area=Decimal("60.00"))
    services.paper_batch_confirm(batch=batch, by=make_organizer(ballot.committee))
    services.ballot_close(ballot=ballot, by=organizer)
    open_box(ballot)
    services.ballot_publish(ballot=ballot, by=organizer)
    ballot.refresh_from_db()
    assert ballot.result["turnout"] == {"voices": 3, "area": "200.00"}


def test_paper_sheet_add_refuses_more_sheets_than_valid_ones_and_invalid_choices(paper):
    batch = services.paper_batch_create(ballot=paper.ballot, by=paper.organizer, issued=3, returned=2, void=1,
                                        voters=paper.voters[:2])
    with pytest.raises(ValidationError) as error:
        services.paper_sheet_add(batch=batch, by=paper.organizer, choices={})
    assert error.value.code == "unanswered"
    services.paper_sheet_add(batch=batch, by=paper.organizer, choices=choices(paper.ballot, "no"))
    with pytest.raises(ValidationError) as error:
        services.paper_sheet_add(batch=batch, by=paper.organizer, choices=choices(paper.ballot, "yes"))
    assert error.value.code == "batch_full"
    assert [o.meaning for o in batch.sheets.get().options.all()] == ["no"]


def test_paper_batch_confirm_by_the_organizer_who_entered_it_is_denied(paper):
    batch = make_paper_batch(paper.ballot, paper.organizer, paper.voters[:1],
                             [{"choices": choices(paper.ballot, "yes")}])
    with pytest.raises(PermissionDenied):
        services.paper_batch_confirm(batch=batch, by=paper.organizer)
    batch.refresh_from_db()
    assert batch.status == PaperBatch.Status.PENDING
    assert not Participation.objects.exists()


def test_paper_batch_confirm_refuses_a_batch_whose_sheets_are_missing(paper):
    batch = make_paper_batch(paper.ballot, paper.organizer, paper.voters[:2],
                             [{"choices": choices(paper.ballot, "yes")}])
    with pytest.raises(ValidationError) as error:
        services.paper_batch_confirm(batch=batch, by=paper.second)
    assert error.value.code == "sheets_mismatch"
    assert not Participation.objects.exists()


def test_paper_batch_confirm_registers_the_voters_and_counts_the_sheets_of_a_secret_ballot(paper):
    ballot = paper.ballot
    batch = make_paper_batch(ballot, paper.organizer, paper.voters[:3],
                             [{"choices": choices(ballot, "yes")}, {"choices": choices(ballot, "no")}],
                             issued=4, void=1)
    services.paper_batch_confirm(batch=batch, by=paper.second)
    batch.refresh_from_db()
    assert (batch.status, batch.confirmed_by) == (PaperBatch.Status.CONFIRMED, paper.second)
    assert batch.confirmed_at is not None
    registered = Participation.objects.filter(ballot=ballot)
    assert {p.user for p in registered} == set(paper.voters[:3])
    assert {(p.channel, p.version, p.batch_id) for p in registered} == {("paper", 1, batch.pk)}
    assert len({p.receipt for p in registered}) == 3
    # The two sheets are sealed into the box apart from the register rows, which carry no paper.
    assert not any(p.paper for p in registered)
    sealed = SealedSheet.objects.filter(ballot=ballot, batch=batch)
    assert sealed.count() == 2 and not batch.sheets.exists()
    assert selectors.turnout(ballot).voices == 3
    payload = json.loads(LedgerEntry.objects.filter(chain=f"b{ballot.pk}").last().payload)
    assert (payload["event"], payload["issued"], payload["returned"], payload["void"]) == (
        "paper_batch", 4, 3, 1)
    assert payload["sheets"] == sorted(box.digest(s.paper) for s in sealed)
    with pytest.raises(ValidationError) as error:
        services.paper_batch_confirm(batch=batch, by=paper.second)
    assert error.value.code == "batch_confirmed"
    with pytest.raises(ValidationError) as error:
        services.paper_sheet_add(batch=batch, by=paper.organizer, choices=choices(ballot, "yes"))
    assert error.value.code == "batch_confirmed"
    assert counted(ballot) == {"yes": 1, "no": 1}


def test_paper_batch_confirm_on_a_named_ballot_hangs_each_sheet_on_its_voter():
    ballot, organizer, voters = make_open_ballot(secrecy=Ballot.Secrecy.NAMED)
    batch = make_paper_batch(ballot, organizer, voters[:2],
                             [{"choices": choices(ballot, "no"), "voter": voters[1]}], void=1)
    services.paper_batch_confirm(batch=batch, by=make_organizer(ballot.committee))
    by_voter = {p.user: [c.option.meaning for c in p.choices.all()]
                for p in Participation.objects.filter(ballot=ballot)}
    assert by_voter == {voters[0]: [], voters[1]: ["no"]}


def test_paper_batch_confirm_refuses_a_voter_who_voted_online_meanwhile(paper):
    batch = make_paper_batch(paper.ballot, paper.organizer, paper.voters[:1],
                             [{"choices": choices(paper.ballot, "yes")}])
    services.vote_cast(ballot=paper.ballot, voter=paper.voters[0], choices=choices(paper.ballot, "no"))
    with pytest.raises(ValidationError) as error:
        services.paper_batch_confirm(batch=batch, by=paper.second)
    assert error.value.code == "already_voted"
    assert not SealedSheet.objects.filter(ballot=paper.ballot).exists()
    assert Participation.objects.filter(ballot=paper.ballot, paper__isnull=False).count() == 1
    assert counted(paper.ballot) == {"no": 1}


@pytest.mark.parametrize(("allow_change", "code"), [(True, "paper_is_final"), (False, "already_voted")])
def test_an_online_or_assisted_vote_after_a_paper_vote_is_refused(allow_change, code):
    ballot, organizer, voters = make_open_ballot(allow_change=allow_change)
    batch = make_paper_batch(ballot, organizer, voters[:1], [{"choices": choices(ballot, "yes")}])
    services.paper_batch_confirm(batch=batch, by=make_organizer(ballot.committee))
    for extra in ({}, {"channel": Channel.ASSISTED, "entered_by": organizer, "consent_note": "代填"}):
        with pytest.raises(ValidationError) as error:
            services.vote_cast(ballot=ballot, voter=voters[0], choices=choices(ballot, "no"), **extra)
        assert error.value.code == code
    assert Participation.objects.filter(ballot=ballot).count() == 1
    assert counted(ballot) == {"yes": 1}


# --- Permissions ------------------------------------------------------------------------------------

ORGANIZER_SERVICES = ["ballot_create", "question_add", "ballot_set_named_voters", "ballot_open",
                      "ballot_close", "ballot_publish", "ballot_cancel", "paper_batch_create",
                      "paper_sheet_add", "paper_batch_confirm"]


@pytest.mark.parametrize("name", ORGANIZER_SERVICES)
def test_an_organizer_of_another_committee_is_denied_every_organizer_service(name):
    ballot, organizer, voters = make_open_ballot()
    committee = ballot.committee
    draft = services.ballot_create(committee=committee, by=organizer, title="草稿", electorate=E.HOUSEHOLDS)
    closed = open_draft(committee, organizer, title="已结束", electorate=E.HOUSEHOLDS)
    services.ballot_close(ballot=closed, by=organizer)
    batch = make_paper_batch(ballot, organizer, voters[:1], [{"choices": choices(ballot, "yes")}])
    stranger = make_organizer(make_committee(committee.street))
    calls = {
        "ballot_create": lambda: services.ballot_create(committee=committee, by=stranger, title="越权"),
        "question_add": lambda: services.question_add(ballot=draft, by=stranger, text="越权"),
        "ballot_set_named_voters": lambda: services.ballot_set_named_voters(ballot=draft, by=stranger,
                                                                            users=[stranger]),
        "ballot_open": lambda: services.ballot_open(ballot=draft, by=stranger),
        "ballot_close": lambda: services.ballot_close(ballot=ballot, by=stranger),
        "ballot_publish": lambda: services.ballot_publish(ballot=closed, by=stranger),
        "ballot_cancel": lambda: services.ballot_cancel(ballot=ballot, by=stranger, reason="越权"),
        "paper_batch_create": lambda: services.paper_batch_create(ballot=ballot, by=stranger, issued=1,
                                                                  returned=1, void=0, voters=voters[1:2]),
        "paper_sheet_add": lambda: services.paper_sheet_add(batch=batch, by=stranger,
                                                            choices=choices(ballot, "no")),
        "paper_batch_confirm": lambda: services.paper_batch_confirm(batch=batch, by=stranger),
    }
    before = (Ballot.objects.count(), Question.objects.count(), LedgerEntry.objects.count(),
              PaperBatch.objects.count(), batch.sheets.count(), Participation.objects.count())
    with pytest.raises(PermissionDenied):
        calls[name]()
    after = (Ballot.objects.count(), Question.objects.count(), LedgerEntry.objects.count(),
             PaperBatch.objects.count(), batch.sheets.count(), Participation.objects.count())
    assert after == before
    statuses = Ballot.objects.filter(pk__in=[ballot.pk, draft.pk, closed.pk]).values_list("pk", "status")
    assert dict(statuses) == {
        ballot.pk: "open", draft.pk: "draft", closed.pk: "closed"}
    assert not draft.named_voters.exists()


# --- History ------------------------------------------------------------------------------------

def test_ballot_question_and_option_changes_leave_history_rows_with_the_acting_user():
    building, reps = make_building_of_households(2)
    committee = building.compound.committee
    organizer, colleague = make_organizer(committee), make_organizer(committee)
    ballot = services.ballot_create(committee=committee, by=organizer, title="加装电梯",
                                    electorate=E.HOUSEHOLDS)
    question = services.question_add(ballot=ballot, by=colleague, text="选址", options=[
        OptionSpec("东侧"), OptionSpec("西侧")])
    services.ballot_open(ballot=ballot, by=colleague)
    services.ballot_close(ballot=ballot, by=organizer)
    open_box(ballot)  # by the colleague, who opened it and so is its one scrutineer
    services.ballot_publish(ballot=ballot, by=colleague)

    rows = list(ballot.history.order_by("history_date", "history_id"))
    assert [(h.history_type, h.status, h.history_user) for h in rows] == [
        ("+", "draft", organizer), ("~", "open", colleague), ("~", "closed", organizer),
        ("~", "closed", colleague), ("~", "published", colleague)]
    assert rows[3].box_opened_at is not None and rows[2].box_opened_at is None
    assert rows[-1].result == Ballot.objects.get(pk=ballot.pk).result
    first = ballot.questions.get(position=1)
    assert [(h.history_type, h.history_user) for h in first.history.all()] == [("+", organizer)]
    assert [(h.history_type, h.history_user) for h in question.history.all()] == [("+", colleague)]
    options = Option.history.filter(question_id__in=[first.pk, question.pk])
    assert {(h.question_id, h.label, h.history_user) for h in options} == {
        (first.pk, "同意", organizer), (first.pk, "反对", organizer), (first.pk, "弃权", organizer),
        (question.pk, "东侧", colleague), (question.pk, "西侧", colleague)}


def test_cancelling_and_naming_voters_leave_history_rows_with_the_acting_user():
    committee = make_committee()
    organizer, colleague = make_organizer(committee), make_organizer(committee)
    voter = make_user()
    ballot = services.ballot_create(committee=committee, by=organizer, title="名单", electorate=E.NAMED_LIST)
    services.ballot_set_named_voters(ballot=ballot, by=colleague, users=[voter])
    services.ballot_cancel(ballot=ballot, by=organizer, reason="重新拟定")
    rows = list(ballot.history.order_by("history_date", "history_id"))
    assert [h.history_user for h in rows[1:-1]] == [colleague] * (len(rows) - 2)
    assert len(rows) >= 3
    assert [m.user_id for m in rows[-2].named_voters.all()] == [voter.pk]
    assert (rows[-1].status, rows[-1].cancel_reason, rows[-1].history_user) == (
        "cancelled", "重新拟定", organizer)


def test_a_named_vote_is_history_tracked_with_its_voter_and_a_secret_paper_is_not():
    from decisions.models import SealedSheet
    from tests.decisions.factories import choices as choose
    from tests.decisions.factories import make_open_ballot as open_ballot

    named, _organizer, voters = open_ballot(secrecy=Ballot.Secrecy.NAMED)
    services.vote_cast(ballot=named, voter=voters[0], choices=choose(named, "yes"))
    record = NamedChoice.history.get()
    assert record.history_type == "+" and record.history_user == voters[0]
    secret, _organizer, voters = open_ballot()
    cast = services.vote_cast(ballot=secret, voter=voters[0], choices=choose(secret, "yes"))
    assert cast.paper is not None  # the sealed paper, in the register row: which keeps no history
    assert not any(hasattr(model, "history") for model in (Participation, SealedSheet, SecretContent))
    assert NamedChoice.history.count() == 1


def test_a_draft_question_can_be_removed_but_not_the_last_one_nor_after_opening():
    from django.core.exceptions import PermissionDenied as Denied

    from decisions.models import Option as OptionModel
    from decisions.models import Question as QuestionModel
    from tests.decisions.factories import make_building_of_households as households
    from tests.factories import make_committee as committee_factory
    from tests.factories import make_organizer as organizer_factory

    building, _reps = households(2)
    organizer = organizer_factory(building.compound.committee)
    ballot = services.ballot_create(committee=building.compound.committee, by=organizer, title="错字标题",
                                    electorate=Ballot.Electorate.HOUSEHOLDS, building=building)
    typo = ballot.questions.get()
    with pytest.raises(ValidationError) as error:
        services.question_remove(question=typo, by=organizer)
    assert error.value.code == "last_question"
    services.question_add(ballot=ballot, by=organizer, text="正确的问题")
    with pytest.raises(Denied):
        services.question_remove(question=typo, by=organizer_factory(committee_factory()))
    services.question_remove(question=typo, by=organizer)
    assert list(ballot.questions.values_list("text", flat=True)) == ["正确的问题"]
    assert not OptionModel.objects.filter(question_id=typo.pk).exists()
    assert QuestionModel.history.filter(id=typo.pk, history_type="-").get().history_user == organizer
    services.question_add(ballot=ballot, by=organizer, text="第二个问题")
    ballot = services.ballot_open(ballot=ballot, by=organizer)
    with pytest.raises(ValidationError) as error:
        services.question_remove(question=ballot.questions.first(), by=organizer)
    assert error.value.code == "frozen"


def test_a_cast_confirmed_against_an_old_version_records_nothing():
    from tests.decisions.factories import choices as choose
    from tests.decisions.factories import make_open_ballot as open_ballot

    ballot, _organizer, voters = open_ballot()
    first = services.vote_cast(ballot=ballot, voter=voters[0], choices=choose(ballot, "yes"), expected_version=0)
    with pytest.raises(ValidationError) as error:  # the same confirmation page sent twice
        services.vote_cast(ballot=ballot, voter=voters[0], choices=choose(ballot, "yes"), expected_version=0)
    assert error.value.code == "already_submitted"
    assert first.receipt in error.value.messages[0]
    changed = services.vote_cast(ballot=ballot, voter=voters[0], choices=choose(ballot, "no"), expected_version=1)
    assert changed.version == 2
    assert Participation.objects.filter(ballot=ballot).count() == 2
