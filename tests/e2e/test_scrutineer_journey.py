"""The scrutineers' journey: a secret ballot's sealed box, opened by two of its three scrutineers.

Read it as a story, on a small phone (360 × 740). The organizer drafts a secret ballot and names
three scrutineers (监票人), any two of whom open the box: a second organizer, a resident
representative and a street officer. Each takes their card on their own phone: the code in large
print and a QR code, shown once. Voting opens; residents vote; voting closes. The first scrutineer
types their code: the box stays shut, one more is needed. The street officer mistypes theirs and is
told so. The resident representative scans the QR code of their card: the camera opens the box page
with the code after '#', the page fills it in, they present it, and the box opens and is counted.
The organizer publishes; a resident finds their receipt among the counted ones and the sealed
papers' list. A screenshot is saved after each step in test-artifacts/screenshots/<test name>/.
"""

import re
from collections.abc import Callable

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import BrowserContext, Page, expect

from decisions import box, services
from decisions.models import Ballot, Scrutineer
from members import services as member_services
from members.models import Role
from tests.factories import (
    make_building,
    make_committee,
    make_compound,
    make_household,
    make_organizer,
    make_resident,
    make_street,
    make_street_officer,
    make_user,
)

pytestmark = pytest.mark.browser_context_args(viewport={"width": 360, "height": 740})

PHONE_WIDTH = 360
MIN_TAP_PX = 44
TITLE = "3号楼外墙翻新"
QUESTION = "是否同意使用维修基金翻新3号楼外墙？"
ORGANIZER = ("王主任", "organizer-wang", "Juweihui-2025-desk")
# door, the household representative; who votes what (None: does not vote)
HOUSEHOLDS = [("101", "陈静", "yes"), ("102", "周强", "yes"), ("201", "吴芳", "no"), ("202", "郑磊", None)]
CODE = re.compile(r"^[2-9A-HJ-NP-Z]{4}(-[2-9A-HJ-NP-Z]{4}){6}$")
RECEIPT = re.compile(r"^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$")

# What a small phone must not do: scroll sideways; and the buttons a thumb presses here.
PAGE_WIDTH_JS = "document.documentElement.scrollWidth"
SMALL_BUTTONS_JS = f"""() =>
  [...document.querySelectorAll('main .btn, main button')]
    .filter(el => el.checkVisibility())
    .map(el => ({{text: el.textContent.trim(), height: el.getBoundingClientRect().height}}))
    .filter(b => b.height < {MIN_TAP_PX})
"""


@pytest.fixture
def building_3():
    """延长居民区 › 延长新村 › 3号楼, four households; an organizer and the three future scrutineers."""
    street = make_street("静安区 大宁路街道")
    committee = make_committee(street, name="延长居民区")
    building = make_building(make_compound(committee, name="延长新村"), name="3号楼")
    residents = {door: make_resident(make_household(building, door_number=door), name=name, representative=True)
                 for door, name, _ in HOUSEHOLDS}
    make_organizer(committee, user=make_user(name=ORGANIZER[0], username=ORGANIZER[1], password=ORGANIZER[2]))
    member = make_organizer(committee, user=make_user(name="钱委员"))
    representative = make_resident(make_household(building, door_number="301"), name="赵代表")
    member_services.role_grant(user=representative, kind=Role.Kind.RESIDENT_REPRESENTATIVE, committee=committee,
                               by=None)
    officer = make_street_officer(street, user=make_user(name="孙干部"))
    return {"committee": committee, "building": building, "residents": residents,
            "scrutineers": {"钱委员": member, "赵代表": representative, "孙干部": officer}}


@pytest.fixture
def phone(new_context, live_server, browser_console_errors) -> Callable[[object], Page]:
    """Another person's own phone: a new browser context, signed in as ``user``."""

    def open_for(user) -> Page:
        context: BrowserContext = new_context()
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
        page = context.new_page()
        page.on("pageerror", lambda error: browser_console_errors.append(f"{user}: {error}"))
        page.on("console", lambda msg: browser_console_errors.append(f"{user}: {msg.text}")
                if msg.type == "error" and not msg.location.get("url", "").endswith("/favicon.ico") else None)
        return page

    return open_for


def status_message(page: Page):
    return page.get_by_role("status").first


def fits_a_small_phone(page: Page) -> None:
    """Nothing scrolls sideways, and every button in the page is big enough for a thumb."""
    width = page.evaluate(PAGE_WIDTH_JS)
    assert width <= PHONE_WIDTH, f"{page.url} is {width}px wide on a {PHONE_WIDTH}px phone"
    assert page.evaluate(SMALL_BUTTONS_JS) == []


def take_card(page: Page, shot, who: str) -> str:
    """On the card page: make the card, check it reads well on a small phone, return its code."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Your scrutineer card")
    expect(page.get_by_role("main")).to_contain_text("Your card is shown only once.")
    page.get_by_role("button", name="Make my card").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Scrutineer card")
    card = page.get_by_test_id("card-code")
    code = card.inner_text().replace("\n", "").replace(" ", "")
    assert CODE.match(code), code
    shot(page, f"{who}-card")
    fits_a_small_phone(page)
    # The code is large print, each group of four on one line, inside the screen.
    size = float(card.evaluate("el => parseFloat(getComputedStyle(el).fontSize)"))
    assert size >= 24, f"the card code is {size}px"
    for group in card.locator(".code-group").all():
        box_ = group.bounding_box()
        assert box_["x"] >= 0 and box_["x"] + box_["width"] <= PHONE_WIDTH
        assert box_["height"] < size * 2, "a group of four characters is broken over two lines"
    # The QR code is visible, large enough for a camera and smaller than the screen.
    qr = page.locator(".card-qr svg")
    expect(qr).to_be_visible()
    qr_box = qr.bounding_box()
    assert 160 <= qr_box["width"] <= 260 and qr_box["x"] + qr_box["width"] <= PHONE_WIDTH, qr_box
    expect(page.get_by_role("link", name="Save as a file")).to_be_visible()
    return code


def present(page: Page, code: str) -> None:
    page.get_by_label("Card code").fill(code)
    page.get_by_role("button", name="Present my card").click()


def test_two_of_three_scrutineers_open_the_sealed_box_on_their_phones(
        page: Page, building_3, phone, shot, browser_console_errors):
    committee, residents = building_3["committee"], building_3["residents"]
    scrutineers = building_3["scrutineers"]

    # --- 1. The organizer drafts a secret ballot --------------------------------------------------
    page.goto("/accounts/login/")
    page.get_by_label("Mobile phone or username").fill(ORGANIZER[1])
    page.get_by_label("Password").fill(ORGANIZER[2])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {ORGANIZER[0]}")
    page.goto(f"/committees/{committee.pk}/ballots/new/")
    page.get_by_label("Title", exact=True).fill(TITLE)
    page.get_by_label("Question", exact=True).fill(QUESTION)
    page.get_by_label("For / against / abstain").check()
    page.get_by_label("secret ballot").check()
    page.get_by_label("Who may vote").select_option(label="one voice per household")
    page.get_by_label("the household representative").check()
    page.get_by_label("Only this compound").select_option(label="延长新村")
    page.get_by_label("Only this building").select_option(label="延长新村 3号楼")
    page.get_by_role("button", name="Create the draft").click()
    ballot = Ballot.objects.get(title=TITLE)
    expect(page).to_have_url(f"/ballots/{ballot.pk}/manage/")
    expect(page.get_by_role("main")).to_contain_text("A secret ballot's box is opened by its scrutineers")
    shot(page, "organizer-draft")

    # --- 2. … names three scrutineers, any two of whom open the box --------------------------------
    page.get_by_role("main").get_by_role("link", name="Name the scrutineers").first.click()
    expect(page).to_have_url(f"/ballots/{ballot.pk}/scrutineers/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Scrutineers of the ballot box")
    for name in scrutineers:
        page.get_by_label(name, exact=True).check()
    page.get_by_label("How many of them together open the box").fill("2")
    shot(page, "organizer-names-scrutineers")
    fits_a_small_phone(page)
    page.get_by_role("button", name="Name these scrutineers").click()
    expect(status_message(page)).to_contain_text("The scrutineers are named and were sent a notification.")
    named = page.get_by_role("list", name="Named").get_by_role("listitem")
    expect(named).to_have_count(3)
    for item in named.all():
        expect(item).to_contain_text("has not taken their card yet")
    expect(page.get_by_role("main")).to_contain_text("Any 2 of them together open the box.")
    shot(page, "organizer-scrutineers-named")

    # Opening now is refused: nobody has a card yet.
    page.goto(f"/ballots/{ballot.pk}/open/")
    page.get_by_role("button", name="Open voting now").click()
    expect(status_message(page)).to_contain_text("has not taken their scrutineer card yet")
    shot(page, "organizer-open-refused")

    # --- 3. Each scrutineer takes their card on their own phone -----------------------------------
    # The committee member follows the notification they were sent.
    member = phone(scrutineers["钱委员"])
    member.goto("/me/notifications/")
    # A notice is shown in the reader's language (this browser asks for English).
    notice = member.get_by_role("listitem").filter(has_text=f"You are a scrutineer: {TITLE}")
    expect(notice).to_contain_text("Take your card before voting opens.")
    shot(member, "member-notification")
    notice.get_by_role("button", name="Open").click()
    expect(member).to_have_url(f"/ballots/{ballot.pk}/card/")
    shot(member, "member-take-card")
    fits_a_small_phone(member)
    codes = {"钱委员": take_card(member, shot, "member")}

    # The resident representative and the street officer cannot see the draft ballot's page: the
    # notification's link to their card page is their way in, and the card page never sends them
    # to a page they cannot open.
    representative = phone(scrutineers["赵代表"])
    representative.goto(f"/ballots/{ballot.pk}/card/")
    codes["赵代表"] = take_card(representative, shot, "representative")
    back = representative.get_by_role("link", name="Back to the home page")
    assert representative.request.get(back.get_attribute("href")).status == 200

    officer = phone(scrutineers["孙干部"])
    officer.goto(f"/ballots/{ballot.pk}/card/")
    codes["孙干部"] = take_card(officer, shot, "officer")
    assert len(set(codes.values())) == 3
    # Nothing but the card's public key is kept.
    assert all(s.card_key and not s.share for s in Scrutineer.objects.filter(ballot=ballot))

    # The card page is shown once: coming back offers a new card, never the old code.
    member.goto(f"/ballots/{ballot.pk}/card/")
    expect(member.get_by_role("button", name="Make a new card (the old one stops working)")).to_be_visible()
    expect(member.get_by_role("main")).not_to_contain_text(codes["钱委员"])

    # --- 4. The organizer sees three cards taken and opens voting -----------------------------------
    page.goto(f"/ballots/{ballot.pk}/scrutineers/")
    for item in named.all():
        expect(item).to_contain_text("has taken their card")
    page.goto(f"/ballots/{ballot.pk}/manage/")
    page.get_by_role("link", name="Open voting…").click()
    page.get_by_role("button", name="Open voting now").click()
    expect(status_message(page)).to_contain_text("Done: the ballot is now open.")
    ballot.refresh_from_db()
    assert ballot.status == Ballot.Status.OPEN and ballot.box_threshold == 2 and ballot.box_key
    box_section = page.locator("section.box-facts")
    expect(box_section).to_contain_text("钱委员")
    expect(box_section).to_contain_text("any 2 open it together")
    expect(page.get_by_test_id("single-scrutineer")).to_have_count(0)
    shot(page, "organizer-open")

    # --- 5. Residents vote (through the services: this journey is about the box) -------------------
    question = ballot.questions.get()
    receipts = {}
    for door, _name, meaning in HOUSEHOLDS:
        if meaning:
            option = question.options.get(meaning=meaning)
            receipts[door] = services.vote_cast(ballot=ballot, voter=residents[door],
                                                choices={question.pk: [option.pk]}).receipt

    # --- 6. The organizer closes voting: the box is shut, nothing to publish yet ------------------
    page.goto(f"/ballots/{ballot.pk}/manage/")
    page.get_by_role("link", name="Close voting…").click()
    page.get_by_role("button", name="Close voting now").click()
    expect(status_message(page)).to_contain_text("Done: the ballot is now closed.")
    expect(page.get_by_role("main")).to_contain_text("The scrutineers now open the ballot box")
    expect(page.get_by_role("link", name="Publish the result…")).to_have_count(0)
    shot(page, "organizer-closed")
    page.get_by_role("main").get_by_role("link", name="The ballot box").first.click()
    expect(page).to_have_url(f"/ballots/{ballot.pk}/box/")
    expect(page.get_by_role("main")).to_contain_text("The box is shut. 2 more scrutineers must present their cards.")
    expect(page.get_by_label("Card code")).to_have_count(0)  # the organizer is no scrutineer here
    shot(page, "organizer-box-shut")

    # --- 7. The committee member types their card's code: still shut, one more needed --------------
    member.goto(f"/ballots/{ballot.pk}/")
    member.locator("section.box-facts").get_by_role("link", name="Open the ballot box").click()
    expect(member).to_have_url(f"/ballots/{ballot.pk}/box/")
    expect(member.get_by_label("Card code")).to_have_value("")
    shot(member, "member-box-before")
    fits_a_small_phone(member)
    present(member, codes["钱委员"].lower().replace("-", " "))  # as typed: lower case, spaces
    expect(status_message(member)).to_contain_text("Your card is accepted.")
    expect(member.get_by_role("main")).to_contain_text("The box is shut. 1 more scrutineer must present their card.")
    expect(member.get_by_role("listitem").filter(has_text="钱委员")).to_contain_text("presented their card at")
    expect(member.get_by_role("main")).to_contain_text("You have presented your card.")
    expect(member.get_by_label("Card code")).to_have_count(0)  # nothing more to do for them
    shot(member, "member-presented-box-shut")
    fits_a_small_phone(member)
    ballot.refresh_from_db()
    assert ballot.box_opened_at is None

    # --- 8. The street officer mistypes one character of their code: told so, nothing changes ------
    officer.goto(f"/ballots/{ballot.pk}/box/")
    good = codes["孙干部"]
    typo = good[:5] + ("X" if good[5] != "X" else "Y") + good[6:]
    present(officer, typo)
    expect(status_message(officer)).to_contain_text("does not match a card of this ballot")
    expect(officer.get_by_role("main")).to_contain_text("1 more scrutineer must present their card.")
    expect(officer.get_by_label("Card code")).to_be_visible()
    shot(officer, "officer-wrong-code")
    fits_a_small_phone(officer)
    # Another scrutineer's card is not theirs either.
    present(officer, codes["赵代表"])
    expect(officer.get_by_role("main")).to_contain_text("it is not your card")
    shot(officer, "officer-someone-elses-card")
    ballot.refresh_from_db()
    assert ballot.box_opened_at is None
    assert not Scrutineer.objects.get(ballot=ballot, user=scrutineers["孙干部"]).presented_at

    # --- 9. The resident representative scans their card's QR code: the box opens -----------------
    representative.goto(f"/ballots/{ballot.pk}/box/#{codes['赵代表']}")
    expect(representative.get_by_label("Card code")).to_have_value(codes["赵代表"])
    expect(representative.get_by_text("Your card's code was filled in from its QR code.")).to_be_visible()
    assert "#" not in representative.url  # the code is not left in the address bar or history
    shot(representative, "representative-code-from-qr")
    fits_a_small_phone(representative)
    representative.get_by_role("button", name="Present my card").click()
    expect(status_message(representative)).to_contain_text("The box is open and counted.")
    expect(representative.get_by_role("main")).to_contain_text("The box was opened and counted on")
    expect(representative.get_by_role("main")).to_contain_text("Opened with the cards of")
    shot(representative, "representative-box-opened")
    ballot.refresh_from_db()
    assert ballot.box_opened_at is not None and ballot.box_tally["papers"] == 3

    # --- 10. The organizer sees who opened the box, and publishes -------------------------------------
    page.goto(f"/ballots/{ballot.pk}/box/")
    opened_by = page.get_by_text("Opened with the cards of")
    expect(opened_by).to_contain_text("钱委员")
    expect(opened_by).to_contain_text("赵代表")
    expect(opened_by).not_to_contain_text("孙干部")
    shot(page, "organizer-box-opened")
    fits_a_small_phone(page)
    page.get_by_role("link", name="Publish the result…").click()
    page.get_by_role("button", name="Publish now").click()
    expect(status_message(page)).to_contain_text("Done: the ballot is now published.")
    shot(page, "organizer-published")

    # --- 11. A resident checks their receipt, and finds their sealed paper in the box's list -------
    resident = phone(residents["101"])
    resident.goto(f"/ballots/{ballot.pk}/")
    result = resident.locator("section.results")
    expect(result.locator(".verdict-outcome")).to_have_text("Passed")
    expect(result).to_contain_text("3 of 4 voices took part.")
    result.get_by_label("Receipt code").fill(receipts["101"])
    result.get_by_role("button", name="Check").click()
    expect(resident.locator(".answer")).to_have_text(
        f"{receipts['101']}: counted. This vote is in the published result.")
    shot(resident, "resident-receipt-counted")
    resident.goto(f"/ballots/{ballot.pk}/")
    box_list = resident.locator("section.box-facts").get_by_role("link", name="List of sealed papers")
    listing = resident.request.get(box_list.get_attribute("href"))
    assert listing.status == 200
    hashes = listing.text().split()
    assert len(hashes) == 3
    assert {box.receipt_of(h) for h in hashes} == set(receipts.values())
    shot(resident, "resident-ballot-published")

    # --- The ledger agrees; no JavaScript error on the way -----------------------------------------
    ballot.refresh_from_db()
    assert ballot.status == Ballot.Status.PUBLISHED
    tally = {o["label"]: o["count"] for o in ballot.result["questions"][0]["options"]}
    assert tally == {"同意": 2, "反对": 1, "弃权": 0}
    call_command("verify_audit")
    assert browser_console_errors == []


@pytest.mark.browser_context_args(locale="zh-CN", viewport={"width": 360, "height": 740})
def test_the_card_and_the_box_read_well_in_chinese_on_a_small_phone(page: Page, building_3, phone, shot):
    committee, residents, scrutineers = building_3["committee"], building_3["residents"], building_3["scrutineers"]
    organizer = committee.roles.get(kind=Role.Kind.ORGANIZER, user__username=ORGANIZER[1]).user
    ballot = services.ballot_create(committee=committee, by=organizer, title=TITLE, secrecy=Ballot.Secrecy.SECRET,
                                    electorate=Ballot.Electorate.HOUSEHOLDS, building=building_3["building"])
    member, representative, officer = scrutineers["钱委员"], scrutineers["赵代表"], scrutineers["孙干部"]
    services.scrutineers_set(ballot=ballot, by=organizer, users=[member, representative, officer], threshold=2)

    # The representative takes their card on a phone set to Chinese.
    mobile = phone(representative)
    mobile.goto(f"/ballots/{ballot.pk}/card/")
    expect(mobile.get_by_role("heading", level=1)).to_have_text("您的监票卡")
    mobile.get_by_role("button", name="制作我的监票卡").click()
    expect(mobile.get_by_role("heading", level=1)).to_have_text("监票卡")
    code = mobile.get_by_test_id("card-code").inner_text().replace("\n", "")
    expect(mobile.get_by_role("main")).to_contain_text("这张监票卡只显示一次。")
    shot(mobile, "representative-card-zh")
    fits_a_small_phone(mobile)

    codes = {user.pk: services.scrutineer_take_card(ballot=ballot, user=user) for user in (member, officer)}
    ballot = services.ballot_open(ballot=ballot, by=organizer)
    question = ballot.questions.get()
    for door in ("101", "102"):
        services.vote_cast(ballot=ballot, voter=residents[door],
                           choices={question.pk: [question.options.get(meaning="yes").pk]})
    services.ballot_close(ballot=ballot, by=organizer)
    assert services.box_present(ballot=ballot, by=member, code=codes[member.pk]) is False

    mobile.goto(f"/ballots/{ballot.pk}/box/")
    expect(mobile.get_by_role("main")).to_contain_text("票箱尚未开启。还需要 1 位监票人出示监票卡。")
    mobile.get_by_label("卡号").fill(code[:-1] + ("2" if code[-1] != "2" else "3"))
    mobile.get_by_role("button", name="出示我的监票卡").click()
    expect(status_message(mobile)).to_contain_text("这个卡号与本次表决的监票卡不符")
    shot(mobile, "representative-wrong-code-zh")
    fits_a_small_phone(mobile)
    mobile.get_by_label("卡号").fill(code)
    mobile.get_by_role("button", name="出示我的监票卡").click()
    expect(status_message(mobile)).to_contain_text("票箱已开启，计票完成。")
    expect(mobile.get_by_role("main")).to_contain_text("出示监票卡开箱的监票人")
    shot(mobile, "representative-box-opened-zh")
    fits_a_small_phone(mobile)
