"""The sheet one evaluatee per screen: the answers so far, the review, the hand-in, and the results' summary."""

import re

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse

from decisions.models import Participation
from evaluations import selectors, services
from evaluations.models import SheetItem
from tests.evaluations.factories import fill, make_open_campaign, make_world, publish, sheet

pytestmark = pytest.mark.django_db


def _screens(campaign, answers):
    return selectors.sheet_screens(selectors.sheet_blocks(campaign), answers)


def _answers(campaign, level_for=lambda item: 1):
    return {f"q{q}": str(o) for q, o in sheet(campaign, level_for).items()}


def test_the_sheet_has_a_screen_per_evaluatee_in_order_and_counts_the_lines_not_rated():
    world = make_world(stationed=2)
    campaign = make_open_campaign(world)
    screens = _screens(campaign, {})
    assert [s.number for s in screens] == [1, 2, 3, 4]
    assert [s.block.evaluatee.pk for s in screens] == list(campaign.evaluatees.order_by("position")
                                                            .values_list("pk", flat=True))
    assert [s.missing for s in screens] == [4, 4, 4, 4]
    first = screens[0]
    answers = {f"q{line.item.question_id}": str(line.item.question.options.all()[1].pk) for line in first.lines}
    answers[f"c{first.block.evaluatee.pk}"] = "  楼道灯坏了  "
    screens = _screens(campaign, answers)
    assert [s.missing for s in screens] == [0, 4, 4, 4]
    assert [line.choice.label for line in screens[0].lines] == ["基本满意"] * 4
    assert screens[0].comment == "楼道灯坏了"


def test_a_level_of_another_question_or_a_garbled_value_shows_as_not_rated():
    world = make_world(stationed=1)
    campaign = make_open_campaign(world)
    items = list(SheetItem.objects.filter(campaign=campaign).order_by("evaluatee__position", "dimension__position"))
    foreign = items[1].question.options.first().pk
    screens = _screens(campaign, {f"q{items[0].question_id}": str(foreign), f"q{items[1].question_id}": "x1"})
    assert screens[0].lines[0].choice is None and screens[0].lines[1].choice is None
    assert screens[0].missing == 4


def test_the_answers_reviewed_are_the_sheet_handed_in_and_an_incomplete_one_is_refused_whole():
    world = make_world(stationed=1, reps=6)
    campaign = make_open_campaign(world)
    voter = world.reps[campaign.committee_id][0]
    answers = _answers(campaign)
    missing = next(iter(answers))
    incomplete = {k: v for k, v in answers.items() if k != missing}
    assert sum(s.missing for s in _screens(campaign, incomplete)) == 1
    with pytest.raises(ValidationError) as error:
        services.sheet_submit(campaign=campaign, voter=voter, comments={},
                              ratings={int(k[1:]): v for k, v in incomplete.items()})
    assert error.value.code == "unanswered"
    assert not Participation.objects.filter(ballot=campaign.ballot).exists()
    assert sum(s.missing for s in _screens(campaign, answers)) == 0
    services.sheet_submit(campaign=campaign, voter=voter, comments={},
                          ratings={int(k[1:]): v for k, v in answers.items()})
    assert Participation.objects.filter(ballot=campaign.ballot).count() == 1


# --- Pages ----------------------------------------------------------------------------------

def _hidden(page: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([qc]\d+)" value="([^"]*)" data-answer>', page))


@override_settings(VOTE_THROTTLE="2/60")
def test_each_screen_carries_every_answer_and_moving_is_neither_stored_nor_counted_as_a_cast(client):
    world = make_world(stationed=2, reps=6)
    campaign = make_open_campaign(world)
    voter = world.reps[campaign.committee_id][0]
    client.force_login(voter)
    url = reverse("evaluations:sheet_fill", args=[campaign.pk])
    page = client.get(url).content.decode()
    assert "1 of 4" in page and 'name="go" value="2"' in page and 'name="go" value="0"' not in page
    answers = _answers(campaign, lambda item: 2)
    screens = _screens(campaign, answers)
    first = {k: v for k, v in answers.items() if int(k[1:]) in {ln.item.question_id for ln in screens[0].lines}}
    sessions_before = list(Session.objects.values_list("session_data", flat=True))
    # Five moves: the throttle (2 a minute) would refuse a third cast, never a move.
    response = client.post(url, {**first, "after": "0", "go": "2"})
    page = response.content.decode()
    assert response.status_code == 200 and "2 of 4" in page
    assert {k: v for k, v in _hidden(page).items() if v and k[0] == "q"} == first  # screen 1's answers carried
    for go in ("3", "4", "1", "review"):
        assert client.post(url, {**first, "after": "0", "go": go}).status_code == 200
    review = client.post(url, {**first, "after": "0", "go": "review"}).content.decode()
    assert "12 lines are not rated yet" in review and 'value="submit"' not in review
    assert review.count('class="card review-item incomplete"') == 3
    assert list(Session.objects.values_list("session_data", flat=True)) == sessions_before
    assert not Participation.objects.filter(ballot=campaign.ballot).exists()
    review = client.post(url, {**answers, f"c{screens[1].block.evaluatee.pk}": "很好", "after": "0",
                               "go": "review"}).content.decode()
    assert "not rated yet" not in review and 'value="submit"' in review and "很好" in review
    done = client.post(url, {**answers, "after": "0", "go": "submit"})
    assert done.status_code == 302 and done["Location"].endswith("?sent=1")
    assert Participation.objects.filter(ballot=campaign.ballot).count() == 1


def test_a_sheet_refused_for_a_missing_line_comes_back_as_the_review_with_the_line_marked(client):
    world = make_world(stationed=1, reps=6)
    campaign = make_open_campaign(world)
    client.force_login(world.reps[campaign.committee_id][0])
    answers = _answers(campaign)
    answers.pop(next(iter(answers)))
    response = client.post(reverse("evaluations:sheet_fill", args=[campaign.pk]),
                           {**answers, "after": "0", "go": "submit"})
    page = response.content.decode()
    assert response.status_code == 200 and "1 line is not rated yet" in page and 'class="missing"' in page
    assert not Participation.objects.filter(ballot=campaign.ballot).exists()


def test_a_screen_number_out_of_range_or_garbled_shows_a_screen_and_never_500s(client):
    world = make_world(stationed=1, reps=6)
    campaign = make_open_campaign(world)
    client.force_login(world.reps[campaign.committee_id][0])
    url = reverse("evaluations:sheet_fill", args=[campaign.pk])
    assert "3 of 3" in client.post(url, {"go": "99"}).content.decode()
    assert "1 of 3" in client.post(url, {"go": "-1"}).content.decode()
    assert "1 of 3" in client.post(url, {"go": "zwei", "q1": "x"}).content.decode()


def test_another_committees_evaluator_gets_404_on_every_screen(client):
    world = make_world(committees=2, reps=6)
    campaign = make_open_campaign(world)
    outsider = world.reps[world.committees[1].pk][0]
    client.force_login(outsider)
    url = reverse("evaluations:sheet_fill", args=[campaign.pk])
    assert client.post(url, {"go": "2"}).status_code == 404
    assert client.post(url, {"go": "review"}).status_code == 404


def test_a_screen_runs_the_same_queries_for_a_long_sheet_as_for_a_short_one(client, django_assert_max_num_queries):
    counts = []
    for stationed in (1, 5):
        world = make_world(stationed=stationed, reps=6, firms_per_committee=3 if stationed > 1 else 1)
        campaign = make_open_campaign(world)
        client.force_login(world.reps[campaign.committee_id][0])
        url = reverse("evaluations:sheet_fill", args=[campaign.pk])
        answers = _answers(campaign)
        client.post(url, {**answers, "go": "2"})  # the frozen sheet read once by this process
        with django_assert_max_num_queries(12) as ctx:
            assert client.post(url, {**answers, "go": "review"}).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


def test_the_results_page_starts_with_the_summary_and_keeps_its_queries_whatever_the_evaluatees(
        client, django_assert_max_num_queries):
    counts = []
    for stationed, firms in ((1, 1), (5, 4)):
        world = make_world(stationed=stationed, firms_per_committee=firms, reps=6)
        campaign = make_open_campaign(world)
        for i, voter in enumerate(world.reps[campaign.committee_id]):
            fill(campaign, voter, level_for=lambda item, i=i: 1 + (i + item.pk) % 3)
        publish(campaign, world.organizers[campaign.committee_id])
        client.force_login(world.organizers[campaign.committee_id])
        with django_assert_max_num_queries(16) as ctx:
            page = client.get(reverse("evaluations:campaign_results", args=[campaign.pk])).content.decode()
        counts.append(len(ctx.captured_queries))
        evaluatees = campaign.evaluatees.count()
        start = page.index('class="results-summary"')  # the header's menu is a <details> too
        summary = page[start:page.index('<details', start)]
        assert summary.count("<li>") == evaluatees and summary.count("%") == evaluatees
        assert page.count('<details class="evaluatee-result"') == evaluatees
        first = page.split('<details class="evaluatee-result"')[1]
        assert "<details class=\"evaluatee-result\" id=\"r" in page and " open" not in first[:80]
    assert counts[0] == counts[1], counts
