"""The decision core's pages as a resident meets them: who sees what, vote → confirm → receipt, results."""


import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from decisions import services
from decisions.models import Ballot, Channel, PaperBatch, Participation, Question
from tests.decisions.factories import choices, make_building_of_households, make_open_ballot, open_box, option
from tests.decisions.helpers import in_chinese, login, messages_of, url, vote
from tests.factories import (
    make_building,
    make_committee,
    make_household,
    make_organizer,
    make_resident,
    make_street_officer,
)

pytestmark = pytest.mark.django_db


# --- Scoping ---------------------------------------------------------------------------------

ORGANIZER_GETS = ["ballot_manage", "ballot_open", "ballot_close", "ballot_publish", "ballot_cancel",
                  "paper_batches", "assisted_vote"]
ORGANIZER_POSTS = ["question_add", "named_voters", "ballot_open", "ballot_close", "ballot_publish", "ballot_cancel",
                   "paper_batches", "assisted_vote"]


@pytest.fixture
def foreign_organizer():
    return make_organizer(make_committee())


@pytest.mark.parametrize("name", ORGANIZER_GETS)
def test_organizer_of_another_committee_gets_404_on_every_organizer_page(client, foreign_organizer, name):
    ballot, organizer, _voters = make_open_ballot()
    login(client, organizer)
    assert client.get(url(name, ballot.pk)).status_code == 200
    login(client, foreign_organizer)
    assert client.get(url(name, ballot.pk)).status_code == 404


@pytest.mark.parametrize("name", ORGANIZER_POSTS)
def test_organizer_of_another_committee_gets_404_on_every_action_and_nothing_changes(client, foreign_organizer,
                                                                                     name):
    ballot, _organizer, voters = make_open_ballot()
    yes = option(ballot, "yes")
    login(client, foreign_organizer)
    response = client.post(url(name, ballot.pk), {
        "reason": "x", "text": "Another?", "kind": "single", "max_choices": 1, "issued": 1, "returned": 1,
        "void": 0, "voters": [voters[0].pk], f"q{yes.question_id}": yes.pk, "consent_note": "ok"})
    assert response.status_code == 404
    ballot.refresh_from_db()
    assert ballot.status == Ballot.Status.OPEN
    assert ballot.questions.count() == 1
    assert not Participation.objects.exists() and not PaperBatch.objects.exists()


def test_organizer_of_another_committee_gets_404_on_paper_batch_pages(client, foreign_organizer):
    ballot, organizer, voters = make_open_ballot()
    batch = services.paper_batch_create(ballot=ballot, by=organizer, issued=1, returned=1, void=0,
                                        voters=[voters[0]])
    login(client, foreign_organizer)
    for name in ("paper_batch", "paper_batch_confirm"):
        assert client.get(url(name, ballot.pk, batch.pk)).status_code == 404
        assert client.post(url(name, ballot.pk, batch.pk), {}).status_code == 404
    batch.refresh_from_db()
    assert batch.status == PaperBatch.Status.PENDING and not batch.sheets.exists()


def test_a_batch_of_another_ballot_is_404_even_for_the_organizer(client):
    ballot, organizer, voters = make_open_ballot()
    other, other_organizer, other_voters = make_open_ballot()
    batch = services.paper_batch_create(ballot=other, by=other_organizer, issued=1, returned=1, void=0,
                                        voters=[other_voters[0]])
    login(client, organizer)
    assert client.get(url("paper_batch", ballot.pk, batch.pk)).status_code == 404


def test_committee_ballot_list_and_new_ballot_are_404_for_another_committee(client, foreign_organizer):
    committee = make_committee()
    login(client, make_organizer(committee))
    assert client.get(url("committee_ballots", committee.pk)).status_code == 200
    assert client.get(url("ballot_create", committee.pk)).status_code == 200
    login(client, foreign_organizer)
    assert client.get(url("committee_ballots", committee.pk)).status_code == 404
    assert client.post(url("ballot_create", committee.pk), {"title": "x"}).status_code == 404
    assert not Ballot.objects.exists()


def test_resident_gets_404_on_the_organizer_pages(client):
    ballot, _organizer, voters = make_open_ballot()
    login(client, voters[0])
    for name in ORGANIZER_GETS:
        if name == "assisted_vote":
            continue
        assert client.get(url(name, ballot.pk)).status_code == 404
    assert client.get(url("assisted_vote", ballot.pk)).status_code == 404
    assert client.get(url("committee_ballots", ballot.committee_id)).status_code == 404


@pytest.mark.parametrize("name", ["ballot_detail", "ballot_results", "receipt_check", "ballot_manage",
                                  "paper_batches", "assisted_vote"])
def test_anonymous_visitors_are_sent_to_sign_in(client, name):
    ballot, _organizer, _voters = make_open_ballot()
    response = client.get(url(name, ballot.pk))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_anonymous_visitors_are_sent_to_sign_in_from_my_ballots_and_cannot_vote(client):
    ballot, _organizer, _voters = make_open_ballot()
    assert reverse("account_login") in client.get(url("my_ballots"))["Location"]
    response = client.post(url("ballot_vote", ballot.pk), {"action": "confirm"})
    assert reverse("account_login") in response["Location"]
    assert not Participation.objects.exists()


def test_a_resident_of_another_committee_gets_404_for_the_ballot(client):
    ballot, _organizer, _voters = make_open_ballot()
    login(client, make_resident())
    assert client.get(url("ballot_detail", ballot.pk)).status_code == 404
    assert client.get(url("ballot_results", ballot.pk)).status_code == 404


def test_a_draft_is_hidden_from_residents(client):
    building, reps = make_building_of_households(2)
    committee = building.compound.committee
    draft = services.ballot_create(committee=committee, by=make_organizer(committee), title="草案",
                                   electorate=Ballot.Electorate.HOUSEHOLDS)
    login(client, reps[0])
    assert client.get(url("ballot_detail", draft.pk)).status_code == 404


def test_a_resident_not_on_the_electorate_sees_why_and_cannot_vote(client):
    ballot, _organizer, _voters = make_open_ballot()
    # A verified resident of the same committee, but of another building: not on this ballot's electorate.
    outsider = make_resident(make_household(make_building(ballot.building.compound)))
    login(client, outsider)
    response = client.get(url("ballot_detail", ballot.pk))
    assert response.status_code == 200
    assert response.context["form"] is None
    assert response.context["state"].voice is None
    with translation.override("zh-hans"):
        assert response.context["state"].reason == translation.gettext(
            "You are not on the electorate of this ballot, so you cannot vote on it.")
    yes = option(ballot, "yes")
    response = client.post(url("ballot_vote", ballot.pk), {f"q{yes.question_id}": yes.pk, "action": "confirm",
                                                            "after": "0"}, follow=True)
    assert messages_of(response) == [response.context["state"].reason]
    assert not Participation.objects.exists()


# --- Vote → confirm → receipt --------------------------------------------------------------------

def test_resident_votes_confirms_and_gets_a_receipt(client):
    ballot, _organizer, voters = make_open_ballot(secrecy=Ballot.Secrecy.SECRET)
    login(client, voters[0])
    page = client.get(url("ballot_detail", ballot.pk))
    assert page.status_code == 200 and page.context["form"] is not None
    yes = option(ballot, "yes")
    assert f'name="q{yes.question_id}" value="{yes.pk}"' in page.text

    confirm = client.post(url("ballot_vote", ballot.pk), {f"q{yes.question_id}": yes.pk})
    assert confirm.status_code == 200
    assert confirm.templates[0].name == "decisions/vote_confirm.html"
    assert yes.label in confirm.text
    assert f'<input type="hidden" name="q{yes.question_id}" value="{yes.pk}">' in confirm.text
    assert not Participation.objects.exists(), "choosing is not voting: nothing is stored before confirming"

    response = client.post(url("ballot_vote", ballot.pk), {f"q{yes.question_id}": yes.pk, "action": "confirm",
                                                            "after": "0"})
    participation = Participation.objects.get()
    assert participation.user == voters[0] and participation.channel == Channel.ONLINE
    assert response["Location"] == url("ballot_receipt", ballot.pk, participation.receipt)
    assert "messages" not in response.cookies, "the receipt page itself says the vote is recorded"
    receipt = client.get(response["Location"])
    assert participation.receipt in receipt.text
    assert receipt.context["status"] == "counted"
    recorded = in_chinese("Your vote has been recorded.")
    assert f'role="status"><ul class="messages"><li class="message message-success">{recorded}' in receipt.text
    mine = client.get(url("my_ballots"))
    assert participation.receipt in mine.text
    assert not mine.context["waiting"] and len(mine.context["voted"]) == 1


def test_change_keeps_the_choices_and_records_nothing(client):
    ballot, _organizer, voters = make_open_ballot()
    no = option(ballot, "no")
    login(client, voters[0])
    response = client.post(url("ballot_vote", ballot.pk), {f"q{no.question_id}": no.pk, "action": "change",
                                                            "after": "0"})
    assert response.status_code == 200
    assert response.templates[0].name == "decisions/ballot_detail.html"
    assert response.context["form"][f"q{no.question_id}"].value() == str(no.pk)
    assert not Participation.objects.exists()


def test_a_double_post_of_the_confirmation_records_one_vote(client):
    ballot, _organizer, voters = make_open_ballot(allow_change=True)
    yes = option(ballot, "yes")
    login(client, voters[0])
    data = {f"q{yes.question_id}": yes.pk, "action": "confirm", "after": "0"}
    assert client.post(url("ballot_vote", ballot.pk), data).status_code == 302
    second = client.post(url("ballot_vote", ballot.pk), data, follow=True)
    assert second.status_code == 200
    assert Participation.objects.count() == 1
    receipt = Participation.objects.get().receipt
    assert any(receipt in m for m in messages_of(second))


def test_a_changed_vote_replaces_the_earlier_one_and_both_receipts_are_listed(client):
    ballot, _organizer, voters = make_open_ballot(allow_change=True)
    login(client, voters[0])
    vote(client, ballot, "yes")
    vote(client, ballot, "no")
    first, second = Participation.objects.order_by("version")
    page = client.get(url("my_ballots"))
    voice = page.context["voted"][0]
    assert [(p.receipt, counts) for p, counts in voice.receipts] == [(second.receipt, True),
                                                                      (first.receipt, False)]
    replaced = client.get(url("ballot_receipt", ballot.pk, first.receipt))
    assert replaced.context["status"] == "replaced"
    assert in_chinese("Your vote has been recorded.") not in replaced.text
    assert in_chinese("A later vote of yours replaced this one; the later one counts.") in replaced.text


def test_no_option_chosen_gives_a_message_and_changes_nothing(client):
    ballot, _organizer, voters = make_open_ballot()
    login(client, voters[0])
    for data in ({}, {"action": "confirm", "after": "0"}):
        response = client.post(url("ballot_vote", ballot.pk), data)
        assert response.status_code == 200
        assert messages_of(response)
        assert response.context["form"].errors
    assert not Participation.objects.exists()


def test_an_option_of_another_ballot_gives_a_message_and_changes_nothing(client):
    ballot, _organizer, voters = make_open_ballot()
    other, _o, _v = make_open_ballot()
    question = ballot.questions.get()
    foreign = option(other, "yes")
    login(client, voters[0])
    for data in ({f"q{question.pk}": foreign.pk},
                 {f"q{question.pk}": foreign.pk, "action": "confirm", "after": "0"},
                 {f"q{question.pk}": "1 OR 1=1", "action": "confirm", "after": "0"},
                 {f"q{foreign.question_id}": foreign.pk, "action": "confirm", "after": "0"}):
        response = client.post(url("ballot_vote", ballot.pk), data)
        assert response.status_code == 200
        assert messages_of(response)
    assert not Participation.objects.exists()


def test_tampered_hidden_fields_never_change_who_votes(client):
    ballot, _organizer, voters = make_open_ballot()
    yes = option(ballot, "yes")
    login(client, voters[0])
    client.post(url("ballot_vote", ballot.pk), {f"q{yes.question_id}": yes.pk, "action": "confirm", "after": "0",
                                                 "voter": voters[1].pk, "user": voters[1].pk})
    assert list(Participation.objects.values_list("user", flat=True)) == [voters[0].pk]


def test_a_stale_or_tampered_after_field_gives_a_message_and_changes_nothing(client):
    ballot, _organizer, voters = make_open_ballot()
    yes = option(ballot, "yes")
    login(client, voters[0])
    for after in ("3", "x", ""):
        response = client.post(url("ballot_vote", ballot.pk), {f"q{yes.question_id}": yes.pk, "action": "confirm",
                                                                "after": after}, follow=True)
        assert response.status_code == 200 and messages_of(response)
    assert not Participation.objects.exists()


def test_voting_after_close_gives_a_message(client):
    ballot, organizer, voters = make_open_ballot()
    services.ballot_close(ballot=ballot, by=organizer)
    yes = option(ballot, "yes")
    login(client, voters[0])
    response = client.post(url("ballot_vote", ballot.pk), {f"q{yes.question_id}": yes.pk, "action": "confirm",
                                                            "after": "0"}, follow=True)
    assert response.status_code == 200 and messages_of(response)
    assert not Participation.objects.exists()


def test_a_ballot_without_changes_refuses_a_second_vote_with_a_message(client):
    ballot, _organizer, voters = make_open_ballot(allow_change=False)
    login(client, voters[0])
    vote(client, ballot, "yes")
    page = client.get(url("ballot_detail", ballot.pk))
    assert page.context["form"] is None and page.context["state"].reason
    no = option(ballot, "no")
    response = client.post(url("ballot_vote", ballot.pk), {f"q{no.question_id}": no.pk, "action": "confirm",
                                                            "after": "1"}, follow=True)
    assert messages_of(response)
    assert Participation.objects.count() == 1


def test_someone_elses_receipt_page_is_404(client):
    ballot, _organizer, voters = make_open_ballot()
    participation = services.vote_cast(ballot=ballot, voter=voters[0], choices=choices(ballot, "yes"))
    login(client, voters[1])
    assert client.get(url("ballot_receipt", ballot.pk, participation.receipt)).status_code == 404


def test_a_multiple_choice_question_refuses_too_many_options(client):
    building, reps = make_building_of_households(2)
    committee = building.compound.committee
    organizer = make_organizer(committee)
    ballot = services.ballot_create(committee=committee, by=organizer, title="绿化", building=building,
                                    electorate=Ballot.Electorate.HOUSEHOLDS, rule=Ballot.Rule.NONE)
    question = services.question_add(ballot=ballot, by=organizer, text="种什么?", kind=Question.Kind.MULTIPLE,
                                      max_choices=2, options=[services.OptionSpec(x) for x in "ABC"])
    services.ballot_open(ballot=ballot, by=organizer)
    first = ballot.questions.order_by("position").first().options.first()
    ids = list(question.options.values_list("pk", flat=True))
    login(client, reps[0])
    page = client.get(url("ballot_detail", ballot.pk))
    assert 'type="checkbox"' in page.text
    response = client.post(url("ballot_vote", ballot.pk), {f"q{first.question_id}": first.pk,
                                                            f"q{question.pk}": ids})
    assert response.status_code == 200 and messages_of(response)
    response = client.post(url("ballot_vote", ballot.pk), {f"q{first.question_id}": first.pk,
                                                            f"q{question.pk}": ids[:2], "action": "confirm",
                                                            "after": "0"})
    assert response.status_code == 302
    assert Participation.objects.count() == 1


# --- Who sees results ---------------------------------------------------------------------------

@pytest.fixture
def voted_ballot():
    ballot, organizer, voters = make_open_ballot(secrecy=Ballot.Secrecy.SECRET)
    services.vote_cast(ballot=ballot, voter=voters[0], choices=choices(ballot, "yes"))
    services.vote_cast(ballot=ballot, voter=voters[1], choices=choices(ballot, "no"))
    services.vote_cast(ballot=ballot, voter=voters[2], choices=choices(ballot, "yes"))
    officer = make_street_officer(ballot.committee.street)
    return ballot, organizer, voters, officer


def _sees_results(client, user, ballot) -> bool:
    login(client, user)
    detail = client.get(url("ballot_detail", ballot.pk))
    page = client.get(url("ballot_results", ballot.pk))
    assert detail.status_code == 200 and page.status_code == 200
    assert (detail.context["results"] is None) == (page.context["results"] is None)
    return detail.context["results"] is not None


def test_results_are_hidden_from_everyone_while_open(client, voted_ballot):
    ballot, organizer, voters, officer = voted_ballot
    for user in (organizer, officer, voters[0]):
        assert not _sees_results(client, user, ballot)
    login(client, organizer)
    assert client.get(url("ballot_detail", ballot.pk)).context["facts"]["turnout"]["voices"] == 3


def test_results_after_close_are_shown_to_the_organizers_only(client, voted_ballot):
    ballot, organizer, voters, officer = voted_ballot
    services.ballot_close(ballot=ballot, by=organizer)
    # Until the scrutineers open the box there are no counts: no preview, not even for organizers.
    assert not _sees_results(client, organizer, ballot)
    open_box(ballot)
    assert _sees_results(client, organizer, ballot)
    assert not _sees_results(client, officer, ballot)
    assert not _sees_results(client, voters[0], ballot)
    login(client, organizer)
    page = client.get(url("ballot_manage", ballot.pk))
    assert page.context["results"]["verdict"].outcome == "passed"
    assert page.context["results"]["receipts"] == []


def test_results_after_publication_are_shown_to_everyone_who_may_view(client, voted_ballot):
    ballot, organizer, voters, officer = voted_ballot
    services.ballot_close(ballot=ballot, by=organizer)
    open_box(ballot)
    services.ballot_publish(ballot=ballot, by=organizer)
    for user in (organizer, officer, voters[0], voters[3]):
        assert _sees_results(client, user, ballot)
    login(client, voters[3])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(url("ballot_results", ballot.pk))
    results = page.context["results"]
    assert results["verdict"].outcome == "passed"
    assert sorted(results["receipts"]) == sorted(Participation.objects.values_list("receipt", flat=True))
    # Every counted receipt is listed once; the reader's own is marked, and no one else's.
    listed = re.findall(r'<li( class="mine")?><code>([A-Z0-9-]+)</code>( <strong>\(yours\)</strong>)?</li>',
                        page.text)
    assert sorted(code for _mine, code, _yours in listed) == sorted(results["receipts"])
    assert {code for mine, code, yours in listed if mine and yours} == set(
        Participation.objects.filter(ballot=ballot, user=voters[3]).values_list("receipt", flat=True))
    assert not [code for mine, code, yours in listed if bool(mine) != bool(yours)]
    with translation.override("en"):
        lines = [escape(str(line)) for line in results["verdict"].lines]
    assert "Yes 66.7% of votes cast &gt; 50.0% (2 of 3) ✓" in lines
    for line in lines:
        assert line in page.text


def test_a_secret_result_never_shows_names(client):
    ballot, organizer, voters = make_open_ballot(secrecy=Ballot.Secrecy.SECRET)
    for voter, meaning in zip(voters, ["yes", "no", "yes", "abstain"], strict=True):
        services.vote_cast(ballot=ballot, voter=voter, choices=choices(ballot, meaning))
    services.ballot_close(ballot=ballot, by=organizer)
    open_box(ballot)
    login(client, organizer)
    preview = client.get(url("ballot_manage", ballot.pk))
    assert preview.context["results"] is not None
    preview = preview.text
    services.ballot_publish(ballot=ballot, by=organizer)
    pages = [preview] + [client.get(url(name, ballot.pk)).text for name in ("ballot_detail", "ballot_results")]
    login(client, voters[0])
    pages += [client.get(url(name, ballot.pk)).text for name in ("ballot_detail", "ballot_results")]
    for text in pages:
        for voter in voters:
            assert voter.full_name not in text


def test_a_named_result_lists_each_voters_choice_after_publication_only(client):
    ballot, organizer, voters = make_open_ballot(secrecy=Ballot.Secrecy.NAMED)
    services.vote_cast(ballot=ballot, voter=voters[0], choices=choices(ballot, "yes"))
    services.vote_cast(ballot=ballot, voter=voters[1], choices=choices(ballot, "no"))
    services.ballot_close(ballot=ballot, by=organizer)
    login(client, organizer)
    assert client.get(url("ballot_results", ballot.pk)).context["results"]["named"] == []
    services.ballot_publish(ballot=ballot, by=organizer)
    login(client, voters[3])
    page = client.get(url("ballot_results", ballot.pk))
    named = {p.user_id: [c.option.meaning for c in p.choices.all()] for p in page.context["results"]["named"]}
    assert named == {voters[0].pk: ["yes"], voters[1].pk: ["no"]}
    assert voters[0].full_name in page.text


def test_receipt_check_says_counted_replaced_or_not_found(client):
    ballot, organizer, voters = make_open_ballot()
    first = services.vote_cast(ballot=ballot, voter=voters[0], choices=choices(ballot, "yes"))
    second = services.vote_cast(ballot=ballot, voter=voters[0], choices=choices(ballot, "no"))
    login(client, voters[1])
    early = client.get(url("receipt_check", ballot.pk), {"code": second.receipt})
    assert early.context["status"] is None and messages_of(early)
    services.ballot_close(ballot=ballot, by=organizer)
    open_box(ballot)
    services.ballot_publish(ballot=ballot, by=organizer)
    check = lambda code: client.get(url("receipt_check", ballot.pk), {"code": code}).context["status"]  # noqa: E731
    assert check(second.receipt) == "counted"
    assert check(second.receipt.lower().replace("-", " ")) == "counted"
    assert check(first.receipt) == "replaced"
    assert check("AAAA-BBBB-CCCC") == "unknown"
    bad = client.get(url("receipt_check", ballot.pk), {"code": "nonsense"})
    assert bad.status_code == 200 and bad.context["status"] is None and messages_of(bad)
