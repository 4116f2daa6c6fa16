"""The coordination journey: a resident and the property firm, from request to escalation.

Read it as a story. 陈静 of 延长新村 1号楼 asks the committee for a coordination meeting with
the property firm about her leaking roof. The organizer accepts, sets the time ten days ahead
and gives notice to both parties (recorded with the days ahead). At the session each party's
statement is recorded, then the record and an agreement with two actions: the firm inspects the
flat (due in five days) and repairs the roof (due yesterday — the firm already missed it). Both
parties confirm online. The firm's contact reports the inspection done with a photo; the repair
stays open and is flagged as overdue on the organizer's dashboard; the organizer escalates the
matter to the street office, whose officer finds it from the street page. A neighbour who is no
party gets "not found". A screenshot is saved after each step in test-artifacts/screenshots/.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from coordination.models import CoordinationMeeting, CoordinationNotice
from members.models import Notification
from tests.coordination.coordination_factories import make_agency_contact
from tests.e2e.menu import open_menu
from tests.factories import (
    make_building,
    make_committee,
    make_compound,
    make_household,
    make_organizer,
    make_property_firm,
    make_resident,
    make_street,
    make_street_officer,
    make_user,
)

FIRM = "上海延长物业管理有限公司"
SUBJECT = "1号楼顶楼漏水"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def yanchang(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    street = make_street("大宁路街道")
    committee = make_committee(street, name="延长居民区")
    firm = make_property_firm(street, name=FIRM)
    building = make_building(make_compound(committee, name="延长新村", property_firm=firm), name="1号楼")
    return {
        "street": street, "committee": committee, "firm": firm,
        "resident": make_resident(make_household(building, door_number="601"), name="陈静"),
        "neighbour": make_resident(make_household(building, door_number="602"), name="周强"),
        "organizer": make_organizer(committee, user=make_user(name="赵敏")),
        "firm_contact": make_agency_contact(firm, make_user(name="物业王经理")),
        "officer": make_street_officer(street, user=make_user(name="吴涛")),
    }


def main(page: Page):
    return page.get_by_role("main")


def status_message(page: Page):
    return page.get_by_role("status")


def confirm(page: Page, button: str, message: str) -> None:
    page.get_by_role("button", name=button).click()
    expect(status_message(page)).to_contain_text(message)


def test_a_resident_and_the_property_firm_reach_an_agreement_one_action_done_one_overdue_and_escalated(
        page: Page, yanchang, login_as, shot, browser_console_errors):
    committee = yanchang["committee"]
    today = timezone.localdate()

    # --- 1. The resident asks for a meeting with the property firm ------------------------------
    login_as(yanchang["resident"])
    page.goto("/")
    open_menu(page).get_by_role("link", name="Coordination").click()
    expect(main(page)).to_contain_text("You are not part of any coordination meeting yet.")
    main(page).get_by_role("link", name="Ask for a coordination meeting").click()
    page.get_by_label("What is it about?").fill(SUBJECT)
    page.get_by_label("With an agency or property firm").select_option(label=FIRM)
    page.get_by_label("What do you ask for?").fill("顶楼漏水三个月，请物业尽快修好屋面防水。")
    shot(page, "resident-request-form")
    confirm(page, "Send the request", "Your request was sent to the committee.")
    meeting = CoordinationMeeting.objects.get(subject=SUBJECT)
    expect(main(page)).to_contain_text("requested")
    shot(page, "resident-request-sent")

    # --- 2. The organizer accepts, sets time and place, gives notice ----------------------------
    login_as(yanchang["organizer"])
    page.goto(f"/committees/{committee.pk}/")
    page.get_by_role("navigation", name="Committee pages").get_by_role("link", name="Coordination meetings").click()
    expect(main(page)).to_contain_text("No action is overdue.")
    main(page).get_by_role("link", name=SUBJECT).click()
    shot(page, "organizer-request")
    main(page).get_by_role("link", name="Accept the request").click()
    confirm(page, "Accept", "The request was accepted.")
    participants = main(page).locator("section", has=page.get_by_role("heading", name="Parties and participants"))
    expect(participants).to_contain_text("陈静")
    expect(participants).to_contain_text(FIRM)

    # Ten whole days and two hours from now: at 14:00 ten days on it was nine whole days after 14:00.
    when = (timezone.localtime() + timedelta(days=10, hours=2)).replace(second=0, microsecond=0)
    page.get_by_label("Date and time", exact=True).fill(when.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Meeting place", exact=True).fill("居委会会议室")
    confirm(page, "Save the time and place", "The time and place were saved.")
    main(page).get_by_role("link", name="Give notice to every participant").click()
    confirm(page, "Give notice", "Notice was given.")
    expect(participants).to_contain_text("10 days ahead")
    assert CoordinationNotice.objects.filter(meeting=meeting, days_ahead=10).count() == 2
    assert Notification.objects.filter(user=yanchang["firm_contact"], kind="announcement").exists()
    shot(page, "organizer-noticed")

    # --- 3. The session: statements, record and the agreement with two actions ------------------
    main(page).get_by_role("link", name="Start the session").click()
    # The meeting was noticed for ten days on: starting and ending now need reasons, shown on its page.
    page.get_by_label("Reason for starting before the noticed time").fill("双方同意提前见面")
    confirm(page, "Start the session", "The session has started.")
    expect(main(page)).to_contain_text("双方同意提前见面")
    for who, said in (("陈静", "顶楼漏水三个月，墙面发霉。"), (FIRM, "屋面防水已过保修期，可以先入户查看。")):
        page.get_by_label("Who", exact=True).select_option(label=who)
        page.get_by_label("Statement", exact=True).fill(said)
        confirm(page, "Record the statement", "The statement was recorded.")
    main(page).get_by_role("link", name="End the session: record and outcome").click()
    page.get_by_label("Points in dispute").fill("维修费用由谁承担；维修时间。")
    page.get_by_label("Mediation record").fill("双方同意先入户查看，再修复屋面防水。")
    page.get_by_label("The parties reached an agreement").check()
    page.get_by_label("Agreement (协调意见)").fill("物业负责查明漏水点并修复屋面防水层。")
    page.get_by_label("Reason for concluding before the day in the notice").fill("当场达成一致")
    shot(page, "organizer-conclude")
    confirm(page, "End the session", "The session has ended.")
    for what, due in (("入户查看漏水点", today + timedelta(days=5)), ("修复屋面防水层", today - timedelta(days=1))):
        page.get_by_label("What is to be done").fill(what)
        page.get_by_label("Owner", exact=True).select_option(label=FIRM)
        page.get_by_label("Due date").fill(due.isoformat())
        confirm(page, "Add the action", "The action was added.")
    shot(page, "organizer-agreement-draft")
    for kind in ("record", "agreement"):
        main(page).get_by_role("link", name=f"Submit the {kind} for confirmation").click()
        confirm(page, "Submit", "Submitted: the participants are asked to confirm it.")
    expect(main(page).locator(".ledger").first).to_contain_text(re.compile(r"[0-9a-f]{64}"))
    shot(page, "organizer-submitted")

    # --- 4. Both parties confirm online ------------------------------------------------------------
    for who in ("resident", "firm_contact"):
        login_as(yanchang[who])
        page.goto("/coordination/")
        main(page).get_by_role("link", name=SUBJECT).click()
        for kind in ("record", "agreement"):
            main(page).get_by_role("link", name=f"Confirm the {kind}").click()
            expect(main(page)).to_contain_text("Your name and the time of your confirmation are your signature.")
            if who == "resident" and kind == "agreement":
                shot(page, "resident-confirm-agreement")
            confirm(page, "I confirm", "your confirmation was recorded")
    expect(main(page)).to_contain_text("follow-up")
    shot(page, "firm-follow-up")

    # --- 5. The firm reports the inspection done, with a photo ------------------------------------
    main(page).get_by_role("link", name="Report progress on action 1").click()
    page.get_by_label("What was done").fill("已入户查看，漏水点在屋面东南角。")
    page.get_by_label("Photo or document (optional)").set_input_files(
        {"name": "roof.png", "mimeType": "image/png", "buffer": PNG})
    page.get_by_label("The action is done").check()
    shot(page, "firm-progress")
    confirm(page, "Send the report", "Your report was recorded and the parties were told.")
    expect(main(page).get_by_role("link", name="roof.png")).to_be_visible()
    assert Notification.objects.filter(user=yanchang["resident"], kind="action").exists()
    shot(page, "firm-one-done")

    # --- 6. The organizer sees the overdue repair and escalates ----------------------------------
    login_as(yanchang["organizer"])
    page.goto(f"/committees/{committee.pk}/coordination/")
    expect(main(page)).to_contain_text("1 agreed action is past its due date.")
    expect(main(page)).to_contain_text("修复屋面防水层")
    shot(page, "organizer-dashboard-overdue")
    main(page).get_by_role("link", name=SUBJECT).first.click()
    main(page).get_by_role("link", name="Escalate to the street office").click()
    page.get_by_label("Reason").fill("物业拒绝承担屋面维修费用，居民区无法协调。")
    confirm(page, "Escalate", "The matter was escalated to the street office.")
    shot(page, "organizer-escalated")

    # --- 7. The street officer finds it from the street page --------------------------------------
    login_as(yanchang["officer"])
    page.goto("/")
    open_menu(page).get_by_role("link", name="大宁路街道", exact=True).click()
    main(page).get_by_role("link", name="Escalated coordination matters").click()
    expect(main(page)).to_contain_text("延长居民区")
    shot(page, "officer-escalations")
    main(page).get_by_role("link", name=SUBJECT).click()
    expect(main(page)).to_contain_text("物业拒绝承担屋面维修费用")
    expect(main(page).locator(".card.overdue")).to_contain_text("修复屋面防水层")
    shot(page, "officer-meeting")

    assert browser_console_errors == []

    # --- 8. A neighbour who is no party finds nothing ----------------------------------------------
    login_as(yanchang["neighbour"])
    response = page.goto(meeting.get_absolute_url())
    assert response.status == 404


@pytest.mark.browser_context_args(locale="zh-CN")
def test_a_chinese_resident_reads_the_agreement_and_its_overdue_action_on_a_phone(page: Page, login_as, shot,
                                                                                  settings, tmp_path):
    from tests.coordination.coordination_factories import make_meeting, make_neighbourhood

    settings.MEDIA_ROOT = tmp_path / "media"
    n = make_neighbourhood()
    meeting = make_meeting(n, "follow_up", overdue=True)
    login_as(n.resident)
    page.goto("/coordination/")
    expect(page.get_by_role("heading", level=1)).to_have_text("我的协调会")
    shot(page, "zh-my-meetings")
    main(page).get_by_role("link", name=meeting.subject).click()
    expect(main(page)).to_contain_text("协调意见")
    expect(main(page).locator(".card.overdue").first).to_contain_text("已逾期")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "zh-meeting")
