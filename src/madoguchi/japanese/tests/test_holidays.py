"""National holidays and the business days of a municipal office.

The expected holidays below were read from the installed `holidays` package (and agree
with the Cabinet Office's lists): 振替休日, 国民の休日 and the one-off days included."""

from __future__ import annotations

import datetime as dt

import holidays as holidays_package
import pytest
from django.utils import translation

from madoguchi.japanese import holidays

D = dt.date


@pytest.mark.parametrize(
    ("day", "ja", "en"),
    [
        (D(2026, 1, 1), "元日", "New Year's Day"),
        (D(2026, 1, 12), "成人の日", "Coming of Age Day"),
        (D(2026, 2, 23), "天皇誕生日", "Emperor's Birthday"),
        (D(2026, 5, 6), "振替休日", "Substitute Holiday"),  # こどもの日 … 憲法記念日 on Sunday
        (D(2026, 9, 21), "敬老の日", "Respect for the Aged Day"),
        (D(2026, 9, 22), "国民の休日", "National Holiday"),  # between 敬老の日 and 秋分の日
        (D(2026, 9, 23), "秋分の日", "Autumnal Equinox Day"),
        (D(2019, 4, 30), "国民の休日", "National Holiday"),
        (D(2019, 5, 1), "天皇の即位の日", "Emperor's Enthronement Day"),
        (D(2019, 10, 22), "即位礼正殿の儀が行われる日", "Emperor's Enthronement Day"),
        (D(2020, 7, 24), "スポーツの日", "Sports Day"),  # moved for the Tokyo Olympics
        (D(2020, 2, 24), "振替休日", "Substitute Holiday"),
        (D(1989, 2, 24), "大喪の礼", None),
    ],
)
def test_holiday_names_in_both_languages(day: dt.date, ja: str, en: str | None) -> None:
    assert holidays.is_holiday(day)
    assert holidays.holiday_name(day, "ja") == ja
    if en is not None:
        assert holidays.holiday_name(day, "en") == en


def test_name_follows_the_active_language() -> None:
    with translation.override("ja"):
        assert holidays.holiday_name(D(2026, 5, 3)) == "憲法記念日"
    with translation.override("en"):
        assert holidays.holiday_name(D(2026, 5, 3)) == "Constitution Day"


@pytest.mark.parametrize(
    "day", [D(2026, 5, 7), D(2026, 9, 24), D(2020, 10, 12), D(2019, 10, 14) + dt.timedelta(days=1)]
)
def test_ordinary_days_are_not_holidays(day: dt.date) -> None:
    assert not holidays.is_holiday(day)
    assert holidays.holiday_name(day) is None


def test_the_2020_olympic_moves() -> None:
    # 体育の日/スポーツの日 was moved from October to 24 July in 2020.
    assert holidays.holiday_name(D(2020, 10, 12), "ja") is None
    assert holidays.holiday_name(D(2020, 7, 23), "ja") == "海の日"


@pytest.mark.parametrize("year", [1949, 1989, 2019, 2026, 2099])
def test_holidays_of_a_year_are_the_packages(year: int) -> None:
    expected = sorted(holidays_package.Japan(years=year, language="ja").items())
    assert holidays.holidays_in(year, "ja") == expected
    assert [d for d, _name in holidays.holidays_in(year, "en")] == [d for d, _name in expected]


def test_no_data_outside_the_holiday_law() -> None:
    assert holidays.holidays_in(1948) == []
    assert not holidays.is_holiday(D(1948, 1, 1))


@pytest.mark.parametrize(
    ("day", "open_"),
    [
        (D(2026, 4, 1), True),  # Wednesday
        (D(2026, 4, 4), False),  # Saturday
        (D(2026, 4, 5), False),  # Sunday
        (D(2026, 4, 29), False),  # 昭和の日
        (D(2026, 5, 6), False),  # 振替休日
        (D(2026, 9, 22), False),  # 国民の休日
        (D(2026, 12, 28), True),  # last working day of the year
        (D(2026, 12, 29), False),
        (D(2026, 12, 31), False),
        (D(2027, 1, 1), False),
        (D(2027, 1, 2), False),  # Saturday, and 年末年始 anyway
        (D(2028, 1, 3), False),  # Monday, 年末年始
        (D(2028, 1, 4), True),  # first working day of 2028
    ],
)
def test_business_days(day: dt.date, open_: bool) -> None:
    assert holidays.is_business_day(day) is open_


@pytest.mark.parametrize(
    ("day", "closure"),
    [(D(2026, 12, 28), False), (D(2026, 12, 29), True), (D(2027, 1, 3), True), (D(2027, 1, 4), False)],
)
def test_year_end_closure(day: dt.date, closure: bool) -> None:
    assert holidays.is_year_end_closure(day) is closure


def test_extra_closed_days() -> None:
    closed = {D(2026, 4, 1)}
    assert not holidays.is_business_day(D(2026, 4, 1), extra_closed=closed)
    assert holidays.next_business_day(D(2026, 3, 31), extra_closed=closed) == D(2026, 4, 2)
    assert holidays.add_business_days(D(2026, 3, 31), 1, extra_closed=closed) == D(2026, 4, 2)


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        (D(2026, 5, 1), 1, D(2026, 5, 7)),  # Friday before Golden Week
        (D(2026, 5, 1), 3, D(2026, 5, 11)),
        (D(2026, 5, 2), 1, D(2026, 5, 7)),  # from a Saturday
        (D(2026, 5, 7), -1, D(2026, 5, 1)),
        (D(2026, 5, 11), -3, D(2026, 5, 1)),
        (D(2026, 12, 25), 1, D(2026, 12, 28)),
        (D(2026, 12, 28), 1, D(2027, 1, 4)),  # across 年末年始
        (D(2027, 1, 4), -1, D(2026, 12, 28)),
        (D(2026, 9, 18), 1, D(2026, 9, 24)),  # Silver Week: 19–23 September
        (D(2026, 4, 1), 0, D(2026, 4, 1)),
        (D(2026, 4, 4), 0, D(2026, 4, 6)),
        (D(2026, 4, 1), 10, D(2026, 4, 15)),
    ],
)
def test_add_business_days(start: dt.date, count: int, expected: dt.date) -> None:
    assert holidays.add_business_days(start, count) == expected


def test_next_and_previous_business_day() -> None:
    assert holidays.next_business_day(D(2026, 4, 3)) == D(2026, 4, 6)
    assert holidays.next_business_day(D(2026, 4, 3), inclusive=True) == D(2026, 4, 3)
    assert holidays.next_business_day(D(2026, 4, 4), inclusive=True) == D(2026, 4, 6)
    assert holidays.previous_business_day(D(2026, 4, 6)) == D(2026, 4, 3)
    assert holidays.previous_business_day(D(2026, 4, 6), inclusive=True) == D(2026, 4, 6)
    assert holidays.previous_business_day(D(2027, 1, 3), inclusive=True) == D(2026, 12, 28)


def test_business_days_between() -> None:
    assert holidays.business_days_between(D(2026, 4, 30), D(2026, 5, 8)) == 3  # 5/1, 5/7, 5/8
    assert holidays.business_days_between(D(2026, 4, 1), D(2026, 4, 1)) == 0
    assert holidays.business_days_between(D(2026, 4, 10), D(2026, 4, 1)) == 0
