"""和暦 ⇄ 西暦, both ways, at every era boundary."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from madoguchi.japanese import wareki
from madoguchi.japanese.wareki import HEISEI, MEIJI, REIWA, SHOWA, TAISHO, WarekiError

D = dt.date

# (era, first day, last day, last era year) from the 改元 dates.
BOUNDARIES = [
    (MEIJI, D(1868, 10, 23), D(1912, 7, 29), 45),
    (TAISHO, D(1912, 7, 30), D(1926, 12, 24), 15),
    (SHOWA, D(1926, 12, 25), D(1989, 1, 7), 64),
    (HEISEI, D(1989, 1, 8), D(2019, 4, 30), 31),
]


@pytest.mark.parametrize(("era", "first", "last", "last_year"), BOUNDARIES)
def test_era_boundaries(era: wareki.Era, first: dt.date, last: dt.date, last_year: int) -> None:
    assert wareki.era_of(first) is era
    assert wareki.era_of(last) is era
    assert wareki.to_wareki(first) == wareki.WarekiDate(era, 1, first.month, first.day)
    assert wareki.to_wareki(last) == wareki.WarekiDate(era, last_year, last.month, last.day)
    assert era.last_year == last_year
    following = wareki.era_of(last + dt.timedelta(days=1))
    assert following is not era
    assert following is not None
    assert following.start == last + dt.timedelta(days=1)


def test_eras_follow_each_other_without_gap() -> None:
    for earlier, later in zip(wareki.ERAS, wareki.ERAS[1:], strict=False):
        assert earlier.end is not None
        assert earlier.end + dt.timedelta(days=1) == later.start
    assert REIWA.end is None
    assert REIWA.last_year is None


@pytest.mark.parametrize(
    ("day", "long", "short"),
    [
        (D(1868, 10, 23), "明治元年10月23日", "M1.10.23"),
        (D(1873, 1, 1), "明治6年1月1日", "M6.1.1"),
        (D(1912, 7, 29), "明治45年7月29日", "M45.7.29"),
        (D(1912, 7, 30), "大正元年7月30日", "T1.7.30"),
        (D(1926, 12, 24), "大正15年12月24日", "T15.12.24"),
        (D(1926, 12, 25), "昭和元年12月25日", "S1.12.25"),
        (D(1927, 1, 1), "昭和2年1月1日", "S2.1.1"),
        (D(1989, 1, 7), "昭和64年1月7日", "S64.1.7"),
        (D(1989, 1, 8), "平成元年1月8日", "H1.1.8"),
        (D(2019, 4, 30), "平成31年4月30日", "H31.4.30"),
        (D(2019, 5, 1), "令和元年5月1日", "R1.5.1"),
        (D(2020, 1, 1), "令和2年1月1日", "R2.1.1"),
        (D(2024, 4, 1), "令和6年4月1日", "R6.4.1"),
    ],
)
def test_date_to_wareki(day: dt.date, long: str, short: str) -> None:
    assert wareki.format_wareki(day) == long
    assert wareki.format_wareki(day, "short") == short
    assert wareki.parse_date(long) == day
    assert wareki.parse_date(short) == day


def test_format_styles() -> None:
    day = D(2019, 5, 1)
    assert wareki.format_wareki(day, gannen=False) == "令和1年5月1日"
    assert wareki.format_wareki(day, "kanji_short") == "令1.5.1"
    assert wareki.format_wareki(day, "year") == "令和元年"
    assert wareki.format_wareki(day, "year_month") == "令和元年5月"
    assert str(wareki.to_wareki(D(2024, 4, 1))) == "令和6年4月1日"
    assert wareki.to_wareki(dt.datetime(2024, 4, 1, 9, 30)).date == D(2024, 4, 1)
    assert wareki.format_gregorian(day) == "2019年5月1日"


def test_every_day_around_every_boundary_round_trips() -> None:
    for era in wareki.ERAS[1:]:
        for offset in range(-40, 41):
            day = era.start + dt.timedelta(days=offset)
            text = wareki.format_wareki(day)
            assert wareki.parse_date(text) == day, text
            assert wareki.parse_date(wareki.format_wareki(day, "short")) == day


@pytest.mark.parametrize(
    "text",
    [
        "令和6年4月1日",
        "令和６年４月１日",
        "令和 6 年 4 月 1 日",
        "R6.4.1",
        "r6.4.1",
        "Ｒ６．４．１",
        "R06.04.01",
        "R.6.4.1",
        "令6.4.1",
        "令和6/4/1",
        "令和6-4-1",
        "令和6－4－1",
        "令和六年四月一日",
        "Reiwa6.4.1",
        "2024-04-01",
        "2024/4/1",
        "2024.4.1",
        "2024年4月1日",
        "２０２４年４月１日",
        "二〇二四年四月一日",
        "西暦2024年4月1日",
        "20240401",
    ],
)
def test_parse_many_ways_of_writing_one_day(text: str) -> None:
    assert wareki.parse_date(text) == D(2024, 4, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("令和元年5月1日", D(2019, 5, 1)),
        ("令和元年５月１日", D(2019, 5, 1)),
        ("R元.5.1", D(2019, 5, 1)),
        ("平成三十一年四月三十日", D(2019, 4, 30)),
        ("㍻31.4.30", D(2019, 4, 30)),
        ("㋿1.5.1", D(2019, 5, 1)),
        ("S64.1.7", D(1989, 1, 7)),
        ("昭64.1.7", D(1989, 1, 7)),
        ("H1.1.8", D(1989, 1, 8)),
        ("平元.1.8", D(1989, 1, 8)),
        ("大正元年7月30日", D(1912, 7, 30)),
        ("T15.12.24", D(1926, 12, 24)),
        ("明治元年10月23日", D(1868, 10, 23)),
        ("M45.7.29", D(1912, 7, 29)),
        ("明45.7.29", D(1912, 7, 29)),
        ("昭和二十年八月十五日", D(1945, 8, 15)),
    ],
)
def test_parse_wareki(text: str, expected: dt.date) -> None:
    assert wareki.parse_wareki(text) == expected


@pytest.mark.parametrize(
    ("text", "code", "message"),
    [
        (
            "平成31年5月1日",
            "wrong_era",
            "平成31年5月1日という日付はありません。その日は令和元年5月1日（2019年5月1日）です。",
        ),
        ("令和元年4月30日", "wrong_era", "その日は平成31年4月30日（2019年4月30日）です。"),
        ("昭和64年1月8日", "wrong_era", "その日は平成元年1月8日（1989年1月8日）です。"),
        ("平成元年1月7日", "wrong_era", "その日は昭和64年1月7日（1989年1月7日）です。"),
        ("昭和65年1月1日", "wrong_era", "その日は平成2年1月1日（1990年1月1日）です。"),
        ("昭和元年12月24日", "wrong_era", "その日は大正15年12月24日"),
        ("大正元年7月29日", "wrong_era", "その日は明治45年7月29日"),
        ("明治45年7月30日", "wrong_era", "その日は大正元年7月30日"),
        ("大正16年1月1日", "wrong_era", "その日は昭和2年1月1日"),
        ("明治元年1月1日", "before_meiji", "1868年10月23日"),
        ("明治元年10月22日", "before_meiji", "より前の日付は和暦では扱えません"),
        ("令和6年2月30日", "no_such_day", "2月30日という日はありません。"),
        ("令和6年4月31日", "no_such_day", "4月31日という日はありません。"),
        ("令和5年2月29日", "not_leap_year", "2023年は閏年ではないため"),
        ("2023-02-29", "not_leap_year", "2023年は閏年ではないため"),
        ("令和6年13月1日", "month", "月は1から12まで"),
        ("令和6年0月1日", "month", "月は1から12まで"),
        ("令和6年4月32日", "day", "日は1から31まで"),
        ("令和6年4月0日", "day", "日は1から31まで"),
        ("令和0年4月1日", "year", "元年（1年）以上"),
        ("令和6年4月", "format", "例：令和6年4月1日"),
        ("きのう", "format", "日付の形式が正しくありません"),
        ("", "format", "日付の形式"),
        ("X6.4.1", "format", "日付の形式"),
    ],
)
def test_impossible_dates_say_why(text: str, code: str, message: str) -> None:
    with translation.override("ja"), pytest.raises(WarekiError) as caught:
        wareki.parse_date(text)
    assert caught.value.code == code
    assert message in caught.value.message


def test_errors_are_translated() -> None:
    with translation.override("en"):
        with pytest.raises(WarekiError) as caught:
            wareki.parse_date("平成31年5月1日")
        assert caught.value.message == (
            "There is no such date as 平成31年5月1日: that day is 令和元年5月1日 (2019-05-01)."
        )
        with pytest.raises(WarekiError) as caught:
            wareki.parse_date("令和6年2月30日")
        assert caught.value.message == "Month 2 has no day 30."


def test_gregorian_text_can_be_refused() -> None:
    with pytest.raises(WarekiError) as caught:
        wareki.parse_wareki("2024-04-01")
    assert caught.value.code == "format"


def test_from_wareki_accepts_every_way_to_name_an_era() -> None:
    for token in ("reiwa", "令和", "令", "R", "r", "Ｒ", REIWA):
        assert wareki.from_wareki(token, 1, 5, 1) == D(2019, 5, 1)
    with pytest.raises(WarekiError) as caught:
        wareki.from_wareki("慶応", 4, 1, 1)
    assert caught.value.code == "unknown_era"


def test_dates_before_meiji_have_no_wareki() -> None:
    with pytest.raises(WarekiError) as caught:
        wareki.to_wareki(D(1868, 10, 22))
    assert caught.value.code == "before_meiji"
    assert wareki.era_of(D(1868, 10, 22)) is None
    # As a Gregorian date it is still a date.
    assert wareki.parse_date("1868-10-22") == D(1868, 10, 22)


def test_far_future_reiwa_years() -> None:
    assert wareki.from_wareki(REIWA, 100, 1, 1) == D(2118, 1, 1)
    with pytest.raises(WarekiError) as caught:
        wareki.from_wareki(REIWA, 8000, 1, 1)
    assert caught.value.code == "out_of_range"


@pytest.mark.parametrize(
    ("text", "number"), [("一", 1), ("十", 10), ("十二", 12), ("二十", 20), ("三十一", 31), ("二〇二四", 2024)]
)
def test_kanji_numerals(text: str, number: int) -> None:
    assert wareki.kanji_to_int(text) == number
