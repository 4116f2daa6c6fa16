"""Browser tests: pytest-playwright drives Debian's chromium against pytest-django's live_server.

Every test in this folder is marked ``e2e``. Without /usr/bin/chromium the tests are skipped
with a loud banner, unless ``E2E_REQUIRED=1`` (set by CI): then each of them fails, so a
missing browser can never turn the suite green by skipping.
"""

import os
import re
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, override_settings
from playwright.sync_api import BrowserContext, Page

from members.models import User

# Playwright's sync API runs an event loop in the test thread; the test still sets up data
# with Django's sync ORM from that thread, which Django refuses unless told it is safe.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
E2E_DIR = Path(__file__).resolve().parent
# A phone held upright (iPhone 12-15 size): the site is mobile-first, so every step runs here.
PHONE_VIEWPORT = {"width": 390, "height": 844}

MISSING_CHROMIUM = (
    f"BROWSER TESTS SKIPPED: {CHROMIUM} not found — apt-get install -y chromium"
)
REQUIRED_BUT_MISSING = (
    f"BROWSER TESTS FAILED: E2E_REQUIRED=1 but {CHROMIUM} not found — apt-get install -y chromium"
)


def _chromium_missing() -> bool:
    return not CHROMIUM.exists()


def _e2e_required() -> bool:
    return os.environ.get("E2E_REQUIRED", "").strip().lower() in {"1", "true", "yes", "on"}


def _banner(config: pytest.Config, text: str) -> None:
    line = "!" * len(text)
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line("")
        for row in (line, text, line):
            reporter.write_line(row, red=True, bold=True)
    else:
        print(f"\n{line}\n{text}\n{line}", file=sys.__stderr__)


def _is_e2e(item: pytest.Item) -> bool:
    # pytest hands every collected item of the session to this conftest's hook.
    return E2E_DIR in Path(item.path).resolve().parents


E2E_COLLECTED = pytest.StashKey[int]()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    e2e_items = [item for item in items if _is_e2e(item)]
    config.stash[E2E_COLLECTED] = len(e2e_items)
    for item in e2e_items:
        item.add_marker(pytest.mark.e2e)
    if not e2e_items or not _chromium_missing():
        return
    if _e2e_required():
        _banner(config, REQUIRED_BUT_MISSING)
        # Failed in pytest_runtest_setup below, before any browser fixture is set up.
        return
    _banner(config, MISSING_CHROMIUM)
    for item in e2e_items:
        item.add_marker(pytest.mark.skip(reason=MISSING_CHROMIUM))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    if _is_e2e(item) and _chromium_missing() and _e2e_required():
        pytest.fail(REQUIRED_BUT_MISSING, pytrace=False)


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    # Repeat the banner at the very end, where nobody can scroll past it.
    if config.stash.get(E2E_COLLECTED, 0) and _chromium_missing():
        _banner(config, REQUIRED_BUT_MISSING if _e2e_required() else MISSING_CHROMIUM)


# --- Browser -------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Launch Debian's chromium (never a downloaded one), headless, quiet on the network."""
    return {
        **browser_type_launch_args,
        "headless": True,
        "executable_path": str(CHROMIUM),
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session", autouse=True)
def _static_files_from_the_sources(tmp_path_factory) -> Iterator[None]:
    """Serve static/ as it is now, never a stale STATIC_ROOT left by collectstatic (bench, faults).

    WhiteNoise indexes STATIC_ROOT when the live server starts and serves it before the live
    server's own static handler: an old collected copy of a script or style sheet would be tested
    instead of the one in static/. Set up before the (session) live server, so it sees an empty root.
    """
    with override_settings(STATIC_ROOT=tmp_path_factory.mktemp("static_root")):
        yield


@pytest.fixture(scope="session")
def base_url(live_server) -> str:
    """Let ``page.goto("/")`` and ``expect(page).to_have_url("/...")`` address the live server."""
    return live_server.url


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    """A phone-size screen that asks for English pages.

    English (Accept-Language: en-US) keeps the locators independent of the translations.
    A test that wants Chinese says so: ``@pytest.mark.browser_context_args(locale="zh-CN")``.
    """
    return {
        **browser_context_args,
        "viewport": PHONE_VIEWPORT,
        "device_scale_factor": 2,
        "locale": "en-US",
        "timezone_id": settings.TIME_ZONE,
    }


# --- Helpers -------------------------------------------------------------------------


@pytest.fixture
def shot(request: pytest.FixtureRequest) -> Callable[[Page, str], Path]:
    """Save full-page screenshots to test-artifacts/screenshots/<test name>/<NN>-<name>.png."""
    test_name = re.sub(r"[^\w.-]+", "_", request.node.name).strip("_")
    folder = request.config.rootpath / "test-artifacts" / "screenshots" / test_name
    shutil.rmtree(folder, ignore_errors=True)  # only this run's pictures in the folder
    counter = iter(range(1, 100))

    def take(page: Page, name: str) -> Path:
        slug = re.sub(r"[^\w.-]+", "-", name)
        path = folder / f"{next(counter):02d}-{slug}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def login_as(live_server, context: BrowserContext) -> Callable[[User], None]:
    """Sign a user in for the browser without the form (for tests about other pages)."""

    def login(user: User) -> None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])

    return login


@pytest.fixture
def sms_code(sms_outbox: list[dict[str, str]]) -> Callable[[str], str]:
    """The 6-digit code of the last verification SMS sent to a phone (E.164), from members.phone.outbox."""

    def code_for(phone: str) -> str:
        codes = [sms for sms in sms_outbox if sms["phone"] == phone and sms["template"] == "verify"]
        assert codes, f"no code was sent to {phone}; outbox: {sms_outbox}"
        (code,) = codes[-1]["params"]  # the verification template's one parameter
        assert re.fullmatch(r"\d{6}", code), f"not a 6-digit code: {code!r}"
        assert code in codes[-1]["message"]
        return code

    return code_for


@pytest.fixture
def browser_console_errors(page: Page) -> Iterator[list[str]]:
    """Collect JavaScript errors and console errors (CSP violations show up here)."""
    errors: list[str] = []

    def on_console(msg) -> None:
        if msg.type == "error":
            errors.append(f"{msg.text} ({msg.location.get('url')})")

    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", on_console)
    yield errors


# Redoc's menu (the API's documentation page) ends with its maker's logo, asked of their CDN whatever
# the settings: the policy refuses it (nothing is fetched, the console says so) and Redoc leaves it out.
REDOCLY_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


# --- Accessibility: axe-core on every page a journey visits --------------------------------

# Pages that are not the site's own (Django's admin) or not pages (downloads, uploaded files shown as
# they are: hearing material, coordination attachments, request photos; the language switch; the open
# data API's JSON, all of /api/ but its docs page, /api/v1/docs, which is checked like any page).
AXE_SKIPPED = re.compile(r"^/(admin|i18n|static|media)/|^/api/(?!v1/docs$)|/(export|download)"
                         r"|\.(csv|xlsx|pdf|png|svg|json)$|/(material|attachments|photos)/\d+/$")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call):
    # Keep each phase's outcome on the test, so the accessibility check runs only after a journey passed.
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def visited_paths(urls: list[str], origin: str) -> list[str]:
    """The site's own pages among ``urls``, each once, in the order first visited (no fragment)."""
    seen: list[str] = []
    for url in urls:
        if not url.startswith(origin):
            continue
        path = url[len(origin):].split("#")[0] or "/"
        if path not in seen and not AXE_SKIPPED.search(path.split("?")[0]):
            seen.append(path)
    return seen


@pytest.fixture(autouse=True)
def _axe_on_visited_pages(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every page the journey's browser went to, checked by axe-core afterwards, in Chinese and English.

    The journey's navigations are recorded; once it has passed, each page is opened again, signed in
    as the journey's browser is at its end, in a context per language (tests/e2e/axe.py), and any
    serious or critical violation fails the test with the rules and their targets. A page the final
    person may not see any more answers 404 and is passed over. ``@pytest.mark.no_axe`` opts out.
    """
    if "page" not in request.fixturenames or request.node.get_closest_marker("no_axe") or _chromium_missing():
        yield
        return
    from tests.e2e import axe

    page: Page = request.getfixturevalue("page")
    origin = request.getfixturevalue("live_server").url
    urls: list[str] = []
    page.on("framenavigated", lambda frame: urls.append(frame.url) if frame == page.main_frame else None)
    yield
    if not getattr(request.node, "rep_call", None) or not request.node.rep_call.passed:
        return
    assert axe.AXE_JS.exists(), axe.MISSING
    state = page.context.storage_state()
    found = axe.check_urls(page.context.browser, origin, visited_paths(urls, origin), storage_state=state)
    assert not found, "axe-core: serious or critical violations\n" + axe.describe(found)
