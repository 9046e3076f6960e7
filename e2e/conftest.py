"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

Every document a test loads is checked with axe-core inside the page (an init script runs
it on load and reports back through a binding); a test fails when any page it visited has
a serious or critical violation, or a Content-Security-Policy violation.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

# Playwright's sync API runs an event loop in the test thread; the ORM calls that tests
# make between browser steps are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parent.parent
AXE_PATH = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
BLOCKING_IMPACTS = {"serious", "critical"}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

_INIT_SCRIPT = """
(() => {
  if (window.top !== window || !location.protocol.startsWith("http")) return;
  const report = (kind, data) => window.__madoguchiReport && window.__madoguchiReport(kind, data);
  document.addEventListener("securitypolicyviolation", (e) => {
    report("csp", {url: location.href, directive: e.violatedDirective, blocked: e.blockedURI});
  });
  const run = () => {
    report("started", {url: location.href});
    window.axe.run(document, {runOnly: {type: "tag", values: %(tags)s}, resultTypes: ["violations"]}).then((r) => {
      report("axe", {url: location.href, violations: r.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 5).map((n) => ({target: n.target, html: n.html.slice(0, 200), summary: n.failureSummary}))
      }))});
    }).catch((err) => report("axe-error", {url: location.href, error: String(err)}));
  };
  if (document.readyState === "complete") run(); else window.addEventListener("load", run, {once: true});
})();
"""


def chromium_path() -> str | None:
    for candidate in CHROMIUM_CANDIDATES:
        if shutil.which(candidate):
            return candidate
    return None


@dataclass
class AccessibilityLog:
    """What the pages of one test reported."""

    started: list[str] = field(default_factory=list)
    checked: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    csp: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def record(self, kind: str, data: dict[str, Any]) -> None:
        if kind == "started":
            self.started.append(data["url"])
        elif kind == "axe":
            self.checked[data["url"]] = data["violations"]
        elif kind == "csp":
            self.csp.append(data)
        else:
            self.errors.append(data)

    def blocking(self) -> dict[str, list[dict[str, Any]]]:
        found = {}
        for url, violations in self.checked.items():
            serious = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
            if serious:
                found[url] = serious
        return found


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


def new_context(browser: Browser, log: AccessibilityLog, **options: Any) -> BrowserContext:
    """A browser context whose pages check themselves with axe-core."""
    options.setdefault("locale", "ja-JP")
    options.setdefault("viewport", {"width": 1280, "height": 900})
    context = browser.new_context(**options)
    context.set_default_timeout(15_000)
    context.expose_binding("__madoguchiReport", lambda _source, kind, data: log.record(kind, data))
    context.add_init_script(script=AXE_PATH.read_text())
    context.add_init_script(script=_INIT_SCRIPT % {"tags": json.dumps(AXE_TAGS)})
    return context


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
    finish_accessibility_checks(page, a11y_log)
    context.close()


def finish_accessibility_checks(page: Page, log: AccessibilityLog) -> None:
    """Wait for the last page's check, re-check pages left before their check ended,
    then fail on serious or critical violations of any page the test visited."""
    if page.is_closed():
        return
    page.wait_for_load_state("load")
    deadline = 100
    while page.url not in log.checked and deadline and page.url.startswith("http"):
        page.wait_for_timeout(100)
        deadline -= 1
    unchecked = [url for url in dict.fromkeys(log.started) if url not in log.checked]
    for url in unchecked:
        page.goto(url)
        for _ in range(100):
            if url in log.checked:
                break
            page.wait_for_timeout(100)
    assert not log.errors, f"axe-core failed: {log.errors}"
    problems = log.blocking()
    assert not problems, "Accessibility violations (serious/critical):\n" + json.dumps(problems, ensure_ascii=False, indent=1)
    assert not log.csp, f"Content-Security-Policy violations: {log.csp}"
    assert log.checked, "no page was checked with axe-core"


@pytest.fixture
def base_url(live_server: Any) -> str:
    return str(live_server.url)
