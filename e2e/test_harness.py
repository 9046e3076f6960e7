"""The browser-test harness itself: it must fail a test whose pages have a serious
accessibility violation, break the Content-Security-Policy or log errors — with and
without JavaScript, and however quickly the test leaves the page. The pages here are
served by Playwright's routing on the live server's origin; each test has its own context
and log so that the failures it provokes stay inside it."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route

from e2e.conftest import AccessibilityLog, finish_accessibility_checks, new_context

pytestmark = pytest.mark.e2e

CLEAN = """<!DOCTYPE html><html lang="en"><head><title>Clean</title></head>
<body><main><h1>A clean page</h1><p>Nothing wrong here. <a href="/__harness/other">Next</a></p></main></body></html>"""
IMAGE_WITHOUT_ALT = """<!DOCTYPE html><html lang="en"><head><title>Image</title></head>
<body><main><h1>An image without a text alternative</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<p><a href="/__harness/other">Next</a></p></main></body></html>"""
SLOW_IMAGE_WITHOUT_ALT = """<!DOCTYPE html><html lang="en"><head><title>Slow image</title></head>
<body><main><h1>A slow image without a text alternative</h1><img src="/__harness/slow.gif">
<p><a href="/__harness/other">Next</a></p>%s</main></body></html>""" % (
    "<p>Enough text to keep axe-core busy.</p>" * 3000
)
ONE_PIXEL_GIF = base64.b64decode("R0lGODlhAQABAAAAACw=")
INLINE_STYLE = """<!DOCTYPE html><html lang="en"><head><title>Inline style</title></head>
<body><main><h1 style="color: red">An inline style attribute</h1></main></body></html>"""
THROWS = """<!DOCTYPE html><html lang="en"><head><title>Throws</title></head>
<body><main><h1>A script that fails</h1>
<script>throw new Error("harness self-test failure");</script></main></body></html>"""
LOGS_ERROR = """<!DOCTYPE html><html lang="en"><head><title>Logs</title></head>
<body><main><h1>A script that logs an error</h1>
<script>console.error("harness self-test log");</script></main></body></html>"""
MISSING_STYLESHEET = """<!DOCTYPE html><html lang="en"><head><title>Missing</title>
<link rel="stylesheet" href="/__harness/missing.css"></head>
<body><main><h1>A broken link to a stylesheet</h1></main></body></html>"""
STRICT_CSP = "default-src 'self'; style-src 'self'; script-src 'self'"
LAX_CSP = "default-src 'self'; script-src 'unsafe-inline'"


def serve(
    page_or_context: Page | BrowserContext, url: str, html: str, *, status: int = 200, csp: str = STRICT_CSP
) -> None:
    def fulfil(route: Route) -> None:
        route.fulfill(
            status=status,
            headers={"Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": csp},
            body=html,
        )

    page_or_context.route(url, fulfil)


@pytest.fixture
def harness(browser: Browser) -> Iterator[Callable[..., tuple[Page, AccessibilityLog]]]:
    """A fresh context and log per call, closed at the end of the test."""
    contexts: list[BrowserContext] = []

    def make(**options: object) -> tuple[Page, AccessibilityLog]:
        log = AccessibilityLog()
        context = new_context(browser, log, **options)
        contexts.append(context)
        return context.new_page(), log

    yield make
    for context in contexts:
        context.unroute_all(behavior="ignoreErrors")
        context.close()


@pytest.mark.parametrize("scripts", [True, False], ids=["javascript", "no-javascript"])
def test_a_clean_page_passes(
    harness: Callable[..., tuple[Page, AccessibilityLog]], base_url: str, scripts: bool
) -> None:
    page, log = harness(java_script_enabled=scripts)
    serve(page.context, f"{base_url}/__harness/clean", CLEAN)
    page.goto(f"{base_url}/__harness/clean")
    finish_accessibility_checks(page, log)
    assert list(log.checked) == [f"{base_url}/__harness/clean"]


@pytest.mark.parametrize("scripts", [True, False], ids=["javascript", "no-javascript"])
def test_a_serious_violation_fails(
    harness: Callable[..., tuple[Page, AccessibilityLog]], base_url: str, scripts: bool
) -> None:
    page, log = harness(java_script_enabled=scripts)
    serve(page.context, f"{base_url}/__harness/image", IMAGE_WITHOUT_ALT)
    page.goto(f"{base_url}/__harness/image")
    with pytest.raises(AssertionError, match=r"(?s)serious/critical.*image-alt"):
        finish_accessibility_checks(page, log)


@pytest.mark.parametrize("scripts", [True, False], ids=["javascript", "no-javascript"])
def test_a_page_left_at_once_is_still_checked(
    harness: Callable[..., tuple[Page, AccessibilityLog]], base_url: str, scripts: bool
) -> None:
    page, log = harness(java_script_enabled=scripts)
    serve(page.context, f"{base_url}/__harness/image", SLOW_IMAGE_WITHOUT_ALT)
    serve(page.context, f"{base_url}/__harness/other", CLEAN)

    def slow_image(route: Route) -> None:
        if route.request.frame.page == page:
            page.wait_for_timeout(1500)  # the page's load event, and so its check, waits for this
        route.fulfill(status=200, headers={"Content-Type": "image/gif"}, body=ONE_PIXEL_GIF)

    page.context.route(f"{base_url}/__harness/slow.gif", slow_image)
    page.goto(f"{base_url}/__harness/image", wait_until="commit")
    page.get_by_role("link", name="Next").click()
    page.wait_for_url(f"{base_url}/__harness/other")
    with pytest.raises(AssertionError, match=r"(?s)__harness/image.*image-alt"):
        finish_accessibility_checks(page, log)


@pytest.mark.parametrize("scripts", [True, False], ids=["javascript", "no-javascript"])
def test_a_csp_violation_fails(
    harness: Callable[..., tuple[Page, AccessibilityLog]], base_url: str, scripts: bool
) -> None:
    page, log = harness(java_script_enabled=scripts)
    serve(page.context, f"{base_url}/__harness/inline-style", INLINE_STYLE)
    page.goto(f"{base_url}/__harness/inline-style")
    with pytest.raises(AssertionError, match=r"Content-Security-Policy|Console errors:\n- Applying inline style"):
        finish_accessibility_checks(page, log)


def test_an_uncaught_javascript_error_fails(
    harness: Callable[..., tuple[Page, AccessibilityLog]], base_url: str
) -> None:
    page, log = harness()
    serve(page.context, f"{base_url}/__harness/throws", THROWS, csp=LAX_CSP)
    page.goto(f"{base_url}/__harness/throws")
    with pytest.raises(AssertionError, match=r"JavaScript errors: .*harness self-test failure"):
        finish_accessibility_checks(page, log)


def test_a_console_error_fails(harness: Callable[..., tuple[Page, AccessibilityLog]], base_url: str) -> None:
    page, log = harness()
    serve(page.context, f"{base_url}/__harness/logs", LOGS_ERROR, csp=LAX_CSP)
    page.goto(f"{base_url}/__harness/logs")
    with pytest.raises(AssertionError, match="Console errors:\n- harness self-test log"):
        finish_accessibility_checks(page, log)


def test_a_missing_resource_fails_but_a_visited_error_page_does_not(
    harness: Callable[..., tuple[Page, AccessibilityLog]], base_url: str
) -> None:
    page, log = harness()
    serve(page.context, f"{base_url}/__harness/not-found", CLEAN.replace("A clean page", "Not found"), status=404)
    page.goto(f"{base_url}/__harness/not-found")
    finish_accessibility_checks(page, log)  # the error page the test meant to visit is fine

    page, log = harness()
    serve(page.context, f"{base_url}/__harness/missing", MISSING_STYLESHEET)
    page.context.route(f"{base_url}/__harness/missing.css", lambda route: route.fulfill(status=404, body=""))
    page.goto(f"{base_url}/__harness/missing")
    with pytest.raises(AssertionError, match="Failed to load resource"):
        finish_accessibility_checks(page, log)


def test_a_test_that_checked_nothing_fails(harness: Callable[..., tuple[Page, AccessibilityLog]]) -> None:
    page, log = harness()
    with pytest.raises(AssertionError, match="no page was checked"):
        finish_accessibility_checks(page, log)
