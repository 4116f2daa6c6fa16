"""The hearing journey: a lift for 1号楼, from draft to archived.

Read it as a story. An organizer of 延长居民区 drafts a hearing on adding a lift to 1号楼 of
延长新村, seats the chair, uploads the plan (a Word file is refused with a clear message, the PDF
is taken) and announces it; the printable notice carries a QR code. 陈静 of 101 registers to speak
and gives a written opinion; the organizer confirms her, opens the session, checks her in and
records her statement, then puts the lift to the households under Civil Code art. 278 through the
ballots: 陈静 votes online, her two neighbours vote too, and the result is published. The session
closes, the minutes are written, sent to the attendees, confirmed by 陈静 and finalized. The
outcome goes on public notice; 陈静 objects, the organizer answers publicly, and after the seven
days of notice the hearing is archived. Screenshots: test-artifacts/screenshots/<test name>/.

Three households, 1号楼 (250 m²): 101 陈静 90 m², 102 周强 80 m², 201 吴芳 80 m². Votes: 陈静 and
周强 for, 吴芳 against: 3 of 3 voices and all the area take part; for: 2 of 3 voices (66.7%) and
170 of 250 m² (68%) — both over half: passed.
"""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import Page, expect

from decisions import services as ballot_services
from decisions.models import Ballot
from hearings.models import Hearing, HearingMinutes
from members.models import Notification
from tests.decisions.factories import open_box
from tests.e2e.menu import open_menu
from tests.factories import (
    make_building,
    make_committee,
    make_compound,
    make_household,
    make_organizer,
    make_resident,
    make_street,
    make_user,
)

TITLE = "1号楼加装电梯听证会"
QUESTION = "是否同意为1号楼加装电梯？"


@pytest.fixture
def building_1():
    committee = make_committee(make_street("静安区 大宁路街道"), name="延长居民区")
    compound = make_compound(committee, name="延长新村")
    building = make_building(compound, name="1号楼")
    make_building(compound, name="2号楼")
    residents = {door: make_resident(make_household(building, door_number=door, floor_area=area), name=name,
                                     representative=True)
                 for door, area, name in (("101", "90.00", "陈静"), ("102", "80.00", "周强"),
                                          ("201", "80.00", "吴芳"))}
    organizer = make_organizer(committee, user=make_user(name="王主任", username="organizer-wang"))
    return {"committee": committee, "building": building, "residents": residents, "organizer": organizer}


def main_nav(page: Page):
    return page.get_by_role("navigation", name="Main")


def status_message(page: Page):
    return page.get_by_role("status")


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_a_hearing_from_draft_to_archived(page: Page, building_1, login_as, shot, browser_console_errors):
    organizer = building_1["organizer"]
    chen, zhou, wu = (building_1["residents"][door] for door in ("101", "102", "201"))
    now = timezone.now().replace(second=0, microsecond=0)

    # --- 1. The organizer drafts the hearing from the committee's pages ---------------------------
    login_as(organizer)
    page.goto("/")
    open_menu(page).get_by_role("link", name="Manage 延长居民区").click()
    page.get_by_role("navigation", name="Committee pages").get_by_role("link", name="Hearings").click()
    expect(page.get_by_role("main")).to_contain_text("No hearings yet.")
    page.get_by_role("main").get_by_role("link", name="New hearing").click()
    page.get_by_label("Matter").fill(TITLE)
    page.get_by_label("Background").fill("1号楼业主申请加装电梯，设计方案见附件。")
    page.get_by_label("some buildings").check()
    page.get_by_label("延长新村 1号楼").check()
    page.get_by_label("Date and time of the hearing").fill(_local(now + timedelta(days=14)))
    page.get_by_label("Venue").fill("居委会会议室")
    page.get_by_label("Written opinions from").fill(_local(now))
    page.get_by_label("Written opinions until").fill(_local(now + timedelta(days=13)))
    page.get_by_label("Observer places").fill("5")
    # Chromium keeps the last datetime field "editing" until something else is clicked.
    page.get_by_role("heading", level=1).click()
    shot(page, "organizer-new-hearing")
    page.get_by_role("button", name="Create the draft").click()
    expect(status_message(page)).to_contain_text("The hearing was drafted.")
    hearing = Hearing.objects.get(title=TITLE)
    expect(page).to_have_url(f"/hearings/{hearing.pk}/manage/")

    # The chair, then the material: a Word file is refused with a clear message, the PDF is taken.
    page.get_by_text("Add to the panel").click()
    panel_form = page.locator("form[action$='/panel/new/']")
    panel_form.get_by_label("Role on the panel").select_option(label="chair")
    panel_form.get_by_label("Or a name").fill("王主任")
    panel_form.get_by_role("button", name="Add").click()
    expect(page.locator("#panel")).to_contain_text("chair：王主任")
    upload = page.locator("form[action$='/material/new/']")
    upload.get_by_label("File").set_input_files({"name": "方案.docx", "mimeType": "application/msword",
                                                 "buffer": b"PK\x03\x04 word"})
    upload.get_by_role("button", name="Upload").click()
    expect(page.locator("#material .errorlist")).to_contain_text("is not allowed: upload a PDF, PNG or JPEG file")
    shot(page, "organizer-upload-refused")
    upload = page.locator("form[action$='/material/new/']")
    upload.get_by_label("File").set_input_files({"name": "电梯方案.pdf", "mimeType": "application/pdf",
                                                 "buffer": b"%PDF-1.4 lift plan"})
    upload.get_by_label("Description").fill("加装电梯设计方案")
    upload.get_by_role("button", name="Upload").click()
    expect(page.locator("#material")).to_contain_text("加装电梯设计方案")

    # Announce: 14 days ahead is more than the 10 days of notice required.
    page.get_by_role("link", name="Announce", exact=True).click()
    expect(page.get_by_role("main")).to_contain_text("the notice period is respected")
    shot(page, "organizer-announce-confirm")
    page.get_by_role("button", name="Announce").click()
    expect(page.locator(".status").first).to_have_text("announced")
    page.get_by_role("link", name="Printable notice").click()
    expect(page.locator("#notice-qr")).to_be_visible()
    shot(page, "printable-notice")

    # --- 2. 陈静 registers to speak and gives her written opinion -----------------------------------
    login_as(chen)
    page.goto("/")
    open_menu(page).get_by_role("link", name="Hearings").click()
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    page.get_by_label("speak at the hearing (speaker)").check()
    page.get_by_label("What you want to say (for speakers)").fill("家里老人上下楼困难，支持加装。")
    page.get_by_role("button", name="Register").click()
    expect(status_message(page)).to_contain_text("You are registered.")
    page.get_by_label("Your written opinion").fill("支持加装电梯，希望施工避开午休。")
    page.get_by_role("button", name="Save my opinion").click()
    expect(status_message(page)).to_contain_text("Your opinion was saved.")
    expect(page.get_by_role("main")).to_contain_text("支持加装电梯，希望施工避开午休。")
    shot(page, "resident-registered-and-opinion")

    # --- 3. The session: confirm the speaker, check in, record, and put it to the households -------
    login_as(organizer)
    page.goto(f"/hearings/{hearing.pk}/manage/")
    page.locator("#registrations").get_by_role("link", name="Confirm").click()
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator("#registrations")).to_contain_text("confirmed")
    page.get_by_role("link", name="Open the session").click()
    # The hearing is days away: opening now needs a reason, which its public page then shows.
    page.get_by_label("Reason for opening before the announced time").fill("代表均已到场，街道要求提前举行")
    page.get_by_role("button", name="Open the session").click()
    check_in = page.locator("form[action$='/check-in/']")
    check_in.get_by_label("Expected attendee").select_option(label="陈静")
    check_in.get_by_label("Present as").select_option(label="speaker")
    check_in.get_by_role("button", name="Check in").click()
    expect(page.locator("#session")).to_contain_text("陈静 · speaker")
    statement = page.locator("form[action$='/statements/new/']")
    statement.get_by_label("Speaker", exact=True).select_option(label="陈静")
    statement.get_by_label("What was said").fill("老人多，电梯是刚需；费用按楼层分摊。")
    statement.get_by_role("button", name="Record").click()
    expect(page.locator("#session")).to_contain_text("老人多，电梯是刚需")
    shot(page, "organizer-session")

    page.get_by_role("link", name="Put to a vote").click()
    page.get_by_label("Question put to the vote").fill(QUESTION)
    expect(page.get_by_label("the households of the affected area (one voice each)")).to_be_checked()
    expect(page.get_by_label("Decision rule")).to_have_value("art278")
    page.get_by_role("button", name="Draft the ballot").click()
    expect(status_message(page)).to_contain_text("vote was drafted in the ballots.")
    ballot = Ballot.objects.get(title=TITLE)
    assert ballot.subject == hearing and ballot.building == building_1["building"]
    page.get_by_role("link", name="Open voting…").click()
    page.get_by_role("button", name="Open voting now").click()
    # No scrutineer named: the organizer is the box's only one and is shown their card (the scrutineers'
    # journey is tests/e2e/test_scrutineer_journey.py).
    expect(status_message(page)).to_contain_text("Voting is open. You are the only scrutineer of this ballot")

    login_as(chen)
    page.goto(f"/hearings/{hearing.pk}/")
    page.get_by_role("link", name=QUESTION).click()
    page.get_by_role("button", name="同意", exact=True).click()
    page.get_by_role("button", name="Confirm my vote").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your receipt")
    question = ballot.questions.get()
    options = {o.meaning: o.pk for o in question.options.all()}
    ballot_services.vote_cast(ballot=ballot, voter=zhou, choices={question.pk: [options["yes"]]})
    ballot_services.vote_cast(ballot=ballot, voter=wu, choices={question.pk: [options["no"]]})

    login_as(organizer)
    page.goto(f"/ballots/{ballot.pk}/manage/")
    page.get_by_role("link", name="Close voting…").click()
    page.get_by_role("button", name="Close voting now").click()
    expect(status_message(page)).to_contain_text("the ballot is now closed")
    open_box(ballot)  # the organizer presents the card they were shown at opening
    page.goto(f"/ballots/{ballot.pk}/manage/")
    page.get_by_role("link", name="Publish the result…").click()
    page.get_by_role("button", name="Publish now").click()
    expect(page.get_by_role("main")).to_contain_text("Passed")
    shot(page, "art278-result")

    # --- 4. Minutes: written, confirmed by the attendee, finalized ------------------------------
    page.goto(f"/hearings/{hearing.pk}/manage/")
    page.get_by_role("link", name="Close the session").click()
    page.get_by_role("button", name="Close the session").click()
    page.get_by_role("link", name="Write the minutes").click()
    record = page.get_by_label("Record of the hearing")
    expect(record).to_have_value("陈静（statement）：老人多，电梯是刚需；费用按楼层分摊。")
    page.get_by_label("Summary").fill("多数业主支持加装电梯；按《民法典》第二百七十八条户表决通过。")
    page.get_by_role("button", name="Save the draft").click()
    page.get_by_role("link", name="Send to the attendees").click()
    page.get_by_role("button", name="Send to the attendees").click()
    expect(page.locator("#minutes")).to_contain_text("sent to attendees for confirmation")

    login_as(chen)
    page.goto(f"/hearings/{hearing.pk}/")
    page.get_by_role("link", name="Read and confirm the minutes").click()
    shot(page, "resident-confirm-minutes")
    page.get_by_role("button", name="I confirm the minutes").click()
    expect(status_message(page)).to_contain_text("You confirmed the minutes.")

    login_as(organizer)
    page.goto(f"/hearings/{hearing.pk}/manage/")
    expect(page.locator("#minutes")).to_contain_text("陈静 (")
    page.get_by_role("link", name="Finalize").click()
    page.get_by_role("button", name="Finalize").click()
    expect(page.locator("#minutes .status").first).to_have_text("final")
    minutes = HearingMinutes.objects.get(hearing=hearing)
    assert minutes.status == HearingMinutes.Status.FINAL
    expect(page.locator("#minutes")).to_contain_text(minutes.content_hash)

    # --- 5. Outcome, public notice, an objection answered --------------------------------------
    page.get_by_role("link", name="Publish the outcome").click()
    page.get_by_label("Decision of the committee").fill("同意1号楼加装电梯。")
    page.get_by_label("Reasons, citing the hearing").fill("听证会陈述人支持；户表决按第二百七十八条通过。")
    page.get_by_role("button", name="Publish and start the public notice").click()
    expect(page.locator(".status").first).to_have_text("public notice")

    login_as(chen)
    page.goto(f"/hearings/{hearing.pk}/")
    expect(page.locator("#outcome")).to_contain_text("同意1号楼加装电梯。")
    page.get_by_label("Your objection").fill("施工时间应避开午休。")
    page.get_by_role("button", name="File the objection").click()
    expect(status_message(page)).to_contain_text("Your objection was filed.")

    login_as(organizer)
    page.goto(f"/hearings/{hearing.pk}/manage/")
    page.locator("#objections").get_by_role("link", name="Answer").click()
    page.get_by_label("Public answer").fill("工作日 8:30–12:00 和 14:00–17:30 施工，午休不施工。")
    page.get_by_role("button", name="Publish the answer").click()
    expect(status_message(page)).to_contain_text("The answer was published")
    assert Notification.objects.filter(user=chen, kind=Notification.Kind.OBJECTION_ANSWERED).exists()

    login_as(chen)
    page.goto(f"/hearings/{hearing.pk}/")
    expect(page.locator("#objections")).to_contain_text("午休不施工")
    shot(page, "resident-objection-answered")

    # --- 6. After the seven days of public notice the hearing is archived ------------------------
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=5), tick=True):
        login_as(organizer)
        page.goto(f"/hearings/{hearing.pk}/manage/")
        page.get_by_role("link", name="Archive").click()
        page.get_by_role("button", name="Archive").click()
        expect(page.locator(".status").first).to_have_text("archived")
    hearing.refresh_from_db()
    assert hearing.status == Hearing.Status.ARCHIVED

    # Anyone with the link reads the outcome and the answer, but not who objected or the opinions.
    page.context.clear_cookies()
    page.goto(f"/hearings/{hearing.pk}/")
    main = page.get_by_role("main")
    expect(main).to_contain_text("午休不施工")
    expect(main).to_contain_text(minutes.content_hash)
    expect(main).not_to_contain_text("支持加装电梯，希望施工避开午休。")
    expect(page.locator("#objections")).not_to_contain_text("陈静")
    shot(page, "public-archived")
    page.set_viewport_size({"width": 1280, "height": 900})
    shot(page, "public-archived-wide")
    assert browser_console_errors == []


@pytest.mark.browser_context_args(locale="zh-CN")
def test_the_public_page_and_notice_read_in_chinese_on_a_phone(page: Page, building_1, login_as, shot,
                                                                browser_console_errors):
    """A late announcement as residents see it: the reason on the page and on the printed notice."""
    from hearings import services
    from hearings.models import HearingPanelMember

    organizer, chen = building_1["organizer"], building_1["residents"]["101"]
    now = timezone.now()
    hearing = services.hearing_create(
        committee=building_1["committee"], by=organizer, title=TITLE, place="居委会会议室",
        starts_at=now + timedelta(days=3), opinion_opens_at=now, opinion_closes_at=now + timedelta(days=2),
        scope=Hearing.Scope.BUILDINGS, buildings=[building_1["building"]], background="1号楼业主申请加装电梯。")
    services.hearing_panel_add(hearing=hearing, by=organizer, role=HearingPanelMember.Role.CHAIR, user=organizer)
    services.hearing_announce(hearing=hearing, by=organizer, late_reason="施工队下周进场，需尽快听证。")
    login_as(chen)
    page.goto(f"/hearings/{hearing.pk}/")
    expect(page.locator("#late-notice")).to_contain_text("施工队下周进场")
    expect(page.get_by_role("button", name="报名")).to_be_visible()
    shot(page, "zh-public-page")
    page.get_by_role("link", name="打印公告").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)
    expect(page.get_by_role("main")).to_contain_text("施工队下周进场")
    shot(page, "zh-notice")
    assert browser_console_errors == []
