"""The header's full menu, for journeys that go to a page listed in it."""

from playwright.sync_api import Locator, Page


def open_menu(page: Page) -> Locator:
    """Open the menu behind the header's Menu button (if it is closed) and return it."""
    menu = page.locator("#site-menu")
    if not menu.evaluate("details => details.open"):
        menu.locator("summary").click()
    return menu
