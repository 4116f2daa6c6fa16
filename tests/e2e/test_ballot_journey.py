"""The ballot journey: a secret art. 278 ballot of one building, from draft to published verdict.

Read it as a story. An organizer opens a secret ballot to the households of 1号楼 under the
Civil Code art. 278 rule; two residents vote on their phones and one of them changes their vote;
an organizer types in a batch of paper sheets and a second organizer confirms it; the ballot is
closed, the organizer (its only scrutineer, as none was named) opens the sealed box with the card
shown at opening, and the result is published; a resident finds their receipt code in the
published list and reads why the motion passed. A screenshot is saved after each step in
test-artifacts/screenshots/<test name>/.

The numbers (5 households, 433.75 m²):
  101  90.00 m²  陈静    online 同意
  102  75.50 m²  周强    online 反对, then changed to 同意
  201 120.00 m²  吴芳    paper  同意
  202  60.25 m²  郑磊    paper  反对
  301  88.00 m²  孙丽    does not vote
Taking part: 4 of 5 voices (80%), 345.75 of 433.75 m² (79.7%) — both ≥ 66.7%.
For: 3 of 4 voices (75%) and 285.50 of 345.75 m² (82.6%) — both > 50%: passed.
"""

import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from decisions import selectors, services
from decisions.models import Ballot, Participation
from members import services as member_services
from tests.decisions.factories import open_box
from tests.e2e.menu import open_menu
from tests.factories import (
    make_building,
    make_committee,
    make_compound,
    make_household,
    make_organizer,
    make_street,
    make_user,
)

TITLE = "1号楼加装电梯"
QUESTION = "是否同意为1号楼加装电梯？"
PASSWORD = "Yanchang-1hao-lou"
ORGANIZER_A = ("王主任", "organizer-wang", "Juweihui-2025-desk")
ORGANIZER_B = ("李副主任", "organizer-li", "Juweihui-2025-side")
# door, floor area (m²), the household representative, their phone as typed at sign-in (stored as +86…)
HOUSEHOLDS = [
    ("101", "90.00", "陈静", "13900000101"),
    ("102", "75.50", "周强", "13900000102"),
    ("201", "120.00", "吴芳", "13900000201"),
    ("202", "60.25", "郑磊", "13900000202"),
    ("301", "88.00", "孙丽", "13900000301"),
]
RECEIPT = re.compile(r"^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$")
CARD_CODE = re.compile(r"^[A-Z0-9]{4}(-[A-Z0-9]{4}){6}$")


def _representative(household, name: str, phone: str):
    """A resident who can sign in with phone and password, verified as the household's representative."""
    user = make_user(name=name, phone=f"+86{phone}", password=PASSWORD)
    membership = member_services.membership_ensure_verified(user=user, household=household, by=None)
    member_services.membership_set_representative(membership=membership, by=None)
    return user


@pytest.fixture
def building_1():
    """延长居民区 › 延长新村 › 1号楼 with five households of different sizes, and two organizers."""
    committee = make_committee(make_street("静安区 大宁路街道"), name="延长居民区")
    building = make_building(make_compound(committee, name="延长新村"), name="1号楼")
    residents = {door: _representative(make_household(building, door_number=door, floor_area=area), name, phone)
                 for door, area, name, phone in HOUSEHOLDS}
    organizers = [make_organizer(committee, user=make_user(name=name, username=username, password=password,
                                                           phone=None))
                  for name, username, password in (ORGANIZER_A, ORGANIZER_B)]
    return {"committee": committee, "building": building, "residents": residents,
            "organizer_a": organizers[0], "organizer_b": organizers[1]}


def main_nav(page: Page):
    return page.get_by_role("navigation", name="Main")


def ballot_nav(page: Page):
    return page.get_by_role("navigation", name="Ballot pages")


def status_message(page: Page):
    return page.get_by_role("status")


def choose_and_check(page: Page, choice: str) -> None:
    """On the ballot page: tap ``choice`` (one question: each option is a button) and see the
    confirmation step, which repeats it."""
    page.get_by_role("button", name=choice, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your vote")
    expect(page.locator(".chosen")).to_have_text(choice)


def test_a_secret_art_278_ballot_from_draft_to_published_verdict(
        page: Page, building_1, login_as, shot, browser_console_errors):
    committee, residents = building_1["committee"], building_1["residents"]
    organizer_a, organizer_b = building_1["organizer_a"], building_1["organizer_b"]

    # --- 1. Organizer A signs in and drafts the ballot ------------------------------------------
    page.goto("/accounts/login/")
    page.get_by_label("Mobile phone or username").fill(ORGANIZER_A[1])
    page.get_by_label("Password").fill(ORGANIZER_A[2])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, 王主任")

    # From the committee's pages: Ballots → New ballot.
    open_menu(page).get_by_role("link", name="Manage 延长居民区").click()
    page.get_by_role("navigation", name="Committee pages").get_by_role("link", name="Ballots").click()
    expect(page.get_by_role("main")).to_contain_text("No ballots yet.")
    shot(page, "organizer-ballots-empty")
    page.get_by_role("main").get_by_role("link", name="New ballot").click()
    expect(page).to_have_url(f"/committees/{committee.pk}/ballots/new/")

    # A secret ballot, one voice per household of 1号楼, decided under art. 278 (ordinary matter).
    page.get_by_label("Title", exact=True).fill(TITLE)
    page.get_by_label("Description").fill("电梯方案和费用分摊见楼道公告栏。")
    page.get_by_label("Question", exact=True).fill(QUESTION)
    page.get_by_label("For / against / abstain").check()
    page.get_by_label("secret ballot").check()
    page.get_by_label("Who may vote").select_option(label="one voice per household")
    page.get_by_label("the household representative").check()
    page.get_by_label("Only this compound").select_option(label="延长新村")
    page.get_by_label("Only this building").select_option(label="延长新村 1号楼")
    page.get_by_label("Decision rule").select_option(label="Civil Code art. 278 (ordinary matter)")
    expect(page.get_by_label("Voters may change their vote until the ballot closes")).to_be_checked()
    shot(page, "ballot-create-filled")
    page.get_by_role("button", name="Create the draft").click()

    # The draft's manage page: the question and its usual options, and the next step.
    ballot = Ballot.objects.get(title=TITLE)
    expect(page).to_have_url(f"/ballots/{ballot.pk}/manage/")
    expect(status_message(page)).to_contain_text("The ballot was created as a draft.")
    expect(page.locator(".status").first).to_have_text("draft")
    questions = page.locator("#questions")
    expect(questions).to_contain_text(QUESTION)
    for label in ("同意", "反对", "弃权"):
        expect(questions).to_contain_text(label)
    shot(page, "manage-draft")

    # Open voting: a confirmation page recalls what will be frozen, then it opens.
    page.get_by_role("link", name="Open voting…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Open voting")
    expect(page.get_by_role("main")).to_contain_text("Civil Code art. 278 (ordinary matter)")
    expect(page.get_by_role("main")).to_contain_text(
        "one voice per household of 延长新村 1号楼, cast by the household representative")
    shot(page, "open-confirm")
    page.get_by_role("button", name="Open voting now").click()
    # No scrutineer was named: the organizer who opens is the only one, and is shown their card once.
    expect(status_message(page)).to_contain_text("You are the only scrutineer of this ballot: keep this card.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Scrutineer card")
    card_code = page.get_by_test_id("card-code").inner_text().replace("\n", "")
    assert CARD_CODE.match(card_code), card_code
    shot(page, "open-scrutineer-card")
    ballot.refresh_from_db()
    assert ballot.status == Ballot.Status.OPEN
    assert ballot.electorate_size == 5 and ballot.electorate_area == Decimal("433.75")
    page.goto(f"/ballots/{ballot.pk}/manage/")
    expect(page.locator(".status").first).to_have_text("open")
    shot(page, "manage-open")

    # The ballot page shows the electorate (5 voices, 433.75 m²) and the snapshot's fingerprint.
    ballot_nav(page).get_by_role("link", name="Residents' view").click()
    expect(page).to_have_url(f"/ballots/{ballot.pk}/")
    expect(page.get_by_role("main")).to_contain_text("5 voices entitled · 433.75 m² of floor area")
    expect(page.get_by_role("main")).to_contain_text("Electorate snapshot")
    expect(page.locator("code", has_text=ballot.snapshot_hash)).to_be_visible()
    # One scrutineer alone can open the box: the ballot page says so to everyone.
    expect(page.get_by_test_id("single-scrutineer")).to_be_visible()
    shot(page, "ballot-page-organizer")
    open_menu(page).get_by_role("button", name="Sign out").click()

    # --- 2. Resident 1 (101) signs in with phone and password and votes 同意 ---------------------
    main_nav(page).get_by_role("link", name="Sign in").click()
    page.get_by_label("Mobile phone or username").fill("13900000101")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, 陈静")
    open_menu(page).get_by_role("link", name="My ballots").click()
    waiting = page.get_by_role("main").get_by_role("listitem").filter(has_text=TITLE)
    expect(waiting).to_contain_text("Vote now")
    shot(page, "resident1-my-ballots-waiting")
    waiting.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_role("group", name=QUESTION)).to_be_visible()
    shot(page, "resident1-ballot-page")

    choose_and_check(page, "同意")
    expect(page.get_by_role("main")).to_contain_text("This is a secret ballot")
    shot(page, "resident1-confirm")
    page.get_by_role("button", name="Confirm my vote").click()
    expect(status_message(page)).to_contain_text("Your vote has been recorded.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your receipt")
    receipt_1 = page.locator(".receipt-code").inner_text().strip()
    assert RECEIPT.match(receipt_1), receipt_1
    shot(page, "resident1-receipt")

    # --- Resident 2 (102) votes 反对, then changes to 同意 -------------------------------------
    login_as(residents["102"])
    page.goto("/ballots/")
    page.get_by_role("main").get_by_role("link", name=re.compile(TITLE)).click()
    choose_and_check(page, "反对")
    shot(page, "resident2-confirm-against")
    page.get_by_role("button", name="Confirm my vote").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your receipt")
    receipt_2_first = page.locator(".receipt-code").inner_text().strip()
    shot(page, "resident2-receipt-against")

    # Back on the ballot: the vote is recorded, and can be changed until the ballot closes.
    page.get_by_role("link", name="Back to the ballot").click()
    expect(page.get_by_role("main")).to_contain_text("You have voted")
    expect(page.get_by_role("main").locator(".card", has_text=receipt_2_first)).to_contain_text("this one counts")
    page.get_by_text("Change your vote", exact=True).click()
    shot(page, "resident2-change-open")
    choose_and_check(page, "同意")
    expect(page.get_by_role("main")).to_contain_text("This vote replaces your earlier one")
    shot(page, "resident2-confirm-change")
    page.get_by_role("button", name="Confirm my vote").click()
    receipt_2 = page.locator(".receipt-code").inner_text().strip()
    assert RECEIPT.match(receipt_2) and receipt_2 != receipt_2_first
    expect(page.get_by_role("main")).to_contain_text("This is your latest vote: it is the one that counts.")
    shot(page, "resident2-receipt-changed")

    # My ballots lists both receipts: the first one replaced, the second one counting.
    open_menu(page).get_by_role("link", name="My ballots").click()
    card = page.get_by_role("main").locator(".card", has_text=TITLE)
    expect(card.get_by_role("listitem").filter(has_text=receipt_2_first)).to_contain_text(
        "replaced by a later vote")
    expect(card.get_by_role("listitem").filter(has_text=receipt_2)).to_contain_text("this one counts")
    expect(page.get_by_role("main")).to_contain_text("Nothing is waiting for your vote right now.")
    shot(page, "resident2-my-ballots")

    # --- 3. Organizer A records a paper batch: 201 and 202 handed in a sheet ---------------------
    login_as(organizer_a)
    page.goto(f"/ballots/{ballot.pk}/manage/")
    expect(page.get_by_role("main")).to_contain_text("2 of 5 voices have voted")
    page.get_by_role("main").get_by_role("link", name="Paper ballots", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Paper ballots")
    expect(page.get_by_label(re.compile("101 · 陈静"))).to_be_disabled()  # voted online
    page.get_by_label("Sheets issued").fill("2")
    page.get_by_label("Sheets returned").fill("2")
    page.get_by_label("Void sheets (among those returned)").fill("0")
    page.get_by_label(re.compile("201 · 吴芳")).check()
    page.get_by_label(re.compile("202 · 郑磊")).check()
    shot(page, "paper-batch-new")
    page.get_by_role("button", name="Record the batch").click()
    expect(status_message(page)).to_contain_text("The batch was recorded.")
    expect(page.get_by_role("heading", level=2, name="Enter sheet 1 of 2")).to_be_visible()
    shot(page, "paper-sheet-1")

    # A secret art. 278 sheet carries no name, only the floor area printed on it.
    page.get_by_label("Floor area printed on the sheet (m²)").fill("120.00")
    page.get_by_label("同意", exact=True).check()
    page.get_by_role("button", name="Save this sheet").click()
    expect(status_message(page)).to_contain_text("Sheet 1 was entered.")
    expect(page.get_by_role("heading", level=2, name="Enter sheet 2 of 2")).to_be_visible()
    page.get_by_label("Floor area printed on the sheet (m²)").fill("60.25")
    page.get_by_label("反对", exact=True).check()
    shot(page, "paper-sheet-2")
    page.get_by_role("button", name="Save this sheet").click()

    # All sheets entered: organizer A is told that someone else must confirm, and cannot.
    expect(page.get_by_role("main")).to_contain_text(
        "All valid sheets are entered. A different organizer must now check")
    expect(page.get_by_role("link", name="Check and confirm this batch…")).to_have_count(0)
    sheets = page.locator(".sheet-list li")
    expect(sheets).to_have_count(2)
    expect(sheets.nth(0)).to_contain_text("同意 · 120.00 m²")
    expect(sheets.nth(1)).to_contain_text("反对 · 60.25 m²")
    shot(page, "paper-batch-entered")
    batch_url = page.url
    page.goto(batch_url.rstrip("/") + "/confirm/")
    expect(page.get_by_role("main")).to_contain_text("You entered this batch, so you cannot confirm it")
    expect(page.get_by_role("button", name="Confirm and count this batch")).to_have_count(0)
    shot(page, "paper-confirm-refused-to-author")

    # Organizer B sees the batch waiting, checks it and confirms it.
    login_as(organizer_b)
    page.goto(f"/ballots/{ballot.pk}/manage/")
    expect(page.get_by_role("main")).to_contain_text(
        "1 paper batch is waiting for a second organizer to confirm it.")
    shot(page, "organizer-b-manage")
    ballot_nav(page).get_by_role("link", name="Paper ballots").click()
    page.get_by_role("row").filter(has_text="waiting for confirmation").get_by_role("link").click()
    page.get_by_role("link", name="Check and confirm this batch…").click()
    expect(page.get_by_role("main")).to_contain_text("Check the paper sheets against this list.")
    shot(page, "organizer-b-confirm")
    page.get_by_role("button", name="Confirm and count this batch").click()
    expect(status_message(page)).to_contain_text("The batch was confirmed and its sheets are counted.")
    row = page.get_by_role("row").filter(has_text="confirmed")
    expect(row).to_contain_text("confirmed by 李副主任")
    shot(page, "organizer-b-batch-confirmed")

    # --- 4. Organizer A closes voting, checks the preview, publishes -----------------------------
    login_as(organizer_a)
    page.goto(f"/ballots/{ballot.pk}/manage/")
    expect(page.get_by_role("main")).to_contain_text("4 of 5 voices have voted")
    page.get_by_role("link", name="Close voting…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Close voting")
    shot(page, "close-confirm")
    page.get_by_role("button", name="Close voting now").click()
    expect(status_message(page)).to_contain_text("Done: the ballot is now closed.")
    # The papers are sealed: nothing can be previewed or published until the box is opened.
    expect(page.locator("section.results")).to_have_count(0)
    expect(page.get_by_role("link", name="Publish the result…")).to_have_count(0)
    shot(page, "manage-closed-box-shut")
    page.get_by_role("main").get_by_role("link", name="The ballot box").first.click()
    expect(page.get_by_role("main")).to_contain_text("The box is shut. 1 more scrutineer must present their card.")
    page.get_by_label("Card code").fill(card_code)
    shot(page, "box-present-card")
    page.get_by_role("button", name="Present my card").click()
    expect(status_message(page)).to_contain_text("The box is open and counted.")
    shot(page, "box-opened")
    page.goto(f"/ballots/{ballot.pk}/manage/")
    preview = page.locator("section.results")
    expect(preview.get_by_role("heading", level=2)).to_have_text("Result preview (not published)")
    expect(preview.locator(".verdict-outcome")).to_have_text("Passed")
    shot(page, "manage-closed-preview")
    page.get_by_role("link", name="Publish the result…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Publish the result")
    shot(page, "publish-confirm")
    page.get_by_role("button", name="Publish now").click()
    expect(status_message(page)).to_contain_text("Done: the ballot is now published.")
    expect(page.get_by_role("main")).to_contain_text("The result is published.")
    shot(page, "manage-published")

    # --- 5. Resident 1 reads the result and finds their receipt ----------------------------------
    login_as(residents["101"])
    page.goto("/ballots/")
    page.get_by_role("main").get_by_role("link", name=TITLE).first.click()
    result = page.locator("section.results")
    expect(result.get_by_role("heading", level=2)).to_have_text("Result")
    expect(result.locator(".verdict-outcome")).to_have_text("Passed")
    # The verdict is explained line by line, with the numbers and the thresholds.
    lines = result.locator(".verdict-lines li")
    expect(lines).to_have_text([
        "Participating floor area 79.7% ≥ 66.7% (345.75 of 433.75 m²) ✓",
        "Participating owners 80.0% ≥ 66.7% (4 of 5) ✓",
        "Yes floor area 82.6% of participating area > 50.0% (285.50 of 345.75 m²) ✓",
        "Yes owners 75.0% of participating owners > 50.0% (3 of 4) ✓",
    ])
    expect(result).to_contain_text("4 of 5 voices took part.")
    shot(page, "resident1-result")

    # The published list of counted receipt codes contains resident 1's code.
    result.get_by_text("Show all 4 counted receipt codes").click()
    codes = result.locator(".receipt-list code")
    expect(codes).to_have_count(4)
    expect(result.locator(".receipt-list code", has_text=receipt_1)).to_be_visible()
    assert receipt_2 in codes.all_inner_texts() and receipt_2_first not in codes.all_inner_texts()
    shot(page, "resident1-receipt-list")

    # They check it with the receipt lookup, typed as people type: lower case, no dashes.
    result.get_by_label("Receipt code").fill(receipt_1.replace("-", "").lower())
    result.get_by_role("button", name="Check").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check a receipt")
    expect(page.locator(".answer")).to_have_text(f"{receipt_1}: counted. This vote is in the published result.")
    shot(page, "resident1-receipt-counted")

    # Resident 2's first receipt is reported as replaced; the second as counted.
    page.get_by_label("Receipt code").fill(receipt_2_first)
    page.get_by_role("button", name="Check").click()
    expect(page.locator(".answer")).to_contain_text(f"{receipt_2_first}: replaced by a later vote")
    shot(page, "receipt-replaced")
    login_as(residents["102"])
    page.goto(f"/ballots/{ballot.pk}/receipt/{receipt_2_first}/")
    expect(page.get_by_role("main")).to_contain_text("A later vote of yours replaced this one")
    shot(page, "resident2-old-receipt")

    # --- 6. The database agrees -------------------------------------------------------------------
    ballot.refresh_from_db()
    assert ballot.status == Ballot.Status.PUBLISHED
    counted = selectors.latest_participations(ballot)
    assert counted.count() == 4
    assert Participation.objects.filter(ballot=ballot).count() == 5  # 102 voted twice
    assert sorted(counted.values_list("channel", flat=True)) == ["online", "online", "paper", "paper"]
    result = ballot.result
    assert result["turnout"] == {"voices": 4, "area": "345.75"}
    assert result["electorate"] == {"voices": 5, "area": "433.75"}
    assert result["verdict"] == "passed"
    tally = {o["label"]: (o["count"], o["area"]) for o in result["questions"][0]["options"]}
    assert tally == {"同意": (3, "285.50"), "反对": (1, "60.25"), "弃权": (0, "0.00")}
    assert sorted(selectors.counted_receipts(ballot)) == sorted(counted.values_list("receipt", flat=True))
    call_command("verify_audit")  # raises CommandError if any chain, row, head or result differs
    # No JavaScript errors and no Content-Security-Policy violations on the way.
    assert browser_console_errors == []


@pytest.mark.browser_context_args(locale="zh-CN")
def test_a_chinese_browser_gets_the_published_ballot_page_in_simplified_chinese(
        page: Page, building_1, login_as, shot):
    committee, residents = building_1["committee"], building_1["residents"]
    organizer = building_1["organizer_a"]
    ballot = services.ballot_create(
        committee=committee, by=organizer, title=TITLE, secrecy=Ballot.Secrecy.SECRET,
        electorate=Ballot.Electorate.HOUSEHOLDS, building=building_1["building"], rule=Ballot.Rule.ART278)
    services.ballot_open(ballot=ballot, by=organizer)
    question = ballot.questions.get()
    for door, meaning in (("101", "yes"), ("102", "yes"), ("201", "no"), ("202", "yes")):
        services.vote_cast(ballot=ballot, voter=residents[door],
                           choices={question.pk: [question.options.get(meaning=meaning).pk]})
    services.ballot_close(ballot=ballot, by=organizer)
    open_box(ballot)
    services.ballot_publish(ballot=ballot, by=organizer)

    login_as(residents["101"])
    response = page.goto(f"/ballots/{ballot.pk}/")
    assert response.headers["content-language"] == "zh-hans"
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator(".verdict-lines li")).to_have_count(4)
    shot(page, "ballot-published-zh")
