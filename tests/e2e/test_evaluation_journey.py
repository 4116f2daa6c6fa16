"""The year-end evaluation journey (评议会), read as a story.

The street officer of 大宁路街道 launches this year's evaluation in all three committees at once.
In 延长居民区 a resident representative fills in the secret sheet on her phone, one evaluatee per
screen, saves a draft on the device, comes back, checks her answers and hands it in; four more do
the same; one hands in a paper sheet, which an organizer types in and a second organizer confirms.
The organizer closes and publishes; the results open on their summary. The street officer opens
the dashboard (heat map, bar chart, year-on-year line against last year's campaign) and the
property firm's contact files its rectification plan and confirms it as the firm's head.
Screenshots in test-artifacts/screenshots/<test name>/.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from decisions.models import Participation
from evaluations import services
from evaluations.models import Campaign, Rectification, Result
from members import services as member_services
from members.models import Agency, Notification, Role
from tests.decisions.factories import open_box
from tests.e2e.menu import open_menu
from tests.e2e.test_layout import UNLABELLED_FIELDS_JS
from tests.evaluations.factories import fill, make_reps, publish, settings
from tests.factories import make_committee, make_compound, make_organizer, make_street, make_street_officer, make_user


@pytest.fixture
def danning():
    street = make_street("大宁路街道")
    committees = [make_committee(street, name) for name in ("延长居民区", "宁和居民区", "上工新村居民区")]
    police = member_services.agency_ensure(street=street, kind=Agency.Kind.POLICE, name="大宁路派出所",
                                           supervising_department="静安区公安分局", committees=committees)
    member_services.agency_ensure(street=street, kind=Agency.Kind.WORK_STATION, name="大宁路街道社区工作站",
                                  committees=committees)
    firms = []
    for committee in committees:
        firm = member_services.agency_ensure(street=street, kind=Agency.Kind.PROPERTY_FIRM,
                                             name=f"{committee.name[:2]}物业管理有限公司")
        make_compound(committee, name=f"{committee.name[:2]}小区", property_firm=firm)
        firms.append(firm)
    yanchang = committees[0]
    reps = {c.pk: make_reps(c, 6) for c in committees}
    for i, rep in enumerate(reps[yanchang.pk]):
        rep.full_name = ["陈静", "周强", "吴芳", "郑磊", "孙丽", "王芳"][i]
        rep.save()
    organizers = [make_organizer(yanchang, user=make_user(name=name)) for name in ("王主任", "李副主任")]
    officer = make_street_officer(street, user=make_user(name="吴涛"))
    contact = make_user(name="延长物业 张经理")
    member_services.role_grant(user=contact, kind=Role.Kind.AGENCY_CONTACT, agency=firms[0], by=None)
    # Last year's evaluation of 延长居民区, already published: the dashboard shows a trend.
    last = services.campaign_create(committee=yanchang, by=organizers[0], settings=settings(2025))
    last = services.campaign_open(campaign=last, by=organizers[0])
    for i, rep in enumerate(reps[yanchang.pk]):
        fill(last, rep, level_for=lambda item, i=i: 1 + (i % 3))
    publish(last, organizers[0])
    last_plan = Rectification.objects.get(campaign=last, agency=firms[0])
    services.rectification_file(task=last_plan, by=contact, targets="满意率 80%", measures="增加保洁",
                                head_name="张经理")
    services.rectification_confirm(task=last_plan, by=contact)
    return {"street": street, "yanchang": yanchang, "reps": reps[yanchang.pk], "organizers": organizers,
            "officer": officer, "contact": contact, "police": police, "firm": firms[0]}


def fits_a_phone(page: Page) -> None:
    """Nothing scrolls sideways at 390 px and every visible field has a label."""
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.url
    assert page.evaluate(UNLABELLED_FIELDS_JS) == [], page.url


def rate_everything(page: Page, label: str) -> None:
    for fieldset in page.locator("fieldset.rating").all():
        fieldset.get_by_label(label, exact=True).check()


def test_street_launches_representatives_fill_in_results_dashboard_and_rectification(
        page: Page, danning, login_as, shot, browser_console_errors):
    street, yanchang, reps = danning["street"], danning["yanchang"], danning["reps"]
    organizer_a, organizer_b = danning["organizers"]

    # --- 1. The street officer launches the evaluation in every committee -------------------------
    login_as(danning["officer"])
    page.goto(f"/streets/{street.pk}/")
    page.get_by_role("main").get_by_role("link", name="Year-end evaluations").click()
    page.get_by_role("link", name="Launch in every committee").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Launch evaluations in every committee")
    expect(page.get_by_label("Year")).to_have_value("2026")
    page.get_by_label("Title").fill("2026年度派驻机构和物业服务评议")
    page.get_by_label("Every evaluatee files a rectification plan").check()
    page.get_by_label("Meeting place (optional)").fill("居委会会议室")
    # Opened at once with nobody named: the officer is every box's only scrutineer, one card each.
    page.get_by_label("Open the sheets now in every committee").check()
    shot(page, "launch-form")
    fits_a_phone(page)
    page.get_by_role("button", name="Launch in every committee").click()
    expect(page.get_by_role("status")).to_contain_text("Evaluations launched in 3 committees.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your scrutineer cards")
    expect(page.get_by_test_id("card-code")).to_have_count(3)
    shot(page, "launch-scrutineer-cards")
    fits_a_phone(page)
    page.get_by_role("link", name="Back to the evaluations").click()
    expect(page.locator("tbody tr").filter(has_text="2026年度派驻机构和物业服务评议")).to_have_count(3)
    shot(page, "launched")
    campaign = Campaign.objects.get(committee=yanchang, year=2026)
    assert campaign.status == Campaign.Status.OPEN

    # --- 2. 陈静 fills in her sheet on her phone, one evaluatee per screen, comes back and hands it in ---
    # She follows the link of the notification she was sent when the sheets opened. Every tap from the
    # campaign page to the hand-in is counted.
    taps = 0

    def tap(locator) -> None:
        nonlocal taps
        taps += 1
        locator.click()

    login_as(reps[0])
    page.goto(Notification.objects.filter(user=reps[0], kind=Notification.Kind.OPENING).first().url)
    expect(page.get_by_role("main")).to_contain_text("2026年度派驻机构和物业服务评议")
    tap(page.get_by_role("link", name="Fill in my sheet"))
    expect(page.get_by_role("heading", level=1)).to_have_text("My evaluation sheet")
    expect(page.locator(".sheet-progress")).to_contain_text("1 of 3")  # police, firm, work station
    fieldsets = page.locator("fieldset.rating")
    expect(fieldsets).to_have_count(4)  # 4 dimensions on each evaluatee's screen
    for i in range(4):
        tap(fieldsets.nth(i).get_by_text("满意", exact=True))  # the whole label is the button
    tap(page.get_by_role("button", name="Next"))
    expect(page.locator(".sheet-progress")).to_contain_text("2 of 3")
    expect(page.get_by_role("heading", level=2)).to_contain_text("延长物业管理有限公司")
    for i in range(2):
        tap(fieldsets.nth(i).get_by_text("满意", exact=True))
    page.get_by_label("Comment on 延长物业管理有限公司 (optional, anonymous)").fill("保洁还要加强")
    page.get_by_role("button", name="Save a draft on this device").click()
    expect(page.locator(".draft-status")).to_have_text("Draft saved on this device.")
    shot(page, "sheet-draft-saved")
    fits_a_phone(page)

    # She puts the phone down; later she opens the sheet again: the draft on this device fills it in.
    page.goto(f"/evaluations/{campaign.pk}/sheet/")
    expect(page.locator(".draft-status")).to_contain_text("Your draft from this device has been filled in")
    expect(fieldsets.nth(3).get_by_label("满意", exact=True)).to_be_checked()
    page.get_by_role("button", name="See all my answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check my answers")
    firm_review = page.locator(".review-item").filter(has_text="延长物业管理有限公司")
    expect(firm_review).to_have_class(re.compile("incomplete"))
    expect(firm_review).to_contain_text("保洁还要加强")
    expect(page.locator(".review-item.incomplete")).to_have_count(2)  # the firm (2 lines) and the work station
    expect(page.get_by_role("button", name="Hand in my sheet")).to_have_count(0)
    shot(page, "sheet-review-incomplete")
    fits_a_phone(page)
    firm_review.get_by_role("button", name="Rate 延长物业管理有限公司").click()
    expect(page.locator(".sheet-progress")).to_contain_text("2 of 3")
    expect(fieldsets.nth(1).get_by_label("满意", exact=True)).to_be_checked()
    expect(page.get_by_label("Comment on 延长物业管理有限公司 (optional, anonymous)")).to_have_value("保洁还要加强")
    for i in range(2, 4):
        tap(fieldsets.nth(i).get_by_text("基本满意", exact=True))
    tap(page.get_by_role("button", name="Next"))
    for i in range(4):
        tap(fieldsets.nth(i).get_by_text("基本满意", exact=True))
    shot(page, "sheet-last-screen")
    fits_a_phone(page)
    page.screenshot(path=str(shot(page, "sheet-again").parent / "sheet-phone-viewport.png"))
    tap(page.get_by_role("button", name="Check my answers"))
    expect(page.locator(".review-item.incomplete")).to_have_count(0)
    shot(page, "sheet-review-complete")
    fits_a_phone(page)
    tap(page.get_by_role("button", name="Hand in my sheet"))
    expect(page.get_by_role("status")).to_contain_text("Your sheet has been recorded. Receipt:")
    expect(page.get_by_role("main")).to_contain_text("Your sheet is secret")
    shot(page, "sheet-handed-in")
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('sanhui-sheet')).length") == 0
    # 12 ratings on 3 screens: open the sheet, rate, next, next, check, hand in (the interruption,
    # the draft and the way back to the firm's screen are not counted: nothing to redo).
    print(f"\nevaluation sheet: {taps} taps for 12 ratings on 3 screens")
    assert taps == 1 + 12 + 2 + 1 + 1

    # Four more representatives hand in theirs (the same service the page calls).
    for i, rep in enumerate(reps[1:5]):
        fill(campaign, rep, level_for=lambda item, i=i: 1 if item.evaluatee.kind != "property_firm" else 1 + i % 3)

    # --- 3. 王芳 handed in a paper sheet: organizer A types it in, organizer B confirms --------------
    login_as(organizer_a)
    page.goto(f"/evaluations/{campaign.pk}/")
    expect(page.get_by_role("main")).to_contain_text("5 of 6 evaluators have handed in a sheet")
    expect(page.get_by_role("main")).not_to_contain_text("保洁还要加强")  # results hidden before close
    shot(page, "organizer-open-turnout-only")
    page.get_by_role("link", name="Paper sheets").click()
    page.get_by_label("Sheets issued").fill("1")
    page.get_by_label("Sheets returned").fill("1")
    page.get_by_label("Void sheets (among those returned)").fill("0")
    page.get_by_label(re.compile("王芳")).check()
    page.get_by_role("button", name="Record the batch").click()
    rate_everything(page, "不满意")
    page.get_by_role("button", name="Save this sheet").click()
    expect(page.get_by_role("main")).to_contain_text("All valid sheets are entered.")
    shot(page, "paper-sheet-entered")
    batch_url = page.url
    login_as(organizer_b)
    page.goto(batch_url.rstrip("/") + "/confirm/")
    page.get_by_role("button", name="Confirm and count this batch").click()
    expect(page.get_by_role("status")).to_contain_text("The batch was confirmed")
    assert Participation.objects.filter(ballot=campaign.ballot, channel="paper").count() == 1

    # --- 4. Organizer A closes and publishes ---------------------------------------------------
    login_as(organizer_a)
    page.goto(f"/evaluations/{campaign.pk}/")
    page.get_by_role("link", name="Close the sheets").click()
    expect(page.get_by_role("main")).to_contain_text("6 of 6 evaluators have handed in a sheet (100.0%)")
    page.get_by_role("button", name="Close the sheets").click()
    expect(page.get_by_role("status")).to_contain_text("the evaluation is now closed")
    # The street officer who launched it holds the box's one card (shown at launch): it opens the box.
    open_box(campaign.ballot)
    page.goto(f"/evaluations/{campaign.pk}/")
    page.get_by_role("link", name="Publish the results").click()
    page.get_by_role("button", name="Publish the results").click()
    expect(page.get_by_role("status")).to_contain_text("the evaluation is now published")
    page.get_by_role("link", name="See the results").click()
    # The summary first: each evaluatee's satisfaction rate; the details open on request.
    expect(page.locator(".results-summary li")).to_have_count(3)
    expect(page.locator(".results-summary li").filter(has_text="延长物业管理有限公司")).to_contain_text("%")
    shot(page, "results-summary")
    page.screenshot(path=str(shot(page, "results-summary-again").parent / "results-phone-first-screen.png"))
    firm = page.locator("details.evaluatee-result").filter(has_text="延长物业管理有限公司")
    expect(firm.locator("tr.overall")).to_be_hidden()
    firm.locator("summary").click()
    expect(firm.locator("tr.overall")).to_contain_text("%")
    expect(firm).to_contain_text("保洁还要加强")
    expect(firm).to_contain_text("Last year's rectification plan: plan confirmed")
    shot(page, "results")
    firm.scroll_into_view_if_needed()
    page.screenshot(path=str(shot(page, "results-again").parent / "results-phone-viewport.png"))
    fits_a_phone(page)
    firm_row = Result.objects.get(evaluatee__campaign=campaign, evaluatee__agency=danning["firm"], dimension=None)
    assert firm_row.answers == 24 and firm_row.counts["3"] == 4 + 4  # 郑磊 and the paper sheet: 不满意

    # --- 5. The street officer reads the dashboard ------------------------------------------------
    login_as(danning["officer"])
    page.goto(f"/streets/{street.pk}/evaluations/dashboard/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Evaluation dashboard")
    expect(page.locator("#chart-bars")).to_have_attribute("data-chart-ready", "1")
    expect(page.locator("#chart-trend")).to_have_attribute("data-chart-ready", "1")
    expect(page.locator("table.heatmap")).to_contain_text("延长物业管理有限公司")
    trend_table = page.locator("table.chart-table").nth(1)
    expect(trend_table).to_contain_text("2025")
    expect(trend_table).to_contain_text("2026")
    shot(page, "dashboard")
    fits_a_phone(page)
    folder = shot(page, "dashboard-again").parent
    page.screenshot(path=str(folder / "dashboard-phone-top.png"))  # viewport-sized: readable
    page.locator("table.heatmap").scroll_into_view_if_needed()
    page.screenshot(path=str(folder / "dashboard-phone-heatmap.png"))
    page.locator("#chart-bars").screenshot(path=str(folder / "chart-bars.png"))
    page.locator("#chart-trend").screenshot(path=str(folder / "chart-trend.png"))
    # The page loads Chart.js 4 from our static files, never django-chartjs's 2.9.3 nor a CDN.
    assert page.evaluate("window.Chart.version").startswith("4.")
    page.set_viewport_size({"width": 1280, "height": 900})
    shot(page, "dashboard-desktop")
    page.set_viewport_size({"width": 390, "height": 844})

    # --- 6. The property firm's contact files the plan and confirms it as the firm's head ---------
    login_as(danning["contact"])
    page.goto("/")
    open_menu(page).get_by_role("link", name="My agency's evaluations").click()
    expect(page.get_by_role("main")).not_to_contain_text("大宁路派出所")  # only its own agency
    waiting = page.get_by_role("row").filter(has_text="waiting for the plan")
    waiting.get_by_role("link", name="延长物业管理有限公司").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rectification plan")
    expect(page.get_by_role("main")).to_contain_text("15 working days after publication")
    page.get_by_label("Targets").fill("明年满意率达到 90% 以上")
    page.get_by_label("Measures").fill("每周两次楼道保洁；设立物业服务热线；每月向居委会通报")
    page.get_by_label("Name of the agency's head who answers for the plan").fill("张经理")
    shot(page, "plan-form")
    fits_a_phone(page)
    page.get_by_role("button", name="File the plan").click()
    page.get_by_role("button", name="Confirm the plan as the agency's head").click()
    expect(page.get_by_role("main")).to_contain_text("plan confirmed")
    shot(page, "plan-confirmed")
    task = Rectification.objects.get(evaluatee__campaign=campaign, agency=danning["firm"])
    assert task.status == Rectification.Status.CONFIRMED and task.confirmed_by == danning["contact"]
    assert browser_console_errors == []
