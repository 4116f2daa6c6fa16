"""In a real browser, no stored payload runs: every page with the payloads, as the people who see them.

Each payload calls ``__xss(n)``; an init script (which the page's CSP cannot block) defines it to
record n. Every page a resident, an organizer and the site admin can open (tests/security's access
matrix) is loaded with the payloads in every free-text field; nothing may be recorded, no dialog
may open and the browser may report no CSP violation (which would mean a payload became markup,
even if the CSP then stopped it). A control page without CSP shows the detector works.
"""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import BrowserContext, Page
from playwright.sync_api import Error as PlaywrightError

from decisions import services as ballots
from tests.e2e.conftest import REDOCLY_LOGO
from tests.security.access import OK, STAFF_OK
from tests.security.test_access_matrix import ROUTES, entry_for, url_for
from tests.security.world import build_world
from tests.security.xss import PAYLOADS, inject_everywhere

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # Escaping does not depend on the database: run once, on SQLite (CI budget).
    pytest.mark.skipif(settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
                       reason="runs on SQLite only"),
]

RECORDER = "window.__xss = (n) => { (window.__fired = window.__fired || []).push(n); };"
ROLES = ("resident", "organizer", "admin")
# Pages only these roles see: the party agenda (party members), the street's dashboard with its
# Chart.js charts (officers), the agency's results and rectification tasks (agency contacts).
ROLES += ("party_member", "officer", "agency")


def _pages(world):
    seen = set()
    for route in ROUTES:
        entry = entry_for(route)
        if entry is None or route.app == "allauth":
            continue
        kwargs = entry.kwargs(world, world.own) if entry.kwargs else {}
        url = url_for(route, kwargs)
        for role in ROLES:
            if entry.get["own"].get(role) in (200, OK, STAFF_OK) and (url, role) not in seen:
                seen.add((url, role))
                yield role, url


def _known_third_party(url: str, text: str) -> bool:
    """Blocked inline styles that are not ours: django-simple-history's admin history list has one
    style="border-top: 0" (its own template), and the browser's viewer of an uploaded file styles
    itself. The CSP blocks both, harmlessly. Payloads in those pages are checked as HTML by
    tests/security/test_xss.py. And the logo Redoc asks of its maker's CDN on the API's docs page."""
    if url.endswith("/api/v1/docs") and text.startswith(f"Loading the image '{REDOCLY_LOGO}'"):
        return True
    if not text.startswith("Applying inline style"):
        return False
    if "/admin/" in url and url.endswith("/history/"):
        return True
    # An uploaded image or PDF is shown by Chromium's own viewer, which styles its wrapper page; the
    # file is served with "default-src 'none'; sandbox" and nosniff, so nothing in it can run.
    return re.search(r"/(attachments|material|photos)/\d+/$", url) is not None


def _sign_in(context: BrowserContext, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.clear_cookies()
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def test_the_detector_sees_a_payload_run_on_a_page_without_csp(page: Page):
    page.add_init_script(RECORDER)
    page.route("http://control.invalid/", lambda route: route.fulfill(
        status=200, content_type="text/html", body=f"<p>{PAYLOADS[1]}</p>"))
    page.goto("http://control.invalid/")
    page.wait_for_timeout(200)
    assert page.evaluate("window.__fired || []") == [2]


# Its pages are the accessibility tour's (tests/e2e/test_accessibility.py: every page for every demo
# account, in both languages), here filled with payloads; axe-core checks them there.
@pytest.mark.no_axe
def test_no_stored_payload_runs_in_the_browser(live_server, context: BrowserContext, page: Page, shot):
    world = build_world()
    own = world.own
    cancelled = ballots.ballot_create(committee=own.committee, by=own.organizer, title=PAYLOADS[0],
                                      description=PAYLOADS[1], question=PAYLOADS[2])
    ballots.ballot_cancel(ballot=cancelled, by=own.organizer, reason=PAYLOADS[7])
    injected = inject_everywhere()
    assert len(injected) > 50

    context.add_init_script(RECORDER)
    dialogs, violations = [], []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("console", lambda m: violations.append(f"{page.url}: {m.text[:150]}")
            if m.type == "error" and "Content Security Policy" in m.text and not _known_third_party(page.url, m.text)
            else None)
    page.on("pageerror", lambda e: violations.append(str(e)))

    visited, fired = 0, []
    current = None
    for role, url in _pages(world):
        if role != current:
            _sign_in(context, live_server, world.users[role])
            current = role
        try:
            page.goto(live_server.url + url)
        except PlaywrightError as error:  # a download (CSV), not a page
            if "Download is starting" in str(error):
                continue
            raise
        visited += 1
        got = page.evaluate("window.__fired || []")
        if got:
            fired.append((role, url, got))
        if url.endswith(f"/ballots/{own.ballot_open.pk}/") and role == "organizer":
            shot(page, "ballot-with-payloads")
    _write_figure(visited)
    assert visited > 40
    assert not fired, fired
    assert not dialogs, dialogs
    assert not violations, "\n".join(violations[:20])


def _write_figure(pages: int) -> None:
    folder = Path(settings.BASE_DIR) / "test-artifacts" / "figures"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "xss-browser.json").write_text(json.dumps({"xss_browser_pages": pages,
                                                         "xss_payloads": len(PAYLOADS)}))
