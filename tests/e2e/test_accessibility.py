"""axe-core finds no serious or critical violation on any page a demo person reaches from home.

Each demo account (resident, representatives, floor leader, party members, organizer, street
officer, agency contact, site admin) signs in; its home page and every page its home page and
menu link to are checked in Chinese and in English at 360 px (tests/e2e/axe.py). The failure
names each page, the rules it breaks and where.
"""

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import Browser

from members.management.commands.seed_demo import DEMO_ACCOUNTS
from members.models import User
from tests.e2e import axe
from tests.e2e.conftest import visited_paths

LINKS_JS = """() => [...document.querySelectorAll('header a[href], nav a[href], main a[href]')]
  .filter(a => !a.hasAttribute('download')).map(a => a.href)"""
# Not pages to check: signing out ends the tour, and the admin is Django's own.
NOT_TOURED = ("/accounts/logout/",)


def _signed_in(user: User, host: str) -> dict:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    return {"cookies": [{"name": cookie.key, "value": cookie.value, "domain": host, "path": "/",
                         "expires": -1, "httpOnly": True, "secure": False, "sameSite": "Lax"}], "origins": []}


def _reachable_from_home(browser: Browser, origin: str, state: dict) -> list[str]:
    context = browser.new_context(base_url=origin, storage_state=state, viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        page.goto("/")
        links = page.evaluate(LINKS_JS)
    finally:
        context.close()
    return [path for path in visited_paths([f"{origin}/", *links], origin) if path not in NOT_TOURED]


@pytest.mark.no_axe
@pytest.mark.django_db(transaction=True)
def test_no_serious_or_critical_violation_on_the_pages_each_demo_person_reaches(browser: Browser, live_server):
    call_command("seed_demo", force=True, quiet=True, stdout=StringIO())
    host = live_server.url.split("//")[1].split(":")[0]
    found: dict[str, list[dict]] = {}
    toured = 0
    for account in DEMO_ACCOUNTS:
        state = _signed_in(User.objects.get(username=account.username), host)
        paths = _reachable_from_home(browser, live_server.url, state)
        toured += len(paths)
        for where, rules in axe.check_urls(browser, live_server.url, paths, storage_state=state).items():
            found[f"{account.username} {where}"] = rules
    assert toured > 3 * len(DEMO_ACCOUNTS)  # the tour saw real pages, not just sign-in redirects
    assert not found, "axe-core: serious or critical violations\n" + axe.describe(found)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_the_new_evaluation_and_street_launch_forms_fit_a_phone(browser: Browser, live_server, shot, locale):
    """At 360 px nothing on either form scrolls sideways (a fieldset is as wide as its content by default)."""
    from django.urls import reverse

    from tests.evaluations.factories import make_world

    world = make_world()
    committee = world.committees[0]
    host = live_server.url.split("//")[1].split(":")[0]
    for user, url, name in [
        (world.organizers[committee.pk], reverse("evaluations:campaign_create", args=[committee.pk]), "new"),
        (world.officer, reverse("evaluations:street_launch", args=[world.street.pk]), "launch"),
    ]:
        context = browser.new_context(base_url=live_server.url, locale=locale, storage_state=_signed_in(user, host),
                                      viewport={"width": 360, "height": 740},
                                      extra_http_headers={"Accept-Language": locale})
        try:
            page = context.new_page()
            page.goto(url)
            shot(page, f"{name}-{locale}")
            wide = page.evaluate("() => document.documentElement.scrollWidth")
            assert wide <= 360, f"{url} is {wide} px wide at 360 px"
        finally:
            context.close()


@pytest.mark.no_axe
def test_the_checker_reports_a_known_violation_with_its_target(page):
    """The checker itself: a list item outside a list and an image without words are found and named."""
    page.set_content('<html lang="en"><head><title>t</title></head><body><main><ul role="status">'
                     '<li>saved</li></ul><img id="photo" src="data:,"></main></body></html>')
    found = {rule["id"]: rule for rule in axe.violations(page)}
    assert {"listitem", "image-alt"} <= set(found)
    assert found["image-alt"]["targets"] == ["#photo"]
    assert "listitem" in axe.describe({"/x": list(found.values())})
