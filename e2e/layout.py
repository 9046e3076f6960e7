"""How wide a page is laid out on the screen it is shown on."""

from __future__ import annotations

from playwright.sync_api import Page


def sideways_overflow(page: Page) -> int:
    """How many pixels the page is wider than its viewport (0 when it fits), measured once
    its styles, images and fonts have loaded: a layout taken earlier can be wider than the
    page the user ends up seeing."""
    page.wait_for_load_state("load")
    page.evaluate("document.fonts.ready.then(() => true)")
    return int(page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth"))
