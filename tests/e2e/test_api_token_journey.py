"""The street office's token journey: make a read token for a system, copy it once, see it used, revoke it.

An officer of 临汾路街道 opens the street's page on a phone, follows "Tokens for systems", names a
token after the personnel-assessment system, sees the secret once, checks that the API answers with
it, reads the API's documentation page, comes back to the list (last use shown, the secret nowhere),
revokes it after the confirmation, and finds the refused request in the log. A screenshot is saved after each step.
"""

import pytest
from django.test import Client
from playwright.sync_api import Page, expect

from tests.e2e.conftest import REDOCLY_LOGO
from tests.factories import make_committee, make_street, make_street_officer, make_user

pytestmark = pytest.mark.django_db(transaction=True)



def test_an_officer_makes_uses_and_revokes_a_token(page: Page, login_as, shot, live_server, browser_console_errors):
    street = make_street(name="临汾路街道")
    make_committee(street, name="临汾居民区")
    officer = make_street_officer(street, make_user(name="周科长"))
    login_as(officer)

    page.goto(f"/streets/{street.pk}/")
    page.get_by_role("link", name="Tokens for systems (open data API)").click()
    shot(page, "token-list-empty")
    page.get_by_label("Name").fill("personnel assessment")
    page.get_by_label("Valid for (days)").fill("90")
    page.get_by_role("button", name="Make the token").click()
    secret = page.locator("#token-secret").input_value()
    assert "." in secret
    shot(page, "token-shown-once")

    assert Client().get("/api/v1/evaluations", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200

    page.get_by_role("link", name="Done").click()
    page.get_by_role("link", name="API documentation").click()
    # Redoc's page (api/v1/docs.py), in the browser's language, drawn under the site's policy: its
    # styles let in by their nonce, nothing refused (a refused style or script is a console error).
    expect(page.get_by_role("heading", name="Sanhui open data")).to_be_visible()
    # Each operation's path is a button that shows the server's URL for it.
    expect(page.get_by_role("button", name="get /api/v1/hearings/{pk}", exact=True)).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert [error for error in browser_console_errors if REDOCLY_LOGO not in error] == []
    shot(page, "api-docs")
    page.go_back()
    expect(page.get_by_role("cell", name="personnel assessment")).to_be_visible()
    assert secret not in page.content()
    expect(page.get_by_role("cell", name="never", exact=True)).to_have_count(0)
    shot(page, "token-list-used")

    page.get_by_role("link", name="Revoke").click()
    shot(page, "revoke-confirm")
    page.get_by_role("button", name="Revoke").click()
    expect(page.get_by_text("The token is revoked.")).to_be_visible()
    assert Client().get("/api/v1/evaluations", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401

    page.get_by_role("link", name="Requests log").click()
    expect(page.get_by_role("cell", name="401")).to_be_visible()
    shot(page, "requests-log")
