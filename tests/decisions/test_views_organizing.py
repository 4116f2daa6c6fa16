"""The decision core's organizer pages: creating and running a ballot, paper batches, assisted votes,
and the query counts of the lists."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from decisions import box, selectors, services
from decisions.models import Ballot, PaperBatch, Participation, SecretContent
from members import services as member_services
from members.models import Role
from tests.decisions.factories import choices, make_building_of_households, make_open_ballot, open_box, option
from tests.decisions.helpers import login, messages_of, url, vote
from tests.factories import make_building, make_committee, make_household, make_organizer, make_resident

pytestmark = pytest.mark.django_db


# --- Organizer pages ----------------------------------------------------------------------------

def test_organizer_creates_a_ballot_and_lands_on_its_manage_page(client):
    building, _reps = make_building_of_households(3)
    committee = building.compound.committee
    login(client, make_organizer(committee))
    response = client.post(url("ballot_create", committee.pk), {
        "title": "加装电梯", "description": "", "question": "是否同意加装电梯?", "question_kind": "single",
        "secrecy": "secret", "electorate": "households", "household_voice": "representative",
        "compound": "", "building": building.pk, "rule": "art278", "quorum_percent": "66.67",
        "allow_change": "on", "opens_at": "2030-05-01T09:00", "closes_at": "2030-05-08T18:00"})
    ballot = Ballot.objects.get()
    assert response["Location"] == url("ballot_manage", ballot.pk)
    assert (ballot.building, ballot.rule, ballot.quorum, ballot.allow_change) == (
        building, "art278", Decimal("0.6667"), True)
    assert ballot.opens_at.hour == 1  # 09:00 in Shanghai is 01:00 UTC
    assert ballot.questions.get().text == "是否同意加装电梯?"
    assert client.get(url("ballot_manage", ballot.pk)).status_code == 200


def test_a_new_ballot_with_another_committees_building_or_bad_rule_changes_nothing(client):
    committee = make_committee()
    login(client, make_organizer(committee))
    foreign = make_building()
    base = {"title": "x", "question_kind": "single", "secrecy": "secret", "household_voice": "representative",
            "quorum_percent": "0"}
    for data in ({**base, "electorate": "households", "rule": "simple_majority", "building": foreign.pk},
                 {**base, "electorate": "residents", "rule": "art278"},
                 {**base, "electorate": "households", "rule": "simple_majority", "quorum_percent": "150"},
                 {**base, "electorate": "households", "rule": "simple_majority", "opens_at": "2030-05-08T09:00",
                  "closes_at": "2030-05-01T09:00"}):
        response = client.post(url("ballot_create", committee.pk), data)
        assert response.status_code == 200 and messages_of(response)
        assert response.context["form"].errors
    assert not Ballot.objects.exists()


def test_organizer_adds_a_question_with_own_options(client):
    building, _reps = make_building_of_households(2)
    committee = building.compound.committee
    organizer = make_organizer(committee)
    ballot = services.ballot_create(committee=committee, by=organizer, title="颜色", building=building,
                                    electorate=Ballot.Electorate.HOUSEHOLDS, rule=Ballot.Rule.NONE)
    login(client, organizer)
    response = client.post(url("question_add", ballot.pk), {"text": "外墙颜色?", "kind": "single",
                                                             "max_choices": 1, "options": "米色\n灰色\n\n白色"})
    assert response.status_code == 302
    question = ballot.questions.get(text="外墙颜色?")
    assert [o.label for o in question.options.order_by("position")] == ["米色", "灰色", "白色"]
    rating = client.post(url("question_add", ballot.pk), {"text": "满意吗?", "kind": "rating", "max_choices": 1,
                                                           "options": ""})
    assert rating.status_code == 302
    assert ballot.questions.get(text="满意吗?").options.count() == 4
    bad = client.post(url("question_add", ballot.pk), {"text": "?", "kind": "single", "max_choices": 1,
                                                        "options": "only one"})
    assert bad.status_code == 200 and messages_of(bad)
    assert ballot.questions.count() == 3


def test_adding_a_question_to_an_open_ballot_gives_a_message(client):
    ballot, organizer, _voters = make_open_ballot()
    login(client, organizer)
    response = client.post(url("question_add", ballot.pk), {"text": "late?", "kind": "single", "max_choices": 1},
                           follow=True)
    assert messages_of(response)
    assert ballot.questions.count() == 1


def test_organizer_chooses_a_named_list_by_ticking_and_by_phone(client):
    building, reps = make_building_of_households(3)
    committee = building.compound.committee
    organizer = make_organizer(committee)
    by_phone = make_resident(make_household(building), phone="+8613900001234")
    outsider = make_resident(phone="+8613900005678")
    ballot = services.ballot_create(committee=committee, by=organizer, title="名单", secrecy=Ballot.Secrecy.NAMED,
                                    electorate=Ballot.Electorate.NAMED_LIST)
    login(client, organizer)
    page = client.get(url("ballot_manage", ballot.pk))
    assert len(page.context["resident_rows"]) == 4
    response = client.post(url("named_voters", ballot.pk), {"voters": [reps[0].pk, reps[1].pk],
                                                             "phones": "139 0000 1234"})
    assert response.status_code == 302
    assert set(ballot.named_voters.all()) == {reps[0], reps[1], by_phone}
    bad = client.post(url("named_voters", ballot.pk), {"voters": [reps[2].pk], "phones": "13900005678"})
    assert bad.status_code == 200 and messages_of(bad)
    foreign = client.post(url("named_voters", ballot.pk), {"voters": [outsider.pk]})
    assert foreign.status_code == 200 and messages_of(foreign)
    assert set(ballot.named_voters.all()) == {reps[0], reps[1], by_phone}
    page = client.get(url("ballot_manage", ballot.pk))
    assert page.context["chosen"] == {str(u.pk) for u in (reps[0], reps[1], by_phone)}


def test_state_changes_confirm_on_get_and_act_on_post(client):
    building, reps = make_building_of_households(3)
    committee = building.compound.committee
    organizer = make_organizer(committee)
    ballot = services.ballot_create(committee=committee, by=organizer, title="停车", building=building,
                                    electorate=Ballot.Electorate.HOUSEHOLDS)
    login(client, organizer)
    code = None  # the organizer's card, shown when the ballot opens
    for name, status in (("ballot_open", "open"), ("ballot_close", "closed"), ("ballot_publish", "published")):
        page = client.get(url(name, ballot.pk))
        assert page.status_code == 200 and page.context["allowed"]
        ballot.refresh_from_db()
        assert ballot.status != status, "GET only asks"
        if name == "ballot_close":
            # Two of the three households: more than half take part, as the default quorum asks.
            for rep in reps[:2]:
                services.vote_cast(ballot=ballot, voter=rep, choices=choices(ballot, "yes"))
        if name == "ballot_publish":
            # The organizer who opened it is its one scrutineer: the card shown at opening opens the box.
            opened = client.post(url("ballot_box", ballot.pk), {"code": code})
            assert opened["Location"] == url("ballot_box", ballot.pk)
        response = client.post(url(name, ballot.pk))
        if name == "ballot_open":
            # No scrutineer was named: instead of a redirect, the organizer's card, shown this once.
            assert response.status_code == 200 and response["Cache-Control"] == "no-store"
            code = response.context["code"]
            assert all(group in response.text for group in code.split("-"))
        else:
            assert response["Location"] == url("ballot_manage", ballot.pk)
        ballot.refresh_from_db()
        assert ballot.status == status
    assert ballot.result["verdict"] == "passed"
    page = client.get(url("ballot_cancel", ballot.pk))
    assert page.status_code == 200 and not page.context["allowed"]
    response = client.post(url("ballot_cancel", ballot.pk), {"reason": "too late"}, follow=True)
    assert messages_of(response)
    ballot.refresh_from_db()
    assert ballot.status == "published"


def test_opening_twice_or_with_nobody_entitled_gives_a_message(client):
    committee = make_committee()
    organizer = make_organizer(committee)
    ballot = services.ballot_create(committee=committee, by=organizer, title="空",
                                    electorate=Ballot.Electorate.HOUSEHOLDS)
    login(client, organizer)
    response = client.post(url("ballot_open", ballot.pk), follow=True)
    assert messages_of(response)
    ballot.refresh_from_db()
    assert ballot.status == "draft"
    opened, organizer2, _v = make_open_ballot()
    login(client, organizer2)
    response = client.post(url("ballot_open", opened.pk), follow=True)
    assert response.status_code == 200 and messages_of(response)


def test_cancelling_needs_a_reason_which_everyone_then_sees(client):
    ballot, organizer, voters = make_open_ballot()
    login(client, organizer)
    response = client.post(url("ballot_cancel", ballot.pk), {"reason": "  "})
    assert response.status_code == 200 and messages_of(response)
    ballot.refresh_from_db()
    assert ballot.status == "open"
    client.post(url("ballot_cancel", ballot.pk), {"reason": "方案有变"})
    ballot.refresh_from_db()
    assert ballot.status == "cancelled"
    login(client, voters[0])
    assert "方案有变" in client.get(url("ballot_detail", ballot.pk)).text


# --- Paper batches and assisted votes --------------------------------------------------------------

def test_paper_batch_entered_by_one_organizer_and_confirmed_by_another(client):
    ballot, organizer, voters = make_open_ballot(secrecy=Ballot.Secrecy.NAMED)
    second = make_organizer(ballot.committee)
    login(client, organizer)
    page = client.get(url("paper_batches", ballot.pk))
    assert len(page.context["holders"]) == 4
    response = client.post(url("paper_batches", ballot.pk), {"issued": 3, "returned": 2, "void": 0,
                                                              "voters": [voters[0].pk, voters[1].pk]})
    batch = PaperBatch.objects.get()
    assert response["Location"] == url("paper_batch", ballot.pk, batch.pk)
    yes, no = option(ballot, "yes"), option(ballot, "no")
    for voter, opt in ((voters[0], yes), (voters[1], no)):
        response = client.post(url("paper_batch", ballot.pk, batch.pk), {"voter": voter.pk,
                                                                          f"q{opt.question_id}": opt.pk})
        assert response.status_code == 302, messages_of(response)
    page = client.get(url("paper_batch", ballot.pk, batch.pk))
    assert page.context["complete"] and page.context["entered_by_me"]
    refused = client.post(url("paper_batch_confirm", ballot.pk, batch.pk), follow=True)
    assert messages_of(refused)
    batch.refresh_from_db()
    assert batch.status == PaperBatch.Status.PENDING
    login(client, second)
    assert client.get(url("paper_batch_confirm", ballot.pk, batch.pk)).status_code == 200
    response = client.post(url("paper_batch_confirm", ballot.pk, batch.pk))
    assert response["Location"] == url("paper_batches", ballot.pk)
    batch.refresh_from_db()
    assert batch.status == PaperBatch.Status.CONFIRMED
    assert set(Participation.objects.values_list("user", "channel")) == {(voters[0].pk, "paper"),
                                                                        (voters[1].pk, "paper")}


def test_a_secret_art278_sheet_needs_the_floor_area(client):
    ballot, organizer, voters = make_open_ballot(secrecy=Ballot.Secrecy.SECRET, rule=Ballot.Rule.ART278)
    batch = services.paper_batch_create(ballot=ballot, by=organizer, issued=1, returned=1, void=0,
                                        voters=[voters[0]])
    yes = option(ballot, "yes")
    login(client, organizer)
    page = client.get(url("paper_batch", ballot.pk, batch.pk))
    assert "floor_area" in page.context["form"].fields and "voter" not in page.context["form"].fields
    response = client.post(url("paper_batch", ballot.pk, batch.pk), {f"q{yes.question_id}": yes.pk})
    assert response.status_code == 200 and messages_of(response)
    assert not batch.sheets.exists()
    response = client.post(url("paper_batch", ballot.pk, batch.pk), {f"q{yes.question_id}": yes.pk,
                                                                      "floor_area": "80.00"})
    assert response.status_code == 302
    assert batch.sheets.get().floor_area == Decimal("80.00")


def test_a_counted_secret_batch_no_longer_shows_its_sheets(client):
    ballot, organizer, voters = make_open_ballot(secrecy=Ballot.Secrecy.SECRET, rule=Ballot.Rule.ART278,
                                                 areas=["71.30", "94.06", "80", "80"])
    batch = services.paper_batch_create(ballot=ballot, by=organizer, issued=2, returned=2, void=0,
                                        voters=voters[:2])
    for meaning, area in (("yes", "71.30"), ("no", "94.06")):
        services.paper_sheet_add(batch=batch, by=organizer, choices=choices(ballot, meaning),
                                 floor_area=Decimal(area))
    login(client, organizer)
    assert "94.06" in client.get(url("paper_batch", ballot.pk, batch.pk)).text
    services.paper_batch_confirm(batch=batch, by=make_organizer(ballot.committee))
    for name in ("paper_batch", "paper_batch_confirm"):
        page = client.get(url(name, ballot.pk, batch.pk))
        assert page.status_code == 200
        assert "94.06" not in page.text and "71.30" not in page.text


@pytest.mark.parametrize("data", [
    {"issued": 1, "returned": 2, "void": 0},
    {"issued": 2, "returned": 2, "void": 3},
    {"issued": 2, "returned": 2, "void": 0},
    {"issued": "", "returned": "x", "void": "-1"},
])
def test_a_paper_batch_with_bad_counts_gives_a_message_and_changes_nothing(client, data):
    ballot, organizer, voters = make_open_ballot()
    login(client, organizer)
    response = client.post(url("paper_batches", ballot.pk), {**data, "voters": [voters[0].pk]})
    assert response.status_code == 200 and messages_of(response)
    assert not PaperBatch.objects.exists()


def test_a_paper_batch_with_someone_who_already_voted_gives_a_message(client):
    ballot, organizer, voters = make_open_ballot()
    services.vote_cast(ballot=ballot, voter=voters[0], choices=choices(ballot, "yes"))
    login(client, organizer)
    response = client.post(url("paper_batches", ballot.pk), {"issued": 1, "returned": 1, "void": 0,
                                                              "voters": [voters[0].pk]}, follow=True)
    assert messages_of(response)
    assert not PaperBatch.objects.exists()


def test_floor_leader_enters_an_assisted_vote_that_the_resident_then_sees(client):
    ballot, _organizer, voters = make_open_ballot(secrecy=Ballot.Secrecy.SECRET)
    leader = voters[3]
    member_services.role_grant(user=leader, kind=Role.Kind.FLOOR_LEADER, building=ballot.building, by=None)
    login(client, leader)
    page = client.get(url("assisted_vote", ballot.pk))
    assert page.status_code == 200
    holder = next(h for h in page.context["form"].fields["holder"].queryset if h.user_id == voters[0].pk)
    yes = option(ballot, "yes")
    response = client.post(url("assisted_vote", ballot.pk), {"holder": holder.pk, f"q{yes.question_id}": yes.pk,
                                                              "consent_note": "上门询问, 女儿在场"}, follow=True)
    participation = Participation.objects.get()
    assert (participation.user, participation.entered_by, participation.channel) == (voters[0], leader, "assisted")
    assert any(participation.receipt in m for m in messages_of(response))
    login(client, voters[0])
    mine = client.get(url("my_ballots"))
    assert "上门询问, 女儿在场" in mine.text and leader.full_name in mine.text and participation.receipt in mine.text
    assert yes.label not in mine.text, "a secret ballot never shows the choice, even to the voter"


def test_an_assisted_vote_without_consent_or_for_someone_elsewhere_changes_nothing(client):
    ballot, organizer, voters = make_open_ballot()
    other, _o, other_voters = make_open_ballot()
    yes = option(ballot, "yes")
    login(client, organizer)
    holder = client.get(url("assisted_vote", ballot.pk)).context["form"].fields["holder"].queryset.first()
    response = client.post(url("assisted_vote", ballot.pk), {"holder": holder.pk, f"q{yes.question_id}": yes.pk,
                                                              "consent_note": " "})
    assert response.status_code == 200 and messages_of(response)
    foreign_holder = other.voices.first().holders.first()
    response = client.post(url("assisted_vote", ballot.pk), {"holder": foreign_holder.pk,
                                                              f"q{yes.question_id}": yes.pk, "consent_note": "ok"})
    assert response.status_code == 200 and messages_of(response)
    assert not Participation.objects.exists()


def test_a_floor_leader_of_another_building_cannot_assist(client):
    ballot, _organizer, _voters = make_open_ballot()
    elsewhere = make_building(ballot.building.compound)
    leader = make_resident(make_household(elsewhere))
    member_services.role_grant(user=leader, kind=Role.Kind.FLOOR_LEADER, building=elsewhere, by=None)
    login(client, leader)
    assert client.get(url("assisted_vote", ballot.pk)).status_code == 404


def test_an_assisted_vote_cannot_replace_the_residents_own_vote(client):
    ballot, organizer, voters = make_open_ballot()
    services.vote_cast(ballot=ballot, voter=voters[0], choices=choices(ballot, "no"))
    login(client, organizer)
    holder = ballot.voices.get(holders__user=voters[0]).holders.get()
    yes = option(ballot, "yes")
    response = client.post(url("assisted_vote", ballot.pk), {"holder": holder.pk, f"q{yes.question_id}": yes.pk,
                                                              "consent_note": "电话"}, follow=True)
    assert messages_of(response)
    assert Participation.objects.count() == 1


# --- Query counts ---------------------------------------------------------------------------------

def _count(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("secrecy", [Ballot.Secrecy.SECRET, Ballot.Secrecy.NAMED])
def test_ballot_and_results_pages_run_the_same_queries_with_10_and_200_votes(client, secrecy,
                                                                            django_assert_max_num_queries):
    building, reps = make_building_of_households(200)
    committee = building.compound.committee
    organizer = make_organizer(committee)
    few, many = (services.ballot_create(committee=committee, by=organizer, title=f"B{n}", secrecy=secrecy,
                                        electorate=Ballot.Electorate.HOUSEHOLDS, building=building)
                 for n in (10, 200))
    for ballot, n in ((few, 10), (many, 200)):
        services.ballot_open(ballot=ballot, by=organizer)
        ballot.refresh_from_db()
        yes = choices(ballot, "yes")
        for voter in reps[:n]:
            services.vote_cast(ballot=ballot, voter=voter, choices=yes)
    viewer = reps[0]
    login(client, viewer)
    open_counts = [_count(client, url("ballot_detail", b.pk)) for b in (few, many)]
    assert open_counts[0] == open_counts[1]
    for ballot in (few, many):
        services.ballot_close(ballot=ballot, by=organizer)
        open_box(ballot)
    login(client, organizer)
    closed_counts = [_count(client, url(name, b.pk)) for name in ("ballot_detail", "ballot_results", "ballot_manage")
                     for b in (few, many)]
    assert closed_counts[0::2] == closed_counts[1::2]
    for ballot in (few, many):
        services.ballot_publish(ballot=ballot, by=organizer)
    login(client, viewer)
    published = {name: [_count(client, url(name, b.pk)) for b in (few, many)]
                 for name in ("ballot_detail", "ballot_results")}
    for name, (small, big) in published.items():
        assert small == big, name
    with django_assert_max_num_queries(20):
        response = client.get(url("ballot_results", many.pk))
    assert len(response.context["results"]["receipts"]) == 200
    if secrecy == Ballot.Secrecy.NAMED:
        assert len(response.context["results"]["named"]) == 200


def _many_ballots(n: int = 55):
    """One household whose representative is on ``n`` ballots of one committee, in every state."""
    building, reps = make_building_of_households(2)
    committee = building.compound.committee
    organizer = make_organizer(committee)
    for i in range(n):
        ballot = services.ballot_create(committee=committee, by=organizer, title=f"议题 {i}", building=building,
                                        electorate=Ballot.Electorate.HOUSEHOLDS)
        services.ballot_open(ballot=ballot, by=organizer)
        if i % 3:
            services.vote_cast(ballot=ballot, voter=reps[0], choices=choices(ballot, "yes"))
            services.vote_cast(ballot=ballot, voter=reps[1], choices=choices(ballot, "no"))
        if i % 3 == 2:
            services.vote_cast(ballot=ballot, voter=reps[0], choices=choices(ballot, "no"))
        if i % 5 == 0:
            services.ballot_close(ballot=ballot, by=organizer)
        if i % 10 == 0:
            open_box(ballot)
            services.ballot_publish(ballot=ballot, by=organizer)
    return committee, organizer, reps


def test_my_ballots_and_the_committee_list_use_a_constant_number_of_queries(client,
                                                                             django_assert_max_num_queries):
    committee, organizer, reps = _many_ballots(55)
    login(client, reps[0])
    with django_assert_max_num_queries(12):
        response = client.get(url("my_ballots"))
    assert len(response.context["waiting"]) + len(response.context["voted"]) >= 50
    login(client, organizer)
    with django_assert_max_num_queries(12):
        response = client.get(url("committee_ballots", committee.pk))
    assert len(response.context["page"]) == 50
    assert {b.participants for b in response.context["page"]} == {0, 2}


def test_paper_and_assisted_pages_use_a_constant_number_of_queries(client, django_assert_max_num_queries):
    ballot, organizer, voters = make_open_ballot(n=60)
    for i in range(5):
        services.paper_batch_create(ballot=ballot, by=organizer, issued=2, returned=2, void=0,
                                    voters=voters[2 * i:2 * i + 2])
    login(client, organizer)
    for name in ("paper_batches", "assisted_vote", "ballot_manage"):
        with django_assert_max_num_queries(15):
            assert client.get(url(name, ballot.pk)).status_code == 200


def test_secret_contents_are_untouched_by_page_views(client):
    ballot, organizer, voters = make_open_ballot()
    login(client, voters[0])
    vote(client, ballot, "yes")
    cast = Participation.objects.get()
    assert not SecretContent.objects.exists()
    assert cast.paper is not None and cast.receipt == box.receipt_of(box.digest(cast.paper))
    assert selectors.counted_receipts(ballot) == [cast.receipt]


def test_the_manage_page_removes_a_draft_question(client):
    from tests.decisions.factories import make_building_of_households
    from tests.factories import make_committee, make_organizer

    building, _reps = make_building_of_households(2)
    committee = building.compound.committee
    organizer = make_organizer(committee)
    ballot = services.ballot_create(committee=committee, by=organizer, title="标题",
                                    electorate=Ballot.Electorate.HOUSEHOLDS, building=building)
    services.question_add(ballot=ballot, by=organizer, text="第二问")
    first = ballot.questions.order_by("position").first()
    url = reverse("decisions:question_remove", args=[ballot.pk, first.pk])
    client.force_login(organizer)
    assert url in client.get(reverse("decisions:ballot_manage", args=[ballot.pk])).text
    client.force_login(make_organizer(make_committee()))
    assert client.post(url).status_code == 404
    client.force_login(organizer)
    assert client.post(url).status_code == 302
    assert list(ballot.questions.values_list("text", flat=True)) == ["第二问"]
