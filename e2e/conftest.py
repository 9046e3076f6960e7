"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

Every document a test loads is checked with axe-core, and a test fails at teardown when
any of them has a serious or critical violation, broke the Content-Security-Policy, or
logged an error (an uncaught exception, a failed resource, a CSP report) to the console.

How the checks run:

- With JavaScript (the default), an init script injects axe-core into every document, runs
  it once the document has loaded and reports through the `__madoguchiReport` binding.
  When the test navigates away, the navigation waits until the document it leaves has
  reported, so that no page goes unchecked however fast the test clicks.
- Without JavaScript (`java_script_enabled=False`, see `no_js_page`), no script runs in the
  page. A copy of each main-frame document is kept as it arrives (navigations wait until
  the copy is taken); at teardown every copy is shown again in a page of the same context
  (same cookies, same viewport, still without JavaScript) and checked with axe-core, which
  Playwright evaluates in the page.

One Chromium serves the whole session; each test gets its own context.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    Request,
    Response,
    Route,
    WebError,
    sync_playwright,
)
from playwright.sync_api import Error as PlaywrightError

# Playwright's sync API runs an event loop in the test thread; the ORM calls that tests
# make between browser steps are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parent.parent
AXE_PATH = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
BLOCKING_IMPACTS = {"serious", "critical"}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
# How long a navigation waits for the check of the page it leaves, and teardown for the last.
CHECK_TIMEOUT_S = 15.0
# What a kept copy of a page needs to look the same when it is shown again.
KEPT_HEADERS = {"content-type", "content-security-policy"}
AXE_OPTIONS = json.dumps({"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]})
AXE_SUMMARY_JS = """(r) => r.violations.map((v) => ({
  id: v.id, impact: v.impact, help: v.help,
  nodes: v.nodes.slice(0, 5).map((n) => ({target: n.target, html: n.html.slice(0, 200), summary: n.failureSummary}))
}))"""

_INIT_SCRIPT = """
(() => {
  if (window.top !== window || !location.protocol.startsWith("http")) return;
  const report = (kind, data) => window.__madoguchiReport && window.__madoguchiReport(kind, data);
  const id = (crypto.randomUUID && crypto.randomUUID()) || String(Math.random()).slice(2);
  report("started", {id, url: location.href});
  document.addEventListener("securitypolicyviolation", (e) => {
    report("csp", {id, url: location.href, directive: e.violatedDirective, blocked: e.blockedURI});
  });
  let ran = false;
  const run = () => {
    if (ran) return;
    ran = true;
    // Check what readers see once the page has settled: a fade-in (the console's messages)
    // caught halfway has colours the page never keeps. Endless animations cannot finish.
    for (const animation of (document.getAnimations ? document.getAnimations() : [])) {
      try { animation.finish(); } catch (err) { /* infinite */ }
    }
    window.axe.run(document, %(options)s)
      .then((r) => report("axe", {id, url: location.href, violations: (%(summary)s)(r)}))
      .catch((err) => report("axe-error", {id, url: location.href, error: String(err)}));
  };
  // Check the loaded page. A navigation away stops the load, so also check when one starts
  // (a click, a form) and, failing both, a moment after the document is parsed.
  if (document.readyState === "complete") run(); else window.addEventListener("load", run, {once: true});
  if (window.navigation) window.navigation.addEventListener("navigate", (e) => { if (!e.hashChange) run(); });
  document.addEventListener("DOMContentLoaded", () => setTimeout(run, 1000), {once: true});
})();
"""

# Without JavaScript the page's timers never fire; axe-core only uses them to yield.
_NO_JS_TIMER_SHIM = """(() => {
  window.setTimeout = (fn, _ms, ...args) => { Promise.resolve().then(() => fn(...args)); return 0; };
  window.clearTimeout = () => {};
  window.requestAnimationFrame = (fn) => { Promise.resolve().then(() => fn(performance.now())); return 0; };
  window.cancelAnimationFrame = () => {};
})();"""


def chromium_path() -> str | None:
    for candidate in CHROMIUM_CANDIDATES:
        if shutil.which(candidate):
            return candidate
    return None


def _without_fragment(url: str) -> str:
    return url.split("#", 1)[0]


@dataclass
class Document:
    """One document a page showed, and what axe-core found in it (None: not yet checked)."""

    id: str
    url: str
    page: Any = None
    violations: list[dict[str, Any]] | None = None


@dataclass
class CapturedDocument:
    """A document served to a page without JavaScript, kept to be checked at teardown."""

    url: str
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass
class AccessibilityLog:
    """What the pages of one test reported."""

    started: list[str] = field(default_factory=list)
    checked: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    csp: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    console_errors: list[dict[str, Any]] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    documents: dict[str, Document] = field(default_factory=dict)
    captured: list[CapturedDocument] = field(default_factory=list)
    # URLs of main-frame documents: a console "failed to load" for one of them is the
    # error page the test meant to visit, not a broken resource.
    document_urls: set[str] = field(default_factory=set)
    # Copies of documents being taken (without JavaScript); navigations wait for them.
    copying: int = 0
    replaying: bool = False
    # Origins of pages that are not madoguchi's, such as the OpenID provider the sign-in
    # tests start (e2e/oidc_provider): a test passes through them, but their pages are
    # not checked and their console is not watched.
    foreign_origins: set[str] = field(default_factory=set)

    def is_foreign(self, url: str) -> bool:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}" in self.foreign_origins

    def record(self, kind: str, data: dict[str, Any], page: Any = None) -> None:
        if self.is_foreign(data.get("url", "")):
            return
        if kind == "started":
            self.started.append(data["url"])
            self.documents[data["id"]] = Document(id=data["id"], url=data["url"], page=page)
        elif kind == "axe":
            self.checked[data["url"]] = data["violations"]
            document = self.documents.get(data["id"])
            if document is not None:
                document.violations = data["violations"]
        elif kind == "csp":
            self.csp.append(data)
        else:
            self.errors.append(data)
            document = self.documents.get(data.get("id", ""))
            if document is not None:
                document.violations = []

    def pending(self, page: Any = None) -> list[Document]:
        """Documents (of one page, or of all) whose check has not reported yet."""
        return [d for d in self.documents.values() if d.violations is None and (page is None or d.page is page)]

    def blocking(self) -> dict[str, list[dict[str, Any]]]:
        found = {}
        for url, violations in self.checked.items():
            serious = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
            if serious:
                found[url] = serious
        return found

    def unexpected_console_errors(self) -> list[dict[str, Any]]:
        return [
            e
            for e in self.console_errors
            if not (
                e["text"].startswith("Failed to load resource") and _without_fragment(e["url"]) in self.document_urls
            )
        ]

    def problems(self) -> list[str]:
        """Everything that fails the test, as readable paragraphs."""
        found = []
        if self.errors:
            found.append(f"axe-core failed: {self.errors}")
        unchecked = sorted({d.url for d in self.pending()})
        if unchecked:
            found.append(
                "Pages left before their accessibility check finished (closed, or left through the "
                f"browser history): {unchecked}"
            )
        if blocking := self.blocking():
            found.append(
                "Accessibility violations (serious/critical):\n" + json.dumps(blocking, ensure_ascii=False, indent=1)
            )
        if self.csp:
            found.append(f"Content-Security-Policy violations: {self.csp}")
        if self.page_errors:
            found.append(f"JavaScript errors: {self.page_errors}")
        if console := self.unexpected_console_errors():
            found.append("Console errors:\n" + "\n".join(f"- {e['text']} ({e['url']})" for e in console))
        return found


def _wait_for_checks(page: Page, log: AccessibilityLog, timeout: float = CHECK_TIMEOUT_S) -> None:
    """Let the page's pending checks report (the binding needs the event loop to run)."""
    deadline = time.monotonic() + timeout
    while log.pending(page) and time.monotonic() < deadline and not page.is_closed():
        page.wait_for_timeout(25)


def _axe_in_page(page: Page) -> list[dict[str, Any]]:
    """Run axe-core through Playwright in a page whose own scripts do not run."""
    page.evaluate(_NO_JS_TIMER_SHIM + AXE_PATH.read_text() + "\n;0")
    result: list[dict[str, Any]] = page.evaluate(f"axe.run(document, {AXE_OPTIONS}).then({AXE_SUMMARY_JS})")
    return result


def new_context(browser: Browser, log: AccessibilityLog, **options: Any) -> BrowserContext:
    """A browser context whose pages are checked with axe-core and watched for errors."""
    options.setdefault("locale", "ja-JP")
    options.setdefault("viewport", {"width": 1280, "height": 900})
    scripts = options.get("java_script_enabled", True)
    context = browser.new_context(**options)
    context.set_default_timeout(15_000)

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and not log.replaying and not log.is_foreign(message.location.get("url", "")):
            log.console_errors.append({"text": message.text, "url": message.location.get("url", "")})

    def on_web_error(error: WebError) -> None:
        if not log.replaying:
            log.page_errors.append(str(error.error))

    def on_response(response: Response) -> None:
        request = response.request
        if not request.is_navigation_request() or log.replaying:
            return
        log.document_urls.add(_without_fragment(response.url))
        html = "html" in response.headers.get("content-type", "")
        if scripts or not html or 300 <= response.status < 400 or request.frame.parent_frame is not None:
            return
        log.copying += 1
        try:
            headers = {k: v for k, v in response.headers.items() if k in KEPT_HEADERS}
            log.captured.append(CapturedDocument(response.url, response.status, headers, response.body()))
        except PlaywrightError as exc:
            log.errors.append({"url": response.url, "error": f"could not keep the page to check it: {exc}"})
        finally:
            log.copying -= 1

    context.on("console", on_console)
    context.on("weberror", on_web_error)
    context.on("response", on_response)

    def gate(route: Route, request: Request) -> None:
        # Leaving a document: let its check finish (or its copy be taken) first.
        frame = request.frame if request.is_navigation_request() else None
        if frame is not None and frame.parent_frame is None and not log.replaying:
            page = frame.page
            deadline = time.monotonic() + CHECK_TIMEOUT_S
            while log.copying and time.monotonic() < deadline:
                page.wait_for_timeout(10)
            if scripts:
                _wait_for_checks(page, log)
        route.fallback()

    # On each page rather than on the context: a page's handlers run before the context's,
    # so that pages a test serves through `context.route` are held by the gate too.
    def guard(page: Page) -> None:
        with contextlib.suppress(PlaywrightError):  # the page may close at once
            page.route("**/*", gate)

    context.on("page", guard)
    if scripts:
        context.expose_binding(
            "__madoguchiReport", lambda source, kind, data: log.record(kind, data, page=source.get("page"))
        )
        context.add_init_script(script=AXE_PATH.read_text())
        context.add_init_script(script=_INIT_SCRIPT % {"options": AXE_OPTIONS, "summary": AXE_SUMMARY_JS})
    return context


def _serve_copy(document: CapturedDocument) -> Any:
    def serve(route: Route) -> None:
        route.fulfill(status=document.status, headers=document.headers, body=document.body)

    return serve


def _check_captured_documents(context: BrowserContext, log: AccessibilityLog) -> None:
    """Show each document served without JavaScript again and check it with axe-core."""
    if not log.captured:
        return
    log.replaying = True
    checker = context.new_page()
    try:
        for document in log.captured:
            key = f"no-js:{uuid.uuid4().hex}"
            log.record("started", {"id": key, "url": document.url}, page=checker)

            checker.route(document.url, _serve_copy(document))
            try:
                checker.goto(document.url)
                log.record("axe", {"id": key, "url": document.url, "violations": _axe_in_page(checker)})
            except PlaywrightError as exc:
                log.record("axe-error", {"id": key, "url": document.url, "error": str(exc)})
            finally:
                checker.unroute(document.url)
        log.captured.clear()
    finally:
        checker.close()
        log.replaying = False


def finish_accessibility_checks(page: Page, log: AccessibilityLog) -> None:
    """Wait for the checks still running, check the documents served without JavaScript,
    then fail on anything any page of the test reported."""
    context = page.context
    for open_page in context.pages:
        if not open_page.is_closed():
            _wait_for_checks(open_page, log)
            deadline = time.monotonic() + CHECK_TIMEOUT_S
            while log.copying and time.monotonic() < deadline:
                open_page.wait_for_timeout(10)
    _check_captured_documents(context, log)
    problems = log.problems()
    if problems:
        raise AssertionError("\n\n".join(problems))
    if not log.checked:
        raise AssertionError("no page was checked with axe-core")


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    executable = chromium_path()
    if executable is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is not installed, and CI runs every browser test (see .ci/run).")
        pytest.skip("Chromium is not installed (apt install chromium); browser tests skipped")
    if not AXE_PATH.exists():
        pytest.fail("axe-core is missing: run `make assets` (npm ci)")
    browser = playwright_instance.chromium.launch(
        executable_path=executable,
        headless=True,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ],
    )
    yield browser
    browser.close()


@pytest.fixture
def a11y_log() -> AccessibilityLog:
    return AccessibilityLog()


@pytest.fixture
def context(browser: Browser, a11y_log: AccessibilityLog) -> Iterator[BrowserContext]:
    context = new_context(browser, a11y_log)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext, a11y_log: AccessibilityLog) -> Iterator[Page]:
    page = context.new_page()
    yield page
    finish_accessibility_checks(page, a11y_log)


@pytest.fixture
def phone_page(browser: Browser, a11y_log: AccessibilityLog) -> Iterator[Page]:
    """A 320 px wide touch screen, the narrowest the pages support."""
    context = new_context(browser, a11y_log, viewport={"width": 320, "height": 640}, is_mobile=True, has_touch=True)
    page = context.new_page()
    yield page
    try:
        finish_accessibility_checks(page, a11y_log)
    finally:
        context.close()


@pytest.fixture
def no_js_page(browser: Browser, a11y_log: AccessibilityLog) -> Iterator[Page]:
    """A browser with JavaScript turned off: what must still work, works here."""
    context = new_context(browser, a11y_log, java_script_enabled=False)
    page = context.new_page()
    yield page
    try:
        finish_accessibility_checks(page, a11y_log)
    finally:
        context.close()


@pytest.fixture
def base_url(live_server: Any) -> str:
    return str(live_server.url)
