"""axe-core in Debian's chromium: the serious and critical accessibility violations of a page.

axe-core is a development dependency (package.json, installed by ``make vendor``); it is injected
into the page by Playwright. The site's Content-Security-Policy forbids inline script, so the
pages are checked in a browser context that bypasses it (``bypass_csp``): only the checker is
let in, the page itself runs as served.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from playwright.sync_api import Browser, BrowserContext, Page
from playwright.sync_api import Error as PlaywrightError

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
MISSING = f"axe-core is not installed ({AXE_JS}): run `make vendor`"
IMPACTS = ("serious", "critical")
# Both languages the site speaks, as a browser asks for them.
LOCALES = ("zh-CN", "en-US")

_RUN = """async (impacts) => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.filter(v => impacts.includes(v.impact)).map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.slice(0, 5).map(n => n.target.join(" ")),
  }));
}"""


def violations(page: Page) -> list[dict]:
    """The serious and critical violations axe finds on the page as it is now."""
    page.add_script_tag(path=str(AXE_JS))
    return page.evaluate(_RUN, list(IMPACTS))


def describe(found: dict[str, list[dict]]) -> str:
    """A failure message: each page, each rule violated, with its first targets."""
    lines = []
    for where, rules in found.items():
        for rule in rules:
            lines.append(f"{where}: {rule['impact']} {rule['id']} ({rule['help']}) at {', '.join(rule['targets'])}")
    return "\n".join(lines)


def check_urls(browser: Browser, base_url: str, urls: list[str], *, storage_state: dict | None = None,
               viewport: dict | None = None) -> dict[str, list[dict]]:
    """Open each URL in both languages (signed in as ``storage_state`` says); the violations per page."""
    found: dict[str, list[dict]] = {}
    if storage_state:  # the language each context asks for, not one a journey chose by the switch
        storage_state = {**storage_state, "cookies": [c for c in storage_state.get("cookies", [])
                                                      if c["name"] != settings.LANGUAGE_COOKIE_NAME]}
    for locale in LOCALES:
        context: BrowserContext = browser.new_context(
            base_url=base_url, locale=locale, bypass_csp=True, storage_state=storage_state,
            viewport=viewport or {"width": 360, "height": 740}, extra_http_headers={"Accept-Language": locale})
        try:
            page = context.new_page()
            for url in urls:
                try:
                    response = page.goto(url)
                except PlaywrightError:
                    continue  # a download, not a page
                if response is None or response.status >= 400:
                    continue  # a page that is gone by now (a one-time card, a moved object) is no page
                rules = violations(page)
                if rules:
                    found[f"{url} [{locale}]"] = rules
        finally:
            context.close()
    return found
