"""「このページは役に立ちましたか」: readers' answers, sent to the page's department.

An answer is stored against the page's municipality (from the tree, never from the
request's URL alone) and the department that owns the page when it is sent. Comments
may hold personal details even though the form asks not to: staff read them only
through the audited console listing (`portal.staff.feedback`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from wagtail.models import Page

from madoguchi.core.models import Department, Municipality
from madoguchi.core.tenancy import municipality_scope

from ..forms import municipality_of
from ..models import PageFeedback

#: A second identical answer from the same address within this time is the same answer
#: sent twice (double click, reload of the POST), not a new one.
DUPLICATE_WINDOW = timedelta(minutes=10)


def feedback_page(municipality: Municipality, page_id: int) -> Page | None:
    """The live page of `municipality` that takes feedback, or None (another
    municipality's page, a draft, the deployment root)."""
    page = Page.objects.live().public().filter(pk=page_id).first()
    if page is None:
        return None
    page = page.specific
    if not hasattr(page, "plain_japanese"):
        # Only PortalPages have the feedback form (the home page has none).
        return None
    owner = municipality_of(page)
    if owner is None or owner.pk != municipality.pk:
        return None
    return page


def _duplicate_key(page: Page, client: str, answers: dict[str, Any]) -> str:
    digest = hashlib.sha256(repr((page.pk, client, sorted(answers.items()))).encode()).hexdigest()
    return f"portal:feedback:{digest}"


def record_feedback(
    municipality: Municipality, page: Page, answers: dict[str, Any], *, language: str, client: str = ""
) -> tuple[PageFeedback | None, bool]:
    """Store one answer for `page`'s department. Returns (the answer, created); an
    identical answer from the same client within `DUPLICATE_WINDOW` is not stored again."""
    key = _duplicate_key(page, client, answers)
    if not cache.add(key, 1, timeout=int(DUPLICATE_WINDOW.total_seconds())):
        return None, False
    with municipality_scope(municipality):
        feedback = PageFeedback.objects.create(
            municipality=municipality,
            page=page,
            department_id=getattr(page, "department_id", None),
            language=language[:10],
            **answers,
        )
    return feedback, True


def feedback_for(
    municipality: Municipality,
    *,
    department: Department | None = None,
    helpful: bool | None = None,
    with_comment: bool = False,
    since: date | None = None,
    until: date | None = None,
    query: str = "",
) -> QuerySet[PageFeedback]:
    """The municipality's answers, newest first, filtered as the console asks."""
    answers = PageFeedback.unscoped.filter(municipality=municipality).select_related("page", "department")
    if department is not None:
        answers = answers.filter(department=department)
    if helpful is not None:
        answers = answers.filter(helpful=helpful)
    if with_comment:
        answers = answers.exclude(comment="")
    if since is not None:
        answers = answers.filter(created_at__date__gte=since)
    if until is not None:
        answers = answers.filter(created_at__date__lte=until)
    if query:
        answers = answers.filter(Q(comment__icontains=query) | Q(page__title__icontains=query))
    return answers.order_by("-created_at")


@dataclass(frozen=True)
class DailyCount:
    day: date
    helpful: int
    not_helpful: int

    @property
    def total(self) -> int:
        return self.helpful + self.not_helpful


def daily_counts(answers: QuerySet[PageFeedback], *, days: int = 30, today: date | None = None) -> list[DailyCount]:
    """Helpful / not helpful answers per day for the last `days` days (for the chart)."""
    today = today or datetime.now().date()
    start = today - timedelta(days=days - 1)
    rows = (
        answers.filter(created_at__date__gte=start)
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(yes=Count("pk", filter=Q(helpful=True)), no=Count("pk", filter=Q(helpful=False)))
    )
    by_day = {row["day"]: (row["yes"], row["no"]) for row in rows}
    return [DailyCount(d, *by_day.get(d, (0, 0))) for d in (start + timedelta(days=i) for i in range(days))]
