"""Campaign lifecycle, sheets, results and rectification on the service layer."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from decisions import box
from decisions import services as core
from decisions.models import Ballot, Participation, Question
from evaluations import services
from evaluations.models import Campaign, Comment, Dimension, Evaluatee, Rectification, Result, SheetItem
from members.models import Notification
from tests.decisions.factories import open_box
from tests.evaluations.factories import fill, make_open_campaign, make_world, publish, settings

pytestmark = pytest.mark.django_db


def test_campaign_open_builds_one_secret_rating_question_per_evaluatee_and_dimension():
    world = make_world(stationed=2)
    campaign = make_open_campaign(world)
    ballot = campaign.ballot
    assert ballot.secrecy == Ballot.Secrecy.SECRET and ballot.status == Ballot.Status.OPEN
    assert ballot.subject == campaign
    evaluatees = list(campaign.evaluatees.all())
    assert [e.kind for e in evaluatees] == ["stationed", "stationed", "property_firm", "work_station"]
    questions = list(ballot.questions.prefetch_related("options"))
    assert len(questions) == 4 * 4 and all(q.kind == Question.Kind.RATING for q in questions)
    labels = [(o.label, o.weight, o.excluded) for o in questions[0].options.all()]
    assert labels == [("满意", Decimal(100), False), ("基本满意", Decimal(60), False), ("不满意", Decimal(0), False),
                      ("不了解", None, True)]
    assert ballot.electorate_size == 6
    assert Notification.objects.filter(kind=Notification.Kind.OPENING).count() == 6


def test_street_launch_creates_a_campaign_for_every_committee_with_the_same_settings():
    world = make_world(committees=3)
    launch = services.campaign_launch(street=world.street, by=world.officer, open_now=True,
                                      settings=settings(include_committee=True,
                                                        dimensions={"stationed": ["态度", "效率"]}))
    campaigns = list(launch.campaigns.all())
    assert len(campaigns) == 3 and {c.status for c in campaigns} == {Campaign.Status.OPEN}
    assert all(c.evaluatees.filter(kind="committee").count() == 1 for c in campaigns)
    assert list(Dimension.objects.filter(campaign=campaigns[0], kind="stationed").values_list("name", flat=True)) \
        == ["态度", "效率"]
    with pytest.raises(ValidationError) as error:
        services.campaign_launch(street=world.street, by=world.officer, settings=settings())
    assert error.value.code == "campaign_exists"


def test_an_organizer_cannot_launch_for_the_street_nor_run_another_committee():
    world = make_world(committees=2)
    organizer = world.organizers[world.committees[0].pk]
    with pytest.raises(PermissionDenied):
        services.campaign_launch(street=world.street, by=organizer, settings=settings())
    with pytest.raises(PermissionDenied):
        services.campaign_create(committee=world.committees[1], by=organizer, settings=settings())


def test_comments_are_sealed_until_the_box_is_opened_and_a_changed_sheets_earlier_comments_never_count():
    world = make_world()
    campaign = make_open_campaign(world)
    organizer = world.organizers[campaign.committee_id]
    voter, other = world.reps[campaign.committee_id][:2]
    police = campaign.evaluatees.get(kind="stationed")
    firm = campaign.evaluatees.get(kind="property_firm")
    fill(campaign, voter, level=1, comments={police.pk: "出警很快", firm.pk: "SECRET 保洁不好"})
    fill(campaign, voter, level=2, comments={police.pk: "态度一般"})
    fill(campaign, other, level=1, comments={firm.pk: "绿化不错"})
    papers = list(Participation.objects.filter(ballot=campaign.ballot).values_list("paper", flat=True))
    assert len({len(bytes(p)) for p in papers}) == 1  # a long comment or none: every paper the same size
    assert not any(b"SECRET" in bytes(p) for p in papers)
    assert not Comment.objects.exists()
    services.campaign_close(campaign=campaign, by=organizer)
    assert not Comment.objects.exists()
    open_box(campaign.ballot)
    assert sorted(Comment.objects.values_list("evaluatee_id", "text")) == sorted(
        [(police.pk, "态度一般"), (firm.pk, "绿化不错")])
    assert set(Comment.objects.values_list("cast_on", flat=True)) == {None}
    fields = {f.name for f in Comment._meta.get_fields()}
    assert not fields & {"tag", "user", "voter", "participation", "voice", "created_at", "cast_at"}


def test_the_longest_comments_on_every_evaluatee_fit_the_paper_and_longer_ones_are_refused():
    from evaluations.services.sheets import COMMENT_MAX

    world = make_world(stationed=2)
    campaign = make_open_campaign(world)
    voter, other = world.reps[campaign.committee_id][:2]
    evaluatees = list(campaign.evaluatees.all())
    # Six bytes for each character in the paper's JSON (\uXXXX), two units for an emoji.
    fill(campaign, voter, level=1, comments={e.pk: "好" * COMMENT_MAX for e in evaluatees})
    fill(campaign, other, level=1, comments={e.pk: "👍" * (COMMENT_MAX // 2) for e in evaluatees})
    with pytest.raises(ValidationError) as error:
        fill(campaign, other, level=1, comments={evaluatees[0].pk: "👍" * (COMMENT_MAX // 2 + 1)})
    assert error.value.code == "comment_too_long"
    publish(campaign, world.organizers[campaign.committee_id])
    assert Comment.objects.count() == 2 * len(evaluatees)
    assert {len(t) for t in Comment.objects.values_list("text", flat=True)} == {COMMENT_MAX, COMMENT_MAX // 2}


def test_sheet_is_refused_when_the_campaign_is_not_open_or_a_question_is_unanswered():
    world = make_world()
    campaign = make_open_campaign(world)
    voter = world.reps[world.committees[0].pk][0]
    with pytest.raises(ValidationError) as error:
        services.sheet_submit(campaign=campaign, voter=voter, ratings={}, comments={})
    assert error.value.code == "unanswered"
    services.campaign_close(campaign=campaign, by=world.organizers[campaign.committee_id])
    with pytest.raises(ValidationError) as error:
        fill(campaign, voter, level=1)
    assert error.value.code == "not_open"


def test_publish_computes_rates_scores_ranks_and_creates_rectifications_over_the_threshold():
    world = make_world(stationed=2, reps=10)
    campaign = make_open_campaign(world, rectification_threshold=Decimal("20"))
    reps = world.reps[campaign.committee_id]
    first, second = campaign.evaluatees.filter(kind="stationed").order_by("position")
    for i, voter in enumerate(reps[:8]):
        # first agency: 8 × 满意; second: 4 满意, 2 不满意, 2 不了解
        fill(campaign, voter, level_for=lambda item, i=i: 1 if item.evaluatee_id != second.pk else [1, 1, 1, 1, 3, 3,
                                                                                                      4, 4][i])
    publish(campaign, world.organizers[campaign.committee_id])
    campaign.refresh_from_db()
    assert campaign.valid is True and campaign.turnout_voices == 8 and campaign.electorate_voices == 10
    top = Result.objects.get(evaluatee=first, dimension=None)
    low = Result.objects.get(evaluatee=second, dimension=None)
    assert (top.rate, top.score, top.rank, top.rank_of) == (Decimal("100.0"), Decimal("100.0"), 1, 2)
    assert (low.answers, low.excluded, low.rate, low.rank) == (24, 8, Decimal("66.7"), 2)
    assert low.dissatisfaction == Decimal("33.3") and low.score == Decimal("66.7")
    assert Rectification.objects.get().evaluatee == second


def test_session_below_quorum_is_void_and_asks_for_no_plan():
    world = make_world(reps=10)
    campaign = make_open_campaign(world, rectify_all=True)
    for voter in world.reps[campaign.committee_id][:5]:  # exactly half: not more than half
        fill(campaign, voter, level=3)
    publish(campaign, world.organizers[campaign.committee_id])
    campaign.refresh_from_db()
    assert campaign.valid is False and not Rectification.objects.exists()


def test_change_against_last_year_compares_the_same_agency_and_dimension():
    world = make_world(reps=6)
    committee = world.committees[0]
    organizer = world.organizers[committee.pk]
    last = make_open_campaign(world, year=2025)
    for voter in world.reps[committee.pk]:
        fill(last, voter, level=2)
    publish(last, organizer)
    this = make_open_campaign(world, year=2026)
    for voter in world.reps[committee.pk]:
        fill(this, voter, level=1)
    publish(this, organizer)
    police = this.evaluatees.get(kind="stationed")
    row = Result.objects.get(evaluatee=police, dimension__position=1)
    assert (row.previous_rate, row.rate, row.change) == (Decimal("100.0"), Decimal("100.0"), Decimal("0.0"))
    old = Result.objects.get(evaluatee__campaign=last, evaluatee__agency=police.agency, dimension=None)
    assert old.score == Decimal("60.0")


def test_rectification_plan_is_filed_and_confirmed_only_by_the_agency_contact():
    from members import services as member_services
    from members.models import Role
    from tests.factories import make_user

    world = make_world(reps=6)
    campaign = make_open_campaign(world, rectify_all=True)
    for voter in world.reps[campaign.committee_id]:
        fill(campaign, voter, level=1)
    publish(campaign, world.organizers[campaign.committee_id])
    firm = Evaluatee.objects.get(campaign=campaign, kind="property_firm")
    task = Rectification.objects.get(evaluatee=firm)
    contact = make_user(name="Firm contact")
    member_services.role_grant(user=contact, kind=Role.Kind.AGENCY_CONTACT, agency=firm.agency, by=None)
    with pytest.raises(PermissionDenied):
        services.rectification_file(task=task, by=world.organizers[campaign.committee_id], targets="t",
                                    measures="m", head_name="h")
    with pytest.raises(ValidationError) as error:
        services.rectification_file(task=task, by=contact, targets="", measures="m", head_name="h")
    assert error.value.code == "plan_incomplete"
    services.rectification_file(task=task, by=contact, targets="满意率90%", measures="每周巡查", head_name="王经理")
    task = services.rectification_confirm(task=task, by=contact)
    assert task.status == Rectification.Status.CONFIRMED
    assert task.history.first().history_user == contact
    services.progress_record(task=task, by=world.organizers[campaign.committee_id], note="已增加保洁")
    assert task.progress.count() == 1


def test_a_campaign_that_forbids_changes_refuses_a_second_sheet():
    world = make_world()
    campaign = make_open_campaign(world, allow_change=False)
    voter = world.reps[campaign.committee_id][0]
    fill(campaign, voter, level=1)
    with pytest.raises(ValidationError) as error:
        fill(campaign, voter, level=2)
    assert error.value.code == "already_voted"


def test_publication_tells_the_street_office_and_the_agency_contacts():
    from members import services as member_services
    from members.models import Role
    from tests.factories import make_user

    world = make_world(reps=6)
    campaign = make_open_campaign(world)
    contact = make_user(name="Contact")
    member_services.role_grant(user=contact, kind=Role.Kind.AGENCY_CONTACT, agency=world.agencies[0], by=None)
    for voter in world.reps[campaign.committee_id]:
        fill(campaign, voter, level=1)
    publish(campaign, world.organizers[campaign.committee_id])
    told = set(Notification.objects.filter(kind=Notification.Kind.RESULT).values_list("user_id", flat=True))
    assert told == {world.officer.pk, contact.pk}


def test_waiting_items_list_open_sheets_until_handed_in_with_constant_queries(django_assert_max_num_queries):
    from evaluations.waiting import items_for

    world = make_world(committees=3, reps=2)
    voter = world.reps[world.committees[0].pk][0]
    for committee in world.committees:
        services.campaign_create(committee=committee, by=world.organizers[committee.pk],
                                 settings=settings())
    campaign = make_open_campaign(world, year=2027)
    with django_assert_max_num_queries(2):
        items = items_for(voter)
    assert [i.kind for i in items] == ["sheet"]
    fill(campaign, voter, level=1)
    assert items_for(voter) == []


def test_an_empty_scale_or_missing_dimensions_are_refused():
    world = make_world()
    committee = world.committees[0]
    with pytest.raises(ValidationError) as error:
        services.campaign_create(committee=committee, by=world.organizers[committee.pk],
                                 settings=settings(levels=[services.LevelSpec("好", Decimal(1))]))
    assert error.value.code == "invalid_scale"
    with pytest.raises(ValidationError) as error:
        services.campaign_create(committee=committee, by=world.organizers[committee.pk],
                                 settings=settings(dimensions={"stationed": ["态度", "态度"]}))
    assert error.value.code == "invalid_dimensions"
    assert not Campaign.objects.exists()


def test_opening_the_box_writes_the_comments_in_one_insert_in_random_order_with_random_ids():
    world = make_world(reps=6)
    campaign = make_open_campaign(world)
    police = campaign.evaluatees.get(kind="stationed")
    texts = [f"comment {i}" for i in range(6)]
    for voter, text in zip(world.reps[campaign.committee_id], texts, strict=True):
        fill(campaign, voter, level=1, comments={police.pk: text})
    services.campaign_close(campaign=campaign, by=world.organizers[campaign.committee_id])
    orders = set()
    for _ in range(8):
        # Received in the register's order (the worst case), as often as needed to see a shuffle.
        Comment.objects.filter(campaign=campaign).delete()
        rows = services.comments_unseal(campaign_id=campaign.pk, extras=[{str(police.pk): t} for t in texts])
        assert sorted(r.text for r in rows) == texts
        orders.add(tuple(Comment.objects.order_by("id").values_list("text", flat=True)))
    assert len(orders) > 1
    # Garbage in a paper is skipped, never written half.
    Comment.objects.filter(campaign=campaign).delete()
    services.comments_unseal(campaign_id=campaign.pk, extras=[None, "x", {"999999": "a"}, {str(police.pk): 3},
                                                              {str(police.pk): "  "}, {str(police.pk): "ok"}])
    assert list(Comment.objects.values_list("text", flat=True)) == ["ok"]


def test_publishing_before_the_scrutineers_open_the_box_is_refused_with_what_is_missing():
    world = make_world(reps=6)
    campaign = make_open_campaign(world)
    organizer = world.organizers[campaign.committee_id]
    fill(campaign, world.reps[campaign.committee_id][0], level=1)
    services.campaign_close(campaign=campaign, by=organizer)
    with pytest.raises(ValidationError) as error:
        services.campaign_publish(campaign=campaign, by=organizer)
    assert error.value.code == "box_not_opened"
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.CLOSED and not Result.objects.exists()
    open_box(campaign.ballot)
    services.campaign_publish(campaign=campaign, by=organizer)
    assert Result.objects.filter(campaign=campaign).exists()


# --- Scrutineers -------------------------------------------------------------------------------

def _scrutineers(world, committee):
    """The usual three: a committee member, a resident representative who lives there, a street officer."""
    from members import services as member_services
    from members.models import Role
    from tests.factories import make_building, make_household, make_organizer, make_resident

    rep = make_resident(make_household(make_building(committee.compounds.first())), name="Rep scrutineer")
    member_services.role_grant(user=rep, kind=Role.Kind.RESIDENT_REPRESENTATIVE, committee=committee, by=None)
    return [make_organizer(committee), rep, world.officer]


def test_named_scrutineers_take_their_cards_then_the_sheets_open_and_two_of_three_open_the_box(
        django_capture_on_commit_callbacks):
    world = make_world(reps=6)
    committee = world.committees[0]
    organizer = world.organizers[committee.pk]
    campaign = services.campaign_create(committee=committee, by=organizer, settings=settings())
    three = _scrutineers(world, committee)
    with django_capture_on_commit_callbacks(execute=True):  # scrutineers are told after commit
        named = services.campaign_scrutineers_set(campaign=campaign, by=world.officer, users=three, threshold=2)
    campaign.refresh_from_db()
    ballot = campaign.ballot
    assert [s.user for s in named] == three and ballot.status == Ballot.Status.DRAFT and ballot.box_threshold == 2
    assert ballot.questions.count() == SheetItem.objects.filter(campaign=campaign).count() == 3 * 4
    told = set(Notification.objects.filter(kind=Notification.Kind.SCRUTINY).values_list("user_id", flat=True))
    assert {three[0].pk, three[1].pk} <= told
    for user in three[:2]:
        core.scrutineer_take_card(ballot=ballot, user=user)
    with pytest.raises(ValidationError) as error:
        services.campaign_open(campaign=campaign, by=organizer)
    assert error.value.code == "card_missing"
    campaign = services.campaign_open(campaign=campaign, by=world.officer)  # the officer's card is made now
    assert campaign.status == Campaign.Status.OPEN and campaign.new_card
    assert campaign.ballot.is_sealed and campaign.ballot.scrutineers.count() == 3
    with pytest.raises(ValidationError) as error:
        services.campaign_scrutineers_set(campaign=campaign, by=organizer, users=three[:1], threshold=1)
    assert error.value.code == "not_draft"
    police = campaign.evaluatees.get(kind="stationed")
    for voter in world.reps[committee.pk]:
        fill(campaign, voter, level=1, comments={police.pk: "好"})
    services.campaign_close(campaign=campaign, by=organizer)
    open_box(campaign.ballot, three[1])
    assert not Comment.objects.exists()
    open_box(campaign.ballot, three[2])
    assert Comment.objects.count() == 6
    services.campaign_publish(campaign=campaign, by=organizer)
    assert Result.objects.get(evaluatee=police, dimension=None).rate == Decimal("100.0")


def test_with_nobody_named_the_opener_is_the_only_scrutineer_and_an_unattended_opening_is_refused():
    world = make_world(committees=3, reps=2)
    first, second, third = world.committees
    by_organizer = services.campaign_open(campaign=services.campaign_create(
        committee=first, by=world.organizers[first.pk], settings=settings()), by=world.organizers[first.pk])
    by_officer = services.campaign_open(campaign=services.campaign_create(
        committee=second, by=world.officer, settings=settings()), by=world.officer)
    for campaign, opener in ((by_organizer, world.organizers[first.pk]), (by_officer, world.officer)):
        scrutineer = campaign.ballot.scrutineers.get()
        assert scrutineer.user == opener and campaign.ballot.box_threshold == 1
        assert campaign.new_card and box.card_key(campaign.new_card, campaign.ballot_id)
    unattended = services.campaign_create(committee=third, by=world.officer, settings=settings())
    with pytest.raises(ValidationError) as error:
        services.campaign_open(campaign=unattended, by=None)
    assert error.value.code == "no_scrutineers"
    unattended.refresh_from_db()
    assert unattended.status == Campaign.Status.DRAFT


def test_a_launch_opened_at_once_gives_the_officer_one_card_per_committee():
    world = make_world(committees=2, reps=2)
    launch = services.campaign_launch(street=world.street, by=world.officer, open_now=True, settings=settings())
    campaigns = list(launch.campaigns.all())
    assert set(launch.new_cards) == {c.pk for c in campaigns}
    for campaign in campaigns:
        assert campaign.ballot.scrutineers.get().user == world.officer
        box.card_key(launch.new_cards[campaign.pk], campaign.ballot_id)  # each card is its own ballot's


def test_cancelling_a_draft_with_scrutineers_cancels_its_draft_ballot():
    world = make_world()
    committee = world.committees[0]
    organizer = world.organizers[committee.pk]
    campaign = services.campaign_create(committee=committee, by=organizer, settings=settings())
    services.campaign_scrutineers_set(campaign=campaign, by=organizer, users=[organizer], threshold=1)
    services.campaign_cancel(campaign=campaign, by=organizer, reason="改期")
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.CANCELLED and campaign.ballot.status == Ballot.Status.CANCELLED
