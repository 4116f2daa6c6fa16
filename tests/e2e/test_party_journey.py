"""The party journey: a member proposes a topic, two others second it, the representatives discuss
and vote by name, the resolution is published and its implementation followed by every member.

Read it as a story, at phone width. 延长居民区's party organization decides topics by a named vote
of the party-member representatives with a quorum of more than 50%; a member's topic needs two seconds.
  刘伟 (member) proposes 增设社区助老食堂; 陈红 and 李强 (members) second it: it goes on the agenda.
  周玉兰 and 孙平 (representatives) discuss; 王书记 (organizer and party member) puts it to the vote.
  周玉兰 同意, 孙平 同意, 吴敏 反对 — 3 of 3 representatives took part (≥ 50%), 2 of 3 for (> 50%): passed.
  王书记 publishes the result and the resolution, and records progress on a follow-up item;
  刘伟 reads the resolution, who voted how and the progress. A resident who is no party member gets 404.
"""

from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from decisions.models import Ballot
from deliberation.models import Topic
from deliberation.services import party as party_services
from members.models import Notification, Role
from tests.decisions.factories import make_committee_role
from tests.factories import make_committee, make_organizer, make_resident, make_street, make_user

TITLE = "增设社区助老食堂"


@pytest.fixture
def party():
    committee = make_committee(make_street("大宁路街道"), name="延长居民区")
    secretary = make_organizer(committee, make_user(name="王书记"))
    make_committee_role(committee, Role.Kind.PARTY_MEMBER, secretary)
    people = {"secretary": secretary}
    for key, name in (("liu", "刘伟"), ("chen", "陈红"), ("li", "李强")):
        people[key] = make_committee_role(committee, Role.Kind.PARTY_MEMBER, make_user(name=name))
    for key, name in (("zhou", "周玉兰"), ("sun", "孙平"), ("wu", "吴敏")):
        people[key] = make_committee_role(committee, Role.Kind.PARTY_MEMBER, make_user(name=name))
        make_committee_role(committee, Role.Kind.PARTY_REPRESENTATIVE, people[key])
    party_services.party_settings_update(committee=committee, by=secretary, seconds_needed=2,
                                         electorate=Ballot.Electorate.PARTY_REPS, quorum=Decimal("0.5"))
    return committee, people


def main(page: Page):
    return page.get_by_role("main")


def status_message(page: Page):
    return page.get_by_role("status")


def test_a_member_topic_from_proposal_to_resolution_and_follow_up(page: Page, party, login_as, shot,
                                                                  browser_console_errors):
    committee, people = party

    # --- 1. 刘伟 proposes a topic from the party agenda --------------------------------------
    login_as(people["liu"])
    page.goto("/party/")
    expect(page).to_have_url(f"/party/{committee.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Party agenda · 延长居民区")
    expect(main(page)).to_contain_text("A member's topic needs 2 seconds before it goes on the agenda")
    main(page).get_by_role("link", name="Propose a topic").click()
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Material").fill("社区老人多，建议利用活动室旁的空房开设助老食堂。\n\n"
                                       "- 午餐 **12元**\n- 由街道补贴部分费用\n\n<script>alert('x')</script>")
    shot(page, "propose")
    page.get_by_role("button", name="Propose").click()
    topic = Topic.objects.get(title=TITLE)
    expect(page).to_have_url(f"/party/topics/{topic.pk}/")
    expect(status_message(page)).to_contain_text("Your topic was proposed.")
    expect(page.locator(".status").first).to_have_text("awaiting seconds")
    expect(main(page)).to_contain_text("0 seconds of 2 needed")
    expect(main(page).locator("strong", has_text="12元")).to_be_visible()  # Markdown rendered
    expect(main(page)).to_contain_text("<script>alert('x')</script>")  # raw HTML shown as text, inert
    shot(page, "topic-awaiting-seconds")

    # --- 2. 陈红 and 李强 second it: it goes on the agenda --------------------------------------
    for key in ("chen", "li"):
        login_as(people[key])
        page.goto(f"/party/topics/{topic.pk}/")
        main(page).get_by_role("link", name="Second this topic").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Second this topic")
        page.get_by_role("button", name="Second it").click()
        expect(status_message(page)).to_contain_text("You seconded the topic.")
    expect(page.locator(".status").first).to_have_text("on the agenda")
    expect(main(page)).to_contain_text("2 seconds of 2 needed: 陈红、李强")
    shot(page, "topic-on-agenda")
    assert Notification.objects.filter(user=people["zhou"], kind=Notification.Kind.ANNOUNCEMENT).exists()

    # --- 3. The representatives discuss -----------------------------------------------------
    login_as(people["zhou"])
    page.goto(f"/party/topics/{topic.pk}/")
    page.get_by_label("Your comment").fill("支持。建议先做一次老人用餐需求调查。")
    page.get_by_role("button", name="Post").click()
    expect(status_message(page)).to_contain_text("Your comment was posted.")
    login_as(people["sun"])
    page.goto(f"/party/topics/{topic.pk}/")
    page.locator(".comment", has_text="周玉兰").get_by_role("link", name="Reply").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reply")
    page.get_by_label("Your comment").fill("同意调查，我可以组织楼组长分发问卷。")
    page.get_by_role("button", name="Post").click()
    expect(main(page).locator(".replies")).to_contain_text("in reply to 周玉兰")
    shot(page, "discussion")

    # --- 4. The party organization puts it to a named vote of the representatives -------------
    login_as(people["secretary"])
    page.goto(f"/party/topics/{topic.pk}/")
    main(page).get_by_role("link", name="Put to the vote").click()
    expect(main(page)).to_contain_text(
        "A named vote of the party-member representatives; quorum: more than 50% of them must take part.")
    page.get_by_label("Question put to the vote").fill("是否同意开设社区助老食堂？")
    shot(page, "vote-open")
    page.get_by_role("button", name="Open the vote").click()
    expect(status_message(page)).to_contain_text("The vote is open.")
    expect(page.locator(".status").first).to_have_text("being voted on")

    for key, choice in (("zhou", "同意"), ("sun", "同意"), ("wu", "反对")):
        login_as(people[key])
        page.goto(f"/party/topics/{topic.pk}/")
        main(page).get_by_role("link", name="Vote", exact=True).click()
        expect(page.get_by_role("group", name="是否同意开设社区助老食堂？")).to_be_visible()
        page.get_by_label(choice, exact=True).check()
        if key == "zhou":
            shot(page, "vote-form")
        page.get_by_role("button", name="Cast my vote").click()
        expect(status_message(page)).to_contain_text("Your vote was recorded.")
        expect(main(page)).to_contain_text(f"You voted: {choice}")
    # An ordinary member follows the vote but has no voice.
    login_as(people["liu"])
    page.goto(f"/party/topics/{topic.pk}/")
    expect(main(page)).to_contain_text("The representatives vote on this topic")

    # --- 5. Close, publish the result and the resolution ----------------------------------------
    login_as(people["secretary"])
    page.goto(f"/party/topics/{topic.pk}/")
    main(page).get_by_role("link", name="Close the vote and publish the result").click()
    page.get_by_role("button", name="Close and publish").click()
    expect(main(page).locator(".verdict-outcome")).to_have_text("Passed")
    # Turnout must exceed the quorum ("more than half"), hence the strict sign.
    expect(main(page)).to_contain_text("Turnout 100.0% > quorum 50.0% (3 of 3 voices)")
    shot(page, "result")
    main(page).get_by_role("link", name="Record the resolution").click()
    page.get_by_label("Resolution").fill("党员代表会议表决通过：开设社区助老食堂，先由党员志愿者完成用餐需求调查。")
    page.get_by_role("button", name="Publish the resolution").click()
    expect(status_message(page)).to_contain_text("The resolution was published.")
    expect(page.locator(".status").first).to_have_text("resolution published")
    main(page).get_by_role("link", name="Add a follow-up item").click()
    page.get_by_label("What is to be done").fill("老人用餐需求调查")
    page.get_by_label("Who does it").fill("党员志愿服务队")
    page.get_by_label("Due by").fill("2026-12-31")
    page.get_by_role("button", name="Add").click()
    main(page).get_by_role("link", name="Record progress").click()
    page.get_by_label("Progress").fill("已发放问卷120份，回收86份。")
    page.get_by_label("Status").select_option(label="in progress")
    page.get_by_role("button", name="Save").click()
    expect(status_message(page)).to_contain_text("The progress was recorded.")

    # --- 6. Every member sees the resolution, who voted how, and the progress -----------------
    login_as(people["liu"])
    page.goto(f"/party/topics/{topic.pk}/")
    expect(main(page).locator("#resolution-h")).to_be_visible()
    expect(main(page)).to_contain_text("开设社区助老食堂，先由党员志愿者完成用餐需求调查")
    expect(main(page)).to_contain_text("吴敏: 反对")
    expect(main(page).locator("#follow-ups")).to_contain_text("已发放问卷120份，回收86份。")
    expect(main(page).locator("#follow-ups")).to_contain_text("in progress")
    shot(page, "member-sees-resolution")
    assert Notification.objects.filter(user=people["liu"], kind=Notification.Kind.RESULT).exists()
    page.set_viewport_size({"width": 1280, "height": 900})
    shot(page, "member-sees-resolution-wide")

    assert browser_console_errors == []

    # A resident who is no party member gets 404 for the topic.
    login_as(make_resident())
    response = page.goto(f"/party/topics/{topic.pk}/")
    assert response.status == 404
