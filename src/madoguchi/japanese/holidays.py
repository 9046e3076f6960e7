"""National holidays (国民の祝日) and the business days of a municipal office (開庁日).

Holidays come from the `holidays` package (Japan: 1949, the year the 祝日法 took effect,
to 2099), with 振替休日 and 国民の休日 and the one-off days (即位の礼, 大喪の礼 …).
Names are in Japanese or English, following the active language unless one is asked for.

A municipal office is closed on Saturdays, Sundays, national holidays and over the New
Year (年末年始, 12月29日–1月3日, 地方自治法 4条の2 and each municipality's 休日条例). A
municipality or a facility that closes on more days passes them as `extra_closed`.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Collection

import holidays as holidays_package
from django.utils.translation import get_language

# The package's language codes for the languages of the site.
_PACKAGE_LANGUAGE = {"ja": "ja", "en": "en_US"}


@functools.lru_cache(maxsize=512)
def _holidays_of(year: int, language: str) -> dict[dt.date, str]:
    # A plain dict per (year, language): the package's objects fill themselves lazily
    # and are not safe to share between threads.
    return dict(holidays_package.Japan(years=year, language=language))


def _package_language(language: str | None) -> str:
    code = (language or get_language() or "ja")[:2]
    return _PACKAGE_LANGUAGE.get(code, "ja")


def holiday_name(day: dt.date, language: str | None = None) -> str | None:
    """'憲法記念日' / "Constitution Day" for 5月3日, None on other days. `language` is
    'ja' or 'en'; by default the active language."""
    return _holidays_of(day.year, _package_language(language)).get(day)


def is_holiday(day: dt.date) -> bool:
    """Whether the day is a national holiday (振替休日 and 国民の休日 included)."""
    return day in _holidays_of(day.year, "ja")


def holidays_in(year: int, language: str | None = None) -> list[tuple[dt.date, str]]:
    """The national holidays of a year, in date order."""
    return sorted(_holidays_of(year, _package_language(language)).items())


def is_year_end_closure(day: dt.date) -> bool:
    """12月29日 to 1月3日."""
    return (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)


def is_business_day(day: dt.date, *, extra_closed: Collection[dt.date] = ()) -> bool:
    """Whether the municipal office is open (開庁日): not a Saturday or Sunday, not a
    national holiday, not 12/29–1/3, not one of `extra_closed`."""
    return not (day.weekday() >= 5 or is_holiday(day) or is_year_end_closure(day) or day in extra_closed)


def next_business_day(day: dt.date, *, inclusive: bool = False, extra_closed: Collection[dt.date] = ()) -> dt.date:
    """The first business day after `day` (on or after it with `inclusive=True`)."""
    current = day if inclusive else day + dt.timedelta(days=1)
    while not is_business_day(current, extra_closed=extra_closed):
        current += dt.timedelta(days=1)
    return current


def previous_business_day(day: dt.date, *, inclusive: bool = False, extra_closed: Collection[dt.date] = ()) -> dt.date:
    """The last business day before `day` (on or before it with `inclusive=True`)."""
    current = day if inclusive else day - dt.timedelta(days=1)
    while not is_business_day(current, extra_closed=extra_closed):
        current -= dt.timedelta(days=1)
    return current


def add_business_days(day: dt.date, count: int, *, extra_closed: Collection[dt.date] = ()) -> dt.date:
    """The `count`-th business day after `day` (before it when negative).

    A deadline of "3 開庁日 after receipt" on Friday 2026-05-01 is
    ``add_business_days(date(2026, 5, 1), 3)`` = 2026-05-11, skipping the Golden Week
    holidays. `day` itself never counts, so it may be a closed day. With 0, `day` when it
    is a business day, else the next one."""
    if count == 0:
        return next_business_day(day, inclusive=True, extra_closed=extra_closed)
    step = next_business_day if count > 0 else previous_business_day
    current = day
    for _ in range(abs(count)):
        current = step(current, extra_closed=extra_closed)
    return current


def business_days_between(start: dt.date, end: dt.date, *, extra_closed: Collection[dt.date] = ()) -> int:
    """How many business days lie after `start` up to and including `end` (0 when
    `end` is not after `start`)."""
    count = 0
    current = start + dt.timedelta(days=1)
    while current <= end:
        if is_business_day(current, extra_closed=extra_closed):
            count += 1
        current += dt.timedelta(days=1)
    return count
