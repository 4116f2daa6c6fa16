"""Party and floor pages fit a phone held upright (the same checks as test_layout.py)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page

from deliberation.services import floor as floor_services
from deliberation.services import followups
from deliberation.services import party as party_services
from tests.deliberation.party_factories import make_agenda_topic, make_consultation, make_party, yes_option
from tests.e2e.test_layout import MIN_FONT_PX, MIN_TAP_PX, NAV_TARGETS_JS, PHONE_WIDTH, UNLABELLED_FIELDS_JS


@pytest.fixture
def places():
    committee, secretary, members, reps = make_party()
    topic = party_services.topic_propose(
        committee=committee, by=members[0], as_organization=False, title="增设社区助老食堂",
        material="很长的链接 https://example.org/" + "a" * 120 + "\n\n- 一\n- 二")
    first = party_services.topic_comment_add(topic=topic, by=members[1], body="支持" * 40)
    party_services.topic_comment_add(topic=topic, by=reps[0], body="回复", parent=first)
    voting = party_services.topic_vote_open(topic=make_agenda_topic(committee, secretary, "开放时间"), by=secretary)
    meeting = party_services.meeting_create(committee=committee, by=secretary, title="党员代表会议",
                                            starts_at=timezone.now(), topics=[voting])
    consultation, leader, residents = make_consultation(n=4)
    floor_services.consultation_answer(consultation=consultation, by=residents[0],
                                       option_id=yes_option(consultation.ballot), comment="同意")
    agreed, agreed_leader, agreed_residents = make_consultation(n=2, matter="convention",
                                                                proposed_convention="一、楼道不堆物。")
    for person in agreed_residents:
        floor_services.consultation_answer(consultation=agreed, by=person, option_id=yes_option(agreed.ballot))
    floor_services.consultation_close(consultation=agreed, by=agreed_leader)
    floor_services.consultation_agree(consultation=agreed, by=agreed_leader, opinion="通过")
    followups.follow_up_add(parent=agreed, by=agreed_leader, what="张贴公约", owner="楼组长",
                            due_on=datetime.date(2026, 12, 1))
    return {"committee": committee, "secretary": secretary, "member": members[1], "rep": reps[1], "topic": topic,
            "voting": voting, "meeting": meeting, "consultation": consultation, "leader": leader,
            "resident": residents[1], "agreed": agreed, "agreed_resident": agreed_residents[0]}


PAGES = [
    ("party-agenda", "member", lambda p: reverse("deliberation:party_agenda", args=[p["committee"].pk])),
    ("party-propose", "secretary", lambda p: reverse("deliberation:party_topic_propose", args=[p["committee"].pk])),
    ("party-topic", "member", lambda p: reverse("deliberation:party_topic", args=[p["topic"].pk])),
    ("party-topic-secretary", "secretary", lambda p: reverse("deliberation:party_topic", args=[p["voting"].pk])),
    ("party-vote", "rep", lambda p: reverse("deliberation:party_topic_vote", args=[p["voting"].pk])),
    ("party-meetings", "member", lambda p: reverse("deliberation:party_meetings", args=[p["committee"].pk])),
    ("party-meeting", "secretary", lambda p: reverse("deliberation:party_meeting", args=[p["meeting"].pk])),
    ("party-settings", "secretary", lambda p: reverse("deliberation:party_settings", args=[p["committee"].pk])),
    ("floor-building", "leader",
     lambda p: reverse("deliberation:floor_building", args=[p["consultation"].building_id])),
    ("floor-open", "leader",
     lambda p: reverse("deliberation:floor_consultation_open", args=[p["consultation"].building_id])),
    ("floor-consultation", "resident", lambda p: reverse("deliberation:floor_consultation",
                                                         args=[p["consultation"].pk])),
    ("floor-answer", "resident", lambda p: reverse("deliberation:floor_answer", args=[p["consultation"].pk])),
    ("floor-households", "leader", lambda p: reverse("deliberation:floor_households", args=[p["consultation"].pk])),
    ("floor-assist", "leader", lambda p: reverse("deliberation:floor_assist", args=[p["consultation"].pk])),
    ("floor-agreed", "agreed_resident", lambda p: reverse("deliberation:floor_consultation", args=[p["agreed"].pk])),
    ("floor-convention", "agreed_resident",
     lambda p: reverse("deliberation:floor_convention", args=[p["agreed"].building_id])),
]


@pytest.mark.parametrize(("name", "who", "url"), PAGES, ids=[name for name, _, _ in PAGES])
def test_party_and_floor_page_is_usable_on_a_phone(page: Page, places, login_as, shot, name, who, url):
    login_as(places[who])
    response = page.goto(url(places))
    assert response.status == 200
    shot(page, name)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= PHONE_WIDTH, f"{name}: page is {scroll_width}px wide on a {PHONE_WIDTH}px phone"
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= MIN_FONT_PX
    assert page.evaluate(UNLABELLED_FIELDS_JS) == []
    assert [t for t in page.evaluate(NAV_TARGETS_JS) if t["height"] < MIN_TAP_PX] == []
