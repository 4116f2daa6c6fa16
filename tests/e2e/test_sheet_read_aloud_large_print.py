"""An elderly evaluator on a 360 px phone: the sheet one evaluatee per screen, 朗读 and large print.

Headless chromium has no voice of its own, so a stand-in ``speechSynthesis`` with a Mandarin voice
is installed before each page loads (``page.add_init_script``); it records what it was asked to say.
Screenshots in test-artifacts/screenshots/<test name>/: the sheet, the review and the results at
360 px, in large print, and with the text at 200 %.
"""

import pytest
from playwright.sync_api import Page, expect

from decisions import services as core
from evaluations.models import Campaign
from tests.decisions.factories import choices, close_count_publish, make_open_ballot
from tests.e2e.menu import open_menu
from tests.evaluations.factories import fill, make_open_campaign, make_world, publish

SMALL_PHONE = {"width": 360, "height": 740}

# A speech synthesis that speaks nothing: it records each utterance and its voice in window.__spoken.
FAKE_SPEECH = """
(() => {
  const voices = %s;
  const listeners = [];
  window.__spoken = [];
  window.__cancelled = 0;
  const synth = {
    speaking: false, pending: false, paused: false, current: null,
    getVoices() { return voices.slice(); },
    speak(u) { window.__spoken.push({text: u.text, lang: u.lang, voice: u.voice ? u.voice.lang : null});
               this.current = u; this.speaking = true; },
    cancel() { window.__cancelled += 1; const u = this.current; this.current = null; this.speaking = false;
               if (u && u.onend) { u.onend(); } },
    pause() {}, resume() {},
    addEventListener(type, f) { if (type === "voiceschanged") { listeners.push(f); } },
    removeEventListener() {},
  };
  window.__addVoice = (voice) => { voices.push(voice); listeners.forEach((f) => f()); };
  Object.defineProperty(window, "speechSynthesis", {value: synth, configurable: true});
  window.SpeechSynthesisUtterance = function (text) { this.text = text; this.lang = ""; this.voice = null; };
})();
"""
MANDARIN = '[{"lang": "zh-CN", "name": "Mandarin", "default": true, "localService": true, "voiceURI": "zh"}]'
ENGLISH_ONLY = '[{"lang": "en-US", "name": "English", "default": true, "localService": true, "voiceURI": "en"}]'


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], (page.url, width)


def content_fits(page: Page) -> None:
    """At 200 % text, the page's content and footer fit the width (the header is checked by its own journey).

    On failure, the message names the elements sticking out (those clipped out of sight aside).
    """
    overflowing = page.evaluate("""[...document.querySelectorAll('main, footer')]
        .filter((el) => el.scrollWidth > el.clientWidth).map((el) => el.tagName)""")
    culprits = page.evaluate("""[...document.querySelectorAll('main *, footer *')]
        .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5
                        && !el.closest('.visually-hidden, table.stack thead'))
        .map((el) => `${el.tagName}.${el.className} ${Math.round(el.getBoundingClientRect().right)} `
                     + el.textContent.trim().slice(0, 30))""")
    assert overflowing == [], (page.url, overflowing, culprits)


def text_at_200_percent(page: Page) -> None:
    """The reader's own text size at 200 % (32 px), on top of large print's layout (CSSOM: allowed by the CSP)."""
    page.evaluate("document.documentElement.style.fontSize = '200%'")


@pytest.fixture
def evaluation():
    """A committee's open 2026 evaluation (2 stationed agencies, its work station and a property firm: 4
    evaluatees × 4 dimensions) and its published 2025 one."""
    world = make_world(stationed=2, reps=6)
    organizer = world.organizers[world.committees[0].pk]
    last = make_open_campaign(world, year=2025)
    for i, rep in enumerate(world.reps[world.committees[0].pk]):
        fill(last, rep, level_for=lambda item, i=i: 1 + (i + item.pk) % 3)
    last = publish(last, organizer)
    campaign = make_open_campaign(world, year=2026)
    return {"world": world, "campaign": campaign, "last": last, "organizer": organizer,
            "rep": world.reps[world.committees[0].pk][0]}


def test_the_sheet_one_evaluatee_per_screen_read_aloud_and_handed_in_in_large_print(
        page: Page, evaluation, login_as, shot, browser_console_errors):
    page.set_viewport_size(SMALL_PHONE)
    page.add_init_script(FAKE_SPEECH % MANDARIN)
    campaign = evaluation["campaign"]
    login_as(evaluation["rep"])
    page.goto(f"/evaluations/{campaign.pk}/sheet/")
    shot(page, "sheet-360")
    no_sideways_scroll(page)
    # A+ from the page's own switch: back on the same page, in large print, remembered from now on.
    open_menu(page).get_by_role("button", name="Large print").click()
    expect(page.locator("html")).to_have_class("large-print")
    expect(open_menu(page).get_by_role("button", name="Large print")).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".sheet-progress")).to_contain_text("1 of 4")
    page.goto("/")
    expect(page.locator("html")).to_have_class("large-print")
    shot(page, "home-large-print")
    no_sideways_scroll(page)

    taps = 0

    def tap(locator) -> None:
        nonlocal taps
        taps += 1
        locator.click()

    page.goto(f"/evaluations/{campaign.pk}/")
    tap(page.get_by_role("link", name="Fill in my sheet"))
    evaluatees = list(campaign.evaluatees.order_by("position"))
    for number, evaluatee in enumerate(evaluatees, start=1):
        expect(page.locator(".sheet-progress")).to_contain_text(f"{number} of {len(evaluatees)}")
        expect(page.get_by_role("heading", level=2)).to_contain_text(evaluatee.name)
        ratings = page.locator("fieldset.rating")
        expect(ratings).to_have_count(4)
        if number == 1:
            # 朗读: the evaluatee, its dimensions and its levels, in Mandarin; pressing again stops.
            button = page.get_by_role("button", name="Read aloud")
            expect(button).to_be_visible()
            button.click()
            spoken = page.evaluate("window.__spoken")
            assert len(spoken) == 1 and spoken[0]["lang"] == "zh-CN" and spoken[0]["voice"] == "zh-CN"
            assert evaluatee.name in spoken[0]["text"] and "满意" in spoken[0]["text"]
            assert "Read aloud" not in spoken[0]["text"]
            expect(page.get_by_role("button", name="Stop reading")).to_have_attribute("aria-pressed", "true")
            page.get_by_role("button", name="Stop reading").click()
            expect(page.get_by_role("button", name="Read aloud")).to_have_attribute("aria-pressed", "false")
            assert len(page.evaluate("window.__spoken")) == 1 and page.evaluate("window.__cancelled") >= 1
            # A rating button is big: the whole label is the target.
            box = ratings.first.locator("label.option").first.bounding_box()
            assert box["height"] >= 48 and box["width"] >= 48
            shot(page, "sheet-screen-1-large-print")
            no_sideways_scroll(page)
            text_at_200_percent(page)
            shot(page, "sheet-screen-1-200-percent")
            content_fits(page)
        for i in range(4):
            tap(ratings.nth(i).locator("label.option").first)  # 满意, tapped on its label
        if number < len(evaluatees):
            tap(page.get_by_role("button", name="Next"))
        else:
            tap(page.get_by_role("button", name="Check my answers"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Check my answers")
    expect(page.locator(".review-item")).to_have_count(4)
    expect(page.locator(".review-item.incomplete")).to_have_count(0)
    shot(page, "review-large-print")
    no_sideways_scroll(page)
    text_at_200_percent(page)
    shot(page, "review-200-percent")
    content_fits(page)
    tap(page.get_by_role("button", name="Hand in my sheet"))
    expect(page.get_by_role("status")).to_contain_text("Your sheet has been recorded. Receipt:")
    # From the campaign page: one tap to open the sheet, one per rating, one per screen, one to hand in.
    questions = 4 * len(evaluatees)
    print(f"\nsheet taps: {taps} for {questions} ratings on {len(evaluatees)} screens")
    assert taps == 1 + questions + len(evaluatees) + 1
    assert campaign.ballot.participations.count() == 1
    assert browser_console_errors == []


def test_the_read_aloud_button_stays_hidden_without_a_chinese_voice_and_appears_when_one_loads(
        page: Page, evaluation, login_as):
    page.set_viewport_size(SMALL_PHONE)
    page.add_init_script(FAKE_SPEECH % ENGLISH_ONLY)
    login_as(evaluation["rep"])
    page.goto(f"/evaluations/{evaluation['campaign'].pk}/sheet/")
    button = page.locator("button.read-aloud")
    expect(button).to_have_count(1)
    expect(button).to_be_hidden()
    # Voices may arrive after the page has loaded: a Chinese one shows the button.
    page.evaluate("window.__addVoice({lang: 'zh-CN', name: 'Mandarin', voiceURI: 'zh', localService: true})")
    expect(button).to_be_visible()


def test_results_start_with_the_summary_and_nothing_scrolls_sideways_in_large_print_or_at_200_percent(
        page: Page, evaluation, login_as, shot, browser_console_errors):
    page.set_viewport_size(SMALL_PHONE)
    page.add_init_script(FAKE_SPEECH % MANDARIN)
    last = evaluation["last"]
    assert last.status == Campaign.Status.PUBLISHED
    ballot, organizer, voters = make_open_ballot(n=4)
    published, ballot_organizer, ballot_voters = make_open_ballot(n=5)
    for voter, meaning in zip(ballot_voters, ("yes", "yes", "yes", "no", "abstain"), strict=True):
        core.vote_cast(ballot=published, voter=voter, choices=choices(published, meaning))
    close_count_publish(published, ballot_organizer)

    login_as(evaluation["organizer"])
    page.goto(f"/evaluations/{last.pk}/results/")
    summary = page.locator(".results-summary li")
    expect(summary).to_have_count(last.evaluatees.count())
    expect(summary.first).to_contain_text("%")
    expect(page.locator("details.evaluatee-result table").first).to_be_hidden()  # details on request
    shot(page, "results-360")
    page.screenshot(path=str(shot(page, "results-again").parent / "results-360-first-screen.png"))
    page.locator("details.evaluatee-result summary").first.click()
    expect(page.locator("details.evaluatee-result table").first).to_be_visible()
    open_menu(page).get_by_role("button", name="Large print").click()
    expect(page.locator("html")).to_have_class("large-print")
    shot(page, "results-large-print")
    no_sideways_scroll(page)
    text_at_200_percent(page)
    shot(page, "results-200-percent")
    content_fits(page)

    # A voter of the open ballot reads its question aloud, in large print.
    login_as(voters[0])
    page.goto(f"/ballots/{ballot.pk}/")
    expect(page.locator("html")).not_to_have_class("large-print")  # remembered per person
    open_menu(page).get_by_role("button", name="Large print").click()
    page.locator("fieldset.question").first.get_by_role("button", name="Read aloud").click()
    spoken = page.evaluate("window.__spoken")[-1]["text"]
    assert ballot.questions.first().text in spoken and "同意" in spoken and "反对" in spoken
    shot(page, "ballot-large-print")
    no_sideways_scroll(page)
    text_at_200_percent(page)
    shot(page, "ballot-200-percent")
    content_fits(page)

    # The published ballot's result: the verdict and each question's counts first, the bars on request.
    login_as(ballot_voters[0])
    page.goto(f"/ballots/{published.pk}/results/")
    expect(page.locator(".verdict-outcome")).to_be_visible()
    expect(page.locator(".question-result summary")).to_contain_text("同意 3")
    expect(page.locator(".question-result .tally")).to_be_hidden()
    shot(page, "ballot-results-360")
    open_menu(page).get_by_role("button", name="Large print").click()
    no_sideways_scroll(page)
    shot(page, "ballot-results-large-print")
    assert browser_console_errors == []
