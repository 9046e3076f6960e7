"""The numbers of the 電子申請 dashboard (電子申請の状況): submissions received per week,
time from receipt to completion (median and distribution, by procedure), counts by
status and overdue. Each function takes the queryset the staff member may see
(`processing.visible_submissions`)."""

from __future__ import annotations

import datetime
import statistics
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import get_language

from ..models import Submission, SubmissionStatus
from .processing import overdue_q

S = SubmissionStatus


@dataclass(frozen=True)
class WeekCount:
    start: datetime.date
    count: int


@dataclass(frozen=True)
class CompletionTime:
    procedure: str
    count: int
    median_days: float
    buckets: dict[str, int]


#: Time to completion, in days, grouped for the distribution (label, up to and including).
DURATION_BUCKETS: list[tuple[str, int | None]] = [
    ("0–1", 1),
    ("2–3", 3),
    ("4–7", 7),
    ("8–14", 14),
    ("15–30", 30),
    ("31+", None),
]


def bucket_of(days: float) -> str:
    for label, limit in DURATION_BUCKETS:
        if limit is None or days <= limit:
            return label
    return DURATION_BUCKETS[-1][0]


def weekly_counts(
    queryset: QuerySet[Submission], weeks: int = 12, today: datetime.date | None = None
) -> list[WeekCount]:
    """Submissions received per week (Monday to Sunday), the last `weeks` weeks up to this
    one, oldest first."""
    today = today or timezone.localdate()
    this_monday = today - datetime.timedelta(days=today.weekday())
    first = this_monday - datetime.timedelta(weeks=weeks - 1)
    start = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min))
    counts: Counter[datetime.date] = Counter()
    for submitted_at in queryset.filter(submitted_at__gte=start).values_list("submitted_at", flat=True):
        day = timezone.localdate(submitted_at)
        counts[day - datetime.timedelta(days=day.weekday())] += 1
    return [
        WeekCount(start=first + datetime.timedelta(weeks=i), count=counts[first + datetime.timedelta(weeks=i)])
        for i in range(weeks)
    ]


def completion_times(queryset: QuerySet[Submission]) -> tuple[list[CompletionTime], list[float]]:
    """For completed submissions, days from receipt to completion: per procedure (count,
    median, distribution) and all the durations (for the overall median)."""
    per_procedure: dict[str, list[float]] = {}
    rows = queryset.filter(status=S.COMPLETED, submitted_at__isnull=False, closed_at__isnull=False).values_list(
        "procedure__name_ja", "procedure__name_en", "submitted_at", "closed_at"
    )
    english = (get_language() or "ja").startswith("en")
    for name_ja, name_en, submitted_at, closed_at in rows:
        if submitted_at is None or closed_at is None:
            continue
        days = (closed_at - submitted_at).total_seconds() / 86400
        per_procedure.setdefault((name_en if english and name_en else name_ja), []).append(max(days, 0.0))
    result = []
    everything: list[float] = []
    for name, durations in sorted(per_procedure.items()):
        everything.extend(durations)
        buckets = Counter(bucket_of(d) for d in durations)
        result.append(
            CompletionTime(
                procedure=name,
                count=len(durations),
                median_days=round(statistics.median(durations), 1),
                buckets={label: buckets.get(label, 0) for label, _limit in DURATION_BUCKETS},
            )
        )
    return result, everything


def status_counts(queryset: QuerySet[Submission]) -> list[tuple[str, str, int]]:
    """(status, label, count) for every status but draft, in the machine's order."""
    counts = Counter(queryset.values_list("status", flat=True))
    return [(s.value, str(s.label), counts.get(s.value, 0)) for s in S if s != S.DRAFT]


def overdue_count(queryset: QuerySet[Submission], today: datetime.date | None = None) -> int:
    return queryset.filter(overdue_q(today)).count()


def completion_summary(durations: list[float]) -> dict[str, Any]:
    """All procedures together: count, median days and the distribution."""
    buckets = Counter(bucket_of(d) for d in durations)
    return {
        "count": len(durations),
        "median_days": round(statistics.median(durations), 1) if durations else None,
        "buckets": {label: buckets.get(label, 0) for label, _limit in DURATION_BUCKETS},
    }
