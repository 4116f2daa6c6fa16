"""Reads of the decision core (decisions.selectors): counts, turnout, receipts, who may see what."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser

from decisions import rules, selectors, services
from decisions.models import Ballot, Participation, Question, SecretContent
from decisions.services.box import box_list
from tests.decisions.factories import (
    choices,
    make_building_of_households,
    make_open_ballot,
    make_paper_batch,
    open_box,
    read_papers,
)
from tests.factories import (
    make_building,
    make_committee,
    make_compound,
    make_household,
    make_organizer,
    make_pending_request,
    make_resident,
    make_site_admin,
    make_street,
    make_street_officer,
    make_user,
)

pytestmark = pytest.mark.django_db

SECRECIES = [Ballot.Secrecy.NAMED, Ballot.Secrecy.SECRET]


def by_meaning(payload: dict) -> dict[str, tuple[int, str]]:
    """Meaning → (count, area) of the first question of a result payload."""
    return {o["meaning"]: (o["count"], o["area"]) for o in payload["questions"][0]["options"]}


def counted_payload(ballot: Ballot) -> dict:
    """The result payload once the votes are counted: a sealed ballot is closed and its box opened first."""
    ballot.refresh_from_db()
    if ballot.is_sealed and ballot.status == Ballot.Status.OPEN:
        services.ballot_close(ballot=ballot, by=ballot.scrutineers.get(position=1).user)
        open_box(ballot)
    return selectors.result_payload(ballot)


def vote(ballot: Ballot, voter, meaning: str):
    return services.vote_cast(ballot=ballot, voter=voter, choices=choices(ballot, meaning))


def rating_ballot(secrecy: str, n: int):
    """An open rating ballot (满意 / 基本满意 / 不满意 / 不了解) to ``n`` households."""
    building, voters = make_building_of_households(n)
    committee = building.compound.committee
    organizer = make_organizer(committee)
    ballot = services.ballot_create(committee=committee, by=organizer, title="物业服务评议", secrecy=secrecy,
                                    electorate=Ballot.Electorate.HOUSEHOLDS, rule=Ballot.Rule.NONE,
                                    question_kind=Question.Kind.RATING)
    return services.ballot_open(ballot=ballot, by=organizer), voters, organizer


def rate(ballot: Ballot, voter, label: str):
    level = ballot.questions.get().options.get(label=label)
    return services.vote_cast(ballot=ballot, voter=voter, choices={level.question_id: [level.pk]})


# --- result_payload ----------------------------------------------------------------------------------

@pytest.mark.parametrize("secrecy", SECRECIES)
def test_result_payload_counts_the_stored_ballots(secrecy):
    ballot, _organizer, voters = make_open_ballot(secrecy=secrecy, n=5, areas=["100", "90", "80", "70", "60"])
    for voter, meaning in zip(voters, ["yes", "yes", "no", "abstain"], strict=False):
        vote(ballot, voter, meaning)
    payload = counted_payload(ballot)
    assert payload["turnout"] == {"voices": 4, "area": "340.00"}
    assert payload["electorate"] == {"voices": 5, "area": "400.00"}
    assert {m: c for m, (c, _a) in by_meaning(payload).items()} == {"yes": 2, "no": 1, "abstain": 1}
    question = ballot.questions.get()
    assert payload["questions"][0]["id"] == question.pk
    assert payload["questions"][0]["kind"] == "single"
    option_ids = list(question.options.values_list("pk", flat=True))
    assert [o["id"] for o in payload["questions"][0]["options"]] == option_ids
    assert "rating" not in payload["questions"][0]
    assert payload["verdict"] == "passed"


def test_result_payload_of_a_named_ballot_weighs_each_option_by_its_voters_floor_areas():
    ballot, _organizer, voters = make_open_ballot(secrecy=Ballot.Secrecy.NAMED, n=4,
                                                  areas=["100", "90", "80", "70"])
    for voter, meaning in zip(voters, ["yes", "yes", "no"], strict=False):
        vote(ballot, voter, meaning)
    assert by_meaning(selectors.result_payload(ballot)) == {
        "yes": (2, "190.00"), "no": (1, "80.00"), "abstain": (0, "0.00")}


def test_result_payload_of_a_secret_ballot_keeps_no_floor_area_unless_the_rule_needs_it():
    ballot, _organizer, voters = make_open_ballot(n=3, areas=["100", "90", "80"])
    vote(ballot, voters[0], "yes")
    vote(ballot, voters[1], "no")
    assert by_meaning(counted_payload(ballot)) == {
        "yes": (1, "0.00"), "no": (1, "0.00"), "abstain": (0, "0.00")}
    # Not even inside the sealed papers: a simple majority needs no floor area.
    assert [paper.area for paper in read_papers(ballot)] == [None, None]


@pytest.mark.parametrize("secrecy", SECRECIES)
def test_result_payload_counts_only_the_latest_version_of_each_vote(secrecy):
    ballot, _organizer, voters = make_open_ballot(secrecy=secrecy, n=3)
    for meaning in ("yes", "no", "yes"):
        vote(ballot, voters[0], meaning)
    vote(ballot, voters[1], "no")
    vote(ballot, voters[1], "abstain")
    payload = counted_payload(ballot)
    assert {m: c for m, (c, _a) in by_meaning(payload).items()} == {"yes": 1, "no": 0, "abstain": 1}
    assert payload["turnout"]["voices"] == 2
    assert Participation.objects.filter(ballot=ballot).count() == 5
    assert selectors.latest_participations(ballot).count() == 2
    if secrecy == Ballot.Secrecy.SECRET:
        # Five sealed papers are kept; the box holds (and its opening counted) each voice's latest.
        assert Participation.objects.filter(ballot=ballot, paper__isnull=False).count() == 5
        ballot.refresh_from_db()
        assert len(box_list(ballot)) == ballot.box_tally["papers"] == 2


def test_result_payload_with_nobody_voting_is_invalid():
    ballot, _organizer, _voters = make_open_ballot(n=2)
    payload = counted_payload(ballot)
    assert payload["turnout"] == {"voices": 0, "area": None}
    assert payload["verdict"] == "invalid"


# --- turnout ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("secrecy", SECRECIES)
def test_turnout_counts_voices_and_floor_area_of_those_who_took_part_in_any_channel(secrecy):
    ballot, organizer, voters = make_open_ballot(secrecy=secrecy, n=4, areas=["100", "80", "60", "60"])
    assert selectors.turnout(ballot) == selectors.Turnout(voices=0, area=None, electorate=4,
                                                          electorate_area=Decimal("300.00"))
    vote(ballot, voters[0], "yes")
    vote(ballot, voters[0], "no")
    services.vote_cast(ballot=ballot, voter=voters[1], choices=choices(ballot, "yes"), channel="assisted",
                       entered_by=organizer, consent_note="电话确认")
    sheet = {"choices": choices(ballot, "no")}
    if secrecy == Ballot.Secrecy.NAMED:
        sheet["voter"] = voters[2]
    batch = make_paper_batch(ballot, organizer, voters[2:3], [sheet])
    assert selectors.turnout(ballot).voices == 2  # a pending batch does not count yet
    services.paper_batch_confirm(batch=batch, by=make_organizer(ballot.committee))
    took = selectors.turnout(ballot)
    assert (took.voices, took.area, took.electorate, took.electorate_area) == (
        3, Decimal("240.00"), 4, Decimal("300.00"))
    assert took.share == Decimal("0.75")


# --- ratings ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("secrecy", SECRECIES)
def test_a_rating_gives_the_satisfaction_rate_and_score_without_the_excluded_level(secrecy):
    ballot, voters, _organizer = rating_ballot(secrecy, 6)
    for voter, label in zip(voters, ["满意", "满意", "基本满意", "不满意", "不了解"], strict=False):
        rate(ballot, voter, label)
    payload = counted_payload(ballot)
    question = payload["questions"][0]
    assert {o["label"]: o["count"] for o in question["options"]} == {"满意": 2, "基本满意": 1, "不满意": 1,
                                                                     "不了解": 1}
    assert [o["excluded"] for o in question["options"]] == [False, False, False, True]
    # (2 + 1) satisfied of 4 valid answers; (2×100 + 60 + 0) / 4.
    assert question["rating"] == {"answers": 4, "rate": "75.0", "score": "65.0"}
    assert payload["turnout"]["voices"] == 5
    assert payload["verdict"] == "none"


def test_a_rating_with_only_excluded_answers_has_no_rate_or_score():
    ballot, voters, _organizer = rating_ballot(Ballot.Secrecy.SECRET, 2)
    rate(ballot, voters[0], "不了解")
    payload = counted_payload(ballot)
    assert payload["questions"][0]["options"][3]["count"] == 1  # counted, but outside the rate
    assert payload["questions"][0]["rating"] == {"answers": 0, "rate": None, "score": None}


def test_a_rating_counts_the_latest_level_of_a_changed_vote():
    ballot, voters, _organizer = rating_ballot(Ballot.Secrecy.SECRET, 2)
    rate(ballot, voters[0], "不满意")
    rate(ballot, voters[0], "满意")
    rate(ballot, voters[1], "基本满意")
    assert counted_payload(ballot)["questions"][0]["rating"] == {"answers": 2, "rate": "100.0", "score": "80.0"}


# --- Verdicts: Civil Code art. 278 -------------------------------------------------------------------------

@pytest.mark.parametrize("secrecy", SECRECIES)
@pytest.mark.parametrize(("votes", "verdict", "yes_area", "no_area"), [
    # 3 of 4 owners say yes, but the big flat (200 of 320 m²) says no: the area test fails.
    (["no", "yes", "yes", "yes"], "rejected", "120.00", "200.00"),
    # The big flat and one more say yes: 240 of 280 m² and 2 of 3 owners.
    (["yes", "yes", "no", None], "passed", "240.00", "40.00"),
    # Only 80 of 320 m² take part: fewer than two thirds of the area, so no valid decision.
    ([None, "yes", "yes", None], "invalid", "80.00", "0.00"),
])
def test_art278_weighs_each_household_by_its_floor_area_from_the_snapshot(secrecy, votes, verdict, yes_area,
                                                                          no_area):
    ballot, _organizer, voters = make_open_ballot(secrecy=secrecy, rule=Ballot.Rule.ART278,
                                                  areas=["200", "40", "40", "40"])
    for voter, meaning in zip(voters, votes, strict=True):
        if meaning:
            vote(ballot, voter, meaning)
    payload = counted_payload(ballot)
    counts = by_meaning(payload)
    assert (counts["yes"][1], counts["no"][1]) == (yes_area, no_area)
    assert payload["electorate"]["area"] == "320.00"
    assert payload["verdict"] == verdict
    assert selectors.verdict(ballot, payload).outcome == rules.Outcome(verdict)


def test_art278_major_needs_three_quarters_of_area_and_owners():
    ballot, _organizer, voters = make_open_ballot(secrecy=Ballot.Secrecy.NAMED, rule=Ballot.Rule.ART278_MAJOR,
                                                  areas=["100", "100", "100", "100"])
    for voter, meaning in zip(voters, ["yes", "yes", "yes", "no"], strict=True):
        vote(ballot, voter, meaning)
    assert selectors.result_payload(ballot)["verdict"] == "passed"
    vote(ballot, voters[2], "no")
    assert selectors.result_payload(ballot)["verdict"] == "rejected"


def test_art278_on_a_secret_ballot_weighs_a_paper_sheet_by_the_floor_area_written_on_it():
    ballot, organizer, voters = make_open_ballot(rule=Ballot.Rule.ART278, areas=["100", "100", "100", "300"])
    vote(ballot, voters[0], "yes")
    vote(ballot, voters[1], "yes")
    batch = make_paper_batch(ballot, organizer, voters[2:4], [
        {"choices": choices(ballot, "no"), "floor_area": Decimal("300.00")},
        {"choices": choices(ballot, "yes"), "floor_area": Decimal("100.00")}])
    services.paper_batch_confirm(batch=batch, by=make_organizer(ballot.committee))
    payload = counted_payload(ballot)
    assert by_meaning(payload) == {"yes": (3, "300.00"), "no": (1, "300.00"), "abstain": (0, "0.00")}
    assert payload["turnout"] == {"voices": 4, "area": "600.00"}
    # Yes holds 3 of 4 owners but exactly half the area, not more than half.
    assert payload["verdict"] == "rejected"
    # Each paper carries its weight inside the seal: the household's area online, the written one on a sheet.
    assert sorted(paper.area for paper in read_papers(ballot)) == ["100.00", "100.00", "100.00", "300.00"]
    assert not SecretContent.objects.exists()


def test_the_verdict_ignores_questions_without_a_for_option_and_applies_the_quorum():
    building, voters = make_building_of_households(4)
    committee = building.compound.committee
    organizer = make_organizer(committee)
    ballot = services.ballot_create(committee=committee, by=organizer, title="评议",
                                    rule=Ballot.Rule.SIMPLE_MAJORITY, question_kind=Question.Kind.RATING,
                                    electorate=Ballot.Electorate.HOUSEHOLDS, quorum=Decimal("0.75"))
    decided = services.question_add(ballot=ballot, by=organizer, text="是否续聘")
    ballot = services.ballot_open(ballot=ballot, by=organizer)
    satisfied = ballot.questions.get(position=1).options.get(label="满意")
    yes = decided.options.get(meaning="yes")
    for voter in voters[:2]:
        services.vote_cast(ballot=ballot, voter=voter, choices={satisfied.question_id: [satisfied.pk],
                                                                 decided.pk: [yes.pk]})
    # 2 of 4 below the 75 % quorum: the turnout alone says so, before any paper is counted.
    assert selectors.result_payload(ballot)["verdict"] == "invalid"
    services.vote_cast(ballot=ballot, voter=voters[2], choices={satisfied.question_id: [satisfied.pk],
                                                                 decided.pk: [yes.pk]})
    # Exactly 75 % is not more than the 75 % quorum; the fourth household's vote makes it valid.
    assert selectors.result_payload(ballot)["verdict"] == "invalid"
    services.vote_cast(ballot=ballot, voter=voters[3], choices={satisfied.question_id: [satisfied.pk],
                                                                 decided.pk: [yes.pk]})
    assert counted_payload(ballot)["verdict"] == "passed"


# --- Receipts ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("secrecy", SECRECIES)
def test_counted_receipts_and_receipt_status_follow_the_latest_version(secrecy):
    ballot, organizer, voters = make_open_ballot(secrecy=secrecy)
    replaced = vote(ballot, voters[0], "yes").receipt
    counted = vote(ballot, voters[0], "no").receipt
    other = vote(ballot, voters[1], "yes").receipt
    sheet = {"choices": choices(ballot, "yes")}
    if secrecy == Ballot.Secrecy.NAMED:
        sheet["voter"] = voters[2]
    batch = make_paper_batch(ballot, organizer, voters[2:3], [sheet])
    services.paper_batch_confirm(batch=batch, by=make_organizer(ballot.committee))
    paper = Participation.objects.get(ballot=ballot, user=voters[2]).receipt
    assert selectors.counted_receipts(ballot) == sorted([counted, other, paper])
    assert selectors.receipt_status(ballot, counted) == "counted"
    assert selectors.receipt_status(ballot, paper) == "counted"
    assert selectors.receipt_status(ballot, replaced) == "replaced"
    assert selectors.receipt_status(ballot, f"  {counted.lower()} ") == "counted"
    assert selectors.receipt_status(ballot, "AAAA-BBBB-CCCC") is None
    assert selectors.receipt_status(ballot, "") is None
    assert selectors.receipt_status(ballot, None) is None
    elsewhere, _o, others = make_open_ballot(secrecy=secrecy)
    assert selectors.receipt_status(elsewhere, counted) is None
    assert selectors.counted_receipts(elsewhere) == []


# --- Who may see what -----------------------------------------------------------------------------------

@pytest.fixture
def audience():
    """An open ballot to one building of a committee, and people in and around it."""
    ballot, organizer, voters = make_open_ballot(secrecy=Ballot.Secrecy.NAMED)
    committee = ballot.committee
    neighbour = make_resident(make_household(make_building(make_compound(committee))))
    return {
        "organizer": organizer,
        "site_admin": make_site_admin(),
        "street_officer": make_street_officer(committee.street),
        "voter": voters[0],
        "neighbour": neighbour,  # verified resident of the committee, not on this electorate
        "other_street_officer": make_street_officer(make_street()),
        "other_organizer": make_organizer(make_committee(committee.street)),
        "other_resident": make_resident(),
        "pending": make_pending_request(make_household(ballot.building)).user,
        "stranger": make_user(),
        "anonymous": AnonymousUser(),
    }, ballot


def test_can_view_is_for_organizers_street_officers_and_the_committees_residents(audience):
    people, ballot = audience
    viewers = {name for name, user in people.items() if selectors.can_view(user, ballot)}
    assert viewers == {"organizer", "site_admin", "street_officer", "voter", "neighbour"}


def test_can_view_includes_a_named_voter_from_outside_the_committee():
    committee = make_committee()
    organizer = make_organizer(committee)
    guest = make_user()
    ballot = services.ballot_create(committee=committee, by=organizer, title="议题",
                                    electorate=Ballot.Electorate.NAMED_LIST)
    services.ballot_set_named_voters(ballot=ballot, by=organizer, users=[guest])
    assert not selectors.can_view(guest, ballot)
    services.ballot_open(ballot=ballot, by=organizer)
    assert selectors.can_view(guest, ballot)


def _seeing(people: dict, ballot: Ballot) -> set[str]:
    ballot.refresh_from_db()
    return {name for name, user in people.items() if selectors.can_see_result(user, ballot)}


def test_the_result_is_hidden_from_everyone_until_close_then_shown_to_organizers_then_to_all(audience):
    people, ballot = audience
    organizer = people["organizer"]
    vote(ballot, people["voter"], "yes")
    assert _seeing(people, ballot) == set()
    services.ballot_close(ballot=ballot, by=organizer)
    assert _seeing(people, ballot) == {"organizer", "site_admin"}
    services.ballot_publish(ballot=ballot, by=organizer)
    assert _seeing(people, ballot) == set(people)


def test_a_sealed_ballots_result_is_previewed_only_once_its_box_is_opened():
    ballot, organizer, voters = make_open_ballot()
    vote(ballot, voters[0], "yes")
    services.ballot_close(ballot=ballot, by=organizer)
    ballot.refresh_from_db()
    assert not selectors.can_see_result(organizer, ballot)  # nothing counted yet: no "not passed" preview
    open_box(ballot)
    assert selectors.can_see_result(organizer, ballot)
    assert not selectors.can_see_result(voters[0], ballot)


def test_a_draft_or_cancelled_ballot_shows_no_result(audience):
    people, ballot = audience
    draft = services.ballot_create(committee=ballot.committee, by=people["organizer"], title="草稿")
    assert _seeing(people, draft) == set()
    services.ballot_close(ballot=ballot, by=people["organizer"])
    services.ballot_cancel(ballot=ballot, by=people["organizer"], reason="程序有误")
    assert _seeing(people, ballot) == set()


def test_the_turnout_is_visible_while_the_ballot_is_open(audience):
    people, ballot = audience
    vote(ballot, people["voter"], "yes")
    assert selectors.turnout(ballot).voices == 1
    assert ballot.status == Ballot.Status.OPEN


# --- Lists --------------------------------------------------------------------------------------------

def test_named_votes_list_each_voters_latest_choice_by_name():
    ballot, _organizer, voters = make_open_ballot(secrecy=Ballot.Secrecy.NAMED, n=3)
    vote(ballot, voters[1], "yes")
    vote(ballot, voters[1], "no")
    vote(ballot, voters[0], "yes")
    rows = [(p.user, [c.option.meaning for c in p.choices.all()]) for p in selectors.named_votes(ballot)]
    assert rows == sorted([(voters[0], ["yes"]), (voters[1], ["no"])], key=lambda row: row[0].full_name)


def test_committee_ballots_count_the_voices_that_took_part():
    ballot, organizer, voters = make_open_ballot(n=3)
    vote(ballot, voters[0], "yes")
    vote(ballot, voters[0], "no")
    vote(ballot, voters[1], "yes")
    draft = services.ballot_create(committee=ballot.committee, by=organizer, title="草稿")
    listed = {b.pk: b.participants for b in selectors.committee_ballots(ballot.committee)}
    assert listed == {ballot.pk: 2, draft.pk: 0}


def test_my_ballots_list_the_voices_a_person_holds_with_their_receipts():
    ballot, organizer, voters = make_open_ballot(n=2)
    first = vote(ballot, voters[0], "yes")
    second = vote(ballot, voters[0], "no")
    services.ballot_create(committee=ballot.committee, by=organizer, title="草稿")
    mine = list(selectors.my_ballots(voters[0]))
    assert [v.ballot for v in mine] == [ballot]
    assert [p.receipt for p in mine[0].mine] == [second.receipt, first.receipt]


def test_pending_batches_carry_their_sheet_count():
    ballot, organizer, voters = make_open_ballot(n=3)
    batch = make_paper_batch(ballot, organizer, voters[:2], [{"choices": choices(ballot, "yes")}])
    done = make_paper_batch(ballot, organizer, voters[2:3], [{"choices": choices(ballot, "no")}])
    services.paper_batch_confirm(batch=done, by=make_organizer(ballot.committee))
    assert [(b.pk, b.sheet_count, b.entered_by) for b in selectors.pending_batches(ballot)] == [
        (batch.pk, 1, organizer)]
