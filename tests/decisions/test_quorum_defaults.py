"""The quorum on by default: more than half of the voices, lower only with a reason that is shown.

Ballots opened before "more than" quorums existed keep the meaning their ledger entry gave them (turnout
reaching the share is enough) and keep verifying.
"""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import translation

from decisions import ledger, rules, selectors, services
from decisions.models import Ballot, LedgerEntry
from deliberation.services import party as party_services
from evaluations.models import Campaign
from hearings import services as hearing_services
from hearings.models import Hearing
from tests.decisions.factories import choices, make_building_of_households, make_open_ballot, open_box
from tests.decisions.test_audit import verify, verify_fails
from tests.deliberation.party_factories import make_agenda_topic, make_consultation, make_party
from tests.evaluations.factories import make_open_campaign, make_world
from tests.factories import make_committee, make_organizer
from tests.hearings.hearing_factories import advance, make_area, make_hearing

pytestmark = pytest.mark.django_db


def vote(ballot, voter, meaning: str):
    return services.vote_cast(ballot=ballot, voter=voter, choices=choices(ballot, meaning))


def publish(ballot: Ballot, organizer) -> Ballot:
    ballot.refresh_from_db()
    if ballot.status == Ballot.Status.OPEN:
        by = ballot.scrutineers.get(position=1).user if ballot.is_sealed else organizer
        services.ballot_close(ballot=ballot, by=by)
        open_box(ballot)
    return services.ballot_publish(ballot=Ballot.objects.get(pk=ballot.pk), by=organizer)


def opened_entry(ballot: Ballot) -> dict:
    import json

    entries = LedgerEntry.objects.filter(chain=ledger.ballot_chain(ballot.pk)).order_by("seq")
    return next(json.loads(e.payload) for e in entries if json.loads(e.payload)["event"] == "opened")


# --- The default ---------------------------------------------------------------------------------

def test_a_secret_ballot_to_households_with_2_2_percent_turnout_is_not_passed_by_default():
    ballot, organizer, voters = make_open_ballot(n=46)
    assert (ballot.quorum, ballot.quorum_more_than, ballot.quorum_reason) == (Decimal("0.5000"), True, "")
    vote(ballot, voters[0], "yes")  # 1 of 46 households: 2.2 %
    ballot = publish(ballot, organizer)
    assert ballot.result["verdict"] == rules.Outcome.INVALID
    verdict = selectors.verdict(ballot, ballot.result)
    with translation.override("en"):
        assert str(verdict.lines[0]) == "Turnout 2.2% ≤ quorum 50.0% (1 of 46 voices) ✗"


def test_a_ballot_to_all_residents_gets_more_than_half_by_default():
    building, residents = make_building_of_households(3)
    committee = building.compound.committee
    ballot = services.ballot_create(committee=committee, by=make_organizer(committee), title="公共空间使用",
                                    electorate=Ballot.Electorate.RESIDENTS)
    with translation.override("en"):
        assert (ballot.quorum, ballot.quorum_more_than, ballot.quorum_display) == (
            Decimal("0.5000"), True, "more than 50%")
    assert ballot.quorum_display == "超过50%"


@pytest.mark.parametrize(("electorate", "rule", "quorum"), [
    (Ballot.Electorate.RESIDENTS, Ballot.Rule.SIMPLE_MAJORITY, Decimal("0.5")),
    (Ballot.Electorate.HOUSEHOLDS, Ballot.Rule.TWO_THIRDS, Decimal("0.5")),
    (Ballot.Electorate.RESIDENT_REPS, Ballot.Rule.CONSENSUS, Decimal("0.5")),
    (Ballot.Electorate.PARTY_MEMBERS, Ballot.Rule.SIMPLE_MAJORITY, Decimal("0.5")),
    (Ballot.Electorate.NAMED_LIST, Ballot.Rule.SIMPLE_MAJORITY, Decimal("0.5")),
    # Art. 278 tests two thirds of owners and of area itself; ratings have their campaign's quorum.
    (Ballot.Electorate.HOUSEHOLDS, Ballot.Rule.ART278, Decimal("0")),
    (Ballot.Electorate.RESIDENT_REPS, Ballot.Rule.NONE, Decimal("0")),
])
def test_each_electorate_and_rule_gets_its_default_quorum(electorate, rule, quorum):
    committee = make_committee()
    ballot = services.ballot_create(committee=committee, by=make_organizer(committee), title="议题",
                                    electorate=electorate, rule=rule)
    assert (ballot.quorum, ballot.quorum_more_than, ballot.quorum_reason) == (quorum, bool(quorum), "")


def test_exactly_half_is_not_more_than_half():
    ballot, organizer, voters = make_open_ballot(n=4, secrecy=Ballot.Secrecy.NAMED)
    vote(ballot, voters[0], "yes")
    vote(ballot, voters[1], "yes")
    assert selectors.result_payload(ballot)["verdict"] == rules.Outcome.INVALID
    vote(ballot, voters[2], "no")
    assert selectors.result_payload(ballot)["verdict"] == rules.Outcome.PASSED


# --- Lowering it ---------------------------------------------------------------------------------

@pytest.mark.parametrize("reason", ["", "   "])
def test_lowering_the_quorum_without_a_reason_is_refused_and_creates_nothing(reason):
    committee = make_committee()
    with pytest.raises(ValidationError) as error:
        services.ballot_create(committee=committee, by=make_organizer(committee), title="议题",
                               electorate=Ballot.Electorate.HOUSEHOLDS, quorum=Decimal("0.2"), quorum_reason=reason)
    assert error.value.code == "quorum_reason_required"
    assert not Ballot.objects.exists()


def test_a_lowered_quorum_keeps_its_reason_in_the_history_and_the_ledger_and_still_verifies():
    ballot, organizer, voters = make_open_ballot(n=5, quorum=Decimal("0.2"), quorum_reason="疫情期间，业主大会书面表决")
    assert (ballot.quorum, ballot.quorum_more_than, ballot.quorum_reason) == (
        Decimal("0.2000"), True, "疫情期间，业主大会书面表决")
    assert ballot.history.first().quorum_reason == "疫情期间，业主大会书面表决"
    entry = opened_entry(ballot)
    assert (entry["quorum"], entry["quorum_more_than"], entry["quorum_reason"]) == (
        "0.2000", True, "疫情期间，业主大会书面表决")
    vote(ballot, voters[0], "yes")
    vote(ballot, voters[1], "yes")  # 40 % > 20 %
    ballot = publish(ballot, organizer)
    assert ballot.result["verdict"] == rules.Outcome.PASSED
    verify("--ballot", str(ballot.pk))


def test_a_quorum_at_or_above_the_default_needs_no_reason_and_keeps_none():
    committee = make_committee()
    ballot = services.ballot_create(committee=committee, by=make_organizer(committee), title="议题",
                                    electorate=Ballot.Electorate.HOUSEHOLDS, quorum=Decimal("0.6"),
                                    quorum_reason="多余的理由")
    assert (ballot.quorum, ballot.quorum_more_than, ballot.quorum_reason) == (Decimal("0.6000"), True, "")


def test_a_quorum_of_everyone_is_reached_when_everyone_takes_part():
    ballot, organizer, voters = make_open_ballot(n=2, secrecy=Ballot.Secrecy.NAMED, quorum=Decimal(1))
    with translation.override("en"):
        assert (ballot.quorum_more_than, ballot.quorum_display) == (False, "all the voices")
    vote(ballot, voters[0], "yes")
    vote(ballot, voters[1], "yes")
    assert selectors.result_payload(ballot)["verdict"] == rules.Outcome.PASSED


# --- Ballots from before ------------------------------------------------------------------------

def _as_before(ballot: Ballot) -> None:
    """Make a draft look like one created before "more than" quorums: the column at its migration default."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE deliberation_ballot SET quorum_more_than = %s WHERE id = %s", [False, ballot.pk])


def test_a_ballot_from_before_keeps_reaching_the_quorum_as_enough_and_verifies_as_before():
    building, voters = make_building_of_households(4)
    committee = building.compound.committee
    organizer = make_organizer(committee)
    ballot = services.ballot_create(committee=committee, by=organizer, title="旧表决", secrecy=Ballot.Secrecy.NAMED,
                                    electorate=Ballot.Electorate.HOUSEHOLDS, quorum=Decimal("0.5"))
    _as_before(ballot)
    ballot = services.ballot_open(ballot=Ballot.objects.get(pk=ballot.pk), by=organizer)
    entry = opened_entry(ballot)
    assert "quorum_more_than" not in entry and "quorum_reason" not in entry
    vote(ballot, voters[0], "yes")
    vote(ballot, voters[1], "yes")  # exactly half: enough under the rule this ballot was opened with
    ballot = publish(ballot, organizer)
    assert ballot.result["verdict"] == rules.Outcome.PASSED
    verify("--ballot", str(ballot.pk))


def test_the_audit_notices_a_quorum_meaning_changed_after_opening():
    ballot, organizer, voters = make_open_ballot(n=4, secrecy=Ballot.Secrecy.NAMED)
    _as_before(ballot)
    error, _stderr = verify_fails("--ballot", str(ballot.pk))
    assert "quorum more than was True at opening, is False now" in error


# --- Every place that builds ballots ------------------------------------------------------------

def test_a_floor_consultation_gets_more_than_half_of_the_households_and_art_278_its_own_test():
    consultation, _leader, _residents = make_consultation(4)
    assert (consultation.ballot.quorum, consultation.ballot.quorum_more_than) == (Decimal("0.5000"), True)
    consultation, _leader, _residents = make_consultation(4, rule=Ballot.Rule.ART278)
    assert consultation.ballot.quorum == Decimal(0)


def test_a_party_topic_takes_the_party_organizations_quorum_and_cites_it_when_lower():
    committee, secretary, _members, _reps = make_party()
    topic = party_services.topic_vote_open(topic=make_agenda_topic(committee, secretary), by=secretary)
    assert (topic.ballot.quorum, topic.ballot.quorum_more_than, topic.ballot.quorum_reason) == (
        Decimal("0.5000"), True, "")
    committee, secretary, _members, _reps = make_party(quorum=Decimal("0.3"))
    topic = party_services.topic_vote_open(topic=make_agenda_topic(committee, secretary), by=secretary)
    assert topic.ballot.quorum == Decimal("0.3000")
    assert topic.ballot.quorum_reason == "按党组织议事设置确定。"


def test_a_hearing_vote_of_the_households_or_the_panel_gets_more_than_half():
    area = make_area()
    hearing = advance(make_hearing(area), area["organizer"], Hearing.Status.ANNOUNCED)
    for households in (True, False):
        ballot = hearing_services.hearing_vote_create(hearing=hearing, by=area["organizer"], question="是否同意",
                                                      households=households, rule=Ballot.Rule.SIMPLE_MAJORITY)
        assert (ballot.quorum, ballot.quorum_more_than, ballot.quorum_reason) == (Decimal("0.5000"), True, "")
    ballot = hearing_services.hearing_vote_create(hearing=hearing, by=area["organizer"], question="加装电梯",
                                                  households=True)
    assert (ballot.rule, ballot.quorum) == (Ballot.Rule.ART278, Decimal(0))


def test_an_evaluation_sheet_carries_its_campaigns_more_than_quorum():
    world = make_world()
    campaign = make_open_campaign(world)
    assert campaign.quorum == Decimal("0.5")
    assert (campaign.ballot.quorum, campaign.ballot.quorum_more_than, campaign.ballot.quorum_reason) == (
        Decimal("0.5000"), True, "")
    with translation.override("en"):
        assert Campaign.objects.get(pk=campaign.pk).quorum_display == "more than 50%"


# --- The pages ----------------------------------------------------------------------------------

def _create_form(building, **extra) -> dict:
    return {"title": "楼道堆物清理", "question": "", "question_kind": "single", "description": "",
            "secrecy": "named", "electorate": "households", "household_voice": "representative",
            "compound": "", "building": building.pk, "rule": "simple_majority", "allow_change": "on", **extra}


def test_the_create_page_refuses_a_lower_quorum_without_a_reason_and_shows_one_given(client):
    building, voters = make_building_of_households(4)
    committee = building.compound.committee
    organizer = make_organizer(committee)
    client.force_login(organizer)
    url = reverse("decisions:ballot_create", args=[committee.pk])
    response = client.post(url, _create_form(building, quorum_percent="10"))
    assert response.status_code == 200 and not Ballot.objects.exists()
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    response = client.post(url, _create_form(building, quorum_percent="10", quorum_reason="寒假期间住户多不在家"))
    assert response.status_code == 302
    ballot = Ballot.objects.get()
    assert (ballot.quorum, ballot.quorum_reason) == (Decimal("0.1000"), "寒假期间住户多不在家")
    ballot = services.ballot_open(ballot=ballot, by=organizer)
    vote(ballot, voters[0], "yes")
    ballot = publish(ballot, organizer)
    client.force_login(voters[1])
    for name in ("ballot_detail", "ballot_results", "ballot_notice"):
        page = client.get(reverse(f"decisions:{name}", args=[ballot.pk])).content.decode()
        assert "寒假期间住户多不在家" in page and 'data-testid="quorum-reason"' in page, name
        assert "超过10%" in page and "0.1000" not in page, name


def test_the_create_page_with_the_quorum_left_empty_gets_the_default(client):
    building, _voters = make_building_of_households(2)
    committee = building.compound.committee
    client.force_login(make_organizer(committee))
    response = client.post(reverse("decisions:ballot_create", args=[committee.pk]), _create_form(building))
    assert response.status_code == 302
    ballot = Ballot.objects.get()
    assert (ballot.quorum, ballot.quorum_more_than, ballot.quorum_reason) == (Decimal("0.5000"), True, "")
    page = client.get(reverse("decisions:ballot_detail", args=[ballot.pk])).content.decode()
    assert "须有超过50%的表决权参加" in page and 'data-testid="quorum-reason"' not in page
