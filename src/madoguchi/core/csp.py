"""Content-Security-Policy: strict everywhere, with the few exceptions the staff console
(Wagtail's admin, under /staff/) needs — and only there.

The policy itself is `CONTENT_SECURITY_POLICY` in settings: scripts and styles from our
own origin or carrying the request's nonce, nothing inline, no framing.
"""

from __future__ import annotations

from csp.constants import SELF
from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.middleware import PolicyParts
from django.http import HttpRequest, HttpResponseBase

STAFF_CONSOLE_PREFIX = "/staff/"

# What Wagtail's admin does that the strict policy forbids, found by loading its pages in
# Chromium (e2e/test_csp_staff.py fails on any violation):
#
# - The rich text editor (Draftail) adds <style> elements of its own, without a nonce, for
#   list numbering and heading placeholders: <style> elements are allowed inline on
#   /staff/. Style attributes stay forbidden, and so does any inline script.
#
# Wagtail's other inline scripts (the date and time choosers, inline panels) are not
# allowed here: madoguchi's copies of those templates load madoguchi/staff-init.js
# instead (core/templates/wagtailadmin/).
STAFF_CONSOLE_UPDATE: dict[str, list[str]] = {
    "style-src-elem": [SELF, "'unsafe-inline'"],
}


class CSPMiddleware(BaseCSPMiddleware):
    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if STAFF_CONSOLE_UPDATE and request.path_info.startswith(STAFF_CONSOLE_PREFIX):
            update = dict(parts.update or {})
            for directive, sources in STAFF_CONSOLE_UPDATE.items():
                update[directive] = [*update.get(directive, []), *sources]
            parts.update = update
        return parts
