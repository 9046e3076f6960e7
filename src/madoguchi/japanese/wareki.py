"""和暦 (Japanese era dates) ⇄ 西暦 (Gregorian dates), both ways.

Eras, each starting on the day of its 改元 and ending the day before the next::

    明治 M  1868-10-23 – 1912-07-29
    大正 T  1912-07-30 – 1926-12-24
    昭和 S  1926-12-25 – 1989-01-07
    平成 H  1989-01-08 – 2019-04-30
    令和 R  2019-05-01 –

The first year of an era is 元年 (令和元年 = 2019). ``to_wareki`` / ``format_wareki`` go
from a date to the era; ``parse_date`` reads what residents type (令和6年4月1日, R6.4.1,
令6/4/1, 令和元年５月１日, 平成三十一年四月三十日, 2024-04-01, 2024年4月1日) and
``from_wareki`` builds a date from its parts; dates that do not exist (平成31年5月1日,
昭和65年, 2月30日) raise a `WarekiError` whose message tells the resident what to type.

The lunisolar caveat: Japan used the lunisolar calendar (天保暦) until 明治5年12月2日;
the next day was 明治6年1月1日 = 1873-01-01. Dates of 明治1–5年 written in documents of
the time are lunisolar and differ from the Gregorian date by about a month. This module
reads and writes every era date on the Gregorian calendar (明治N年 = 1867+N, same month
and day), which is right from 1873 on and what today's systems do for earlier dates;
converting a lunisolar document date needs a lunisolar table, which is out of scope.
明治元年 is counted from 1868-10-23 (the 改元 proclamation); the retroactive start on
慶応4年1月1日 is likewise lunisolar and not supported.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Literal

from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Era:
    """One 元号."""

    key: str  # stable identifier, used as form values: "reiwa"
    name: str  # 令和
    letter: str  # R
    kanji: str  # 令
    reading: str  # れいわ
    romaji: str  # Reiwa
    start: dt.date
    end: dt.date | None  # last day (inclusive); None for the current era
    label: str | Promise  # for choosers, translated

    def contains(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    def year_of(self, day: dt.date) -> int:
        """The era year of a date within the era (1 = 元年)."""
        return day.year - self.start.year + 1

    def gregorian_year(self, era_year: int) -> int:
        return self.start.year + era_year - 1

    @property
    def last_year(self) -> int | None:
        """The last era year (昭和64, 平成31), None for the current era."""
        return None if self.end is None else self.year_of(self.end)

    def __str__(self) -> str:
        return self.name


MEIJI = Era("meiji", "明治", "M", "明", "めいじ", "Meiji", dt.date(1868, 10, 23), dt.date(1912, 7, 29), _("明治"))
TAISHO = Era(
    "taisho", "大正", "T", "大", "たいしょう", "Taisho", dt.date(1912, 7, 30), dt.date(1926, 12, 24), _("大正")
)
SHOWA = Era("showa", "昭和", "S", "昭", "しょうわ", "Showa", dt.date(1926, 12, 25), dt.date(1989, 1, 7), _("昭和"))
HEISEI = Era("heisei", "平成", "H", "平", "へいせい", "Heisei", dt.date(1989, 1, 8), dt.date(2019, 4, 30), _("平成"))
REIWA = Era("reiwa", "令和", "R", "令", "れいわ", "Reiwa", dt.date(2019, 5, 1), None, _("令和"))

ERAS: tuple[Era, ...] = (MEIJI, TAISHO, SHOWA, HEISEI, REIWA)
EARLIEST = MEIJI.start

_BY_TOKEN: dict[str, Era] = {}
for _era in ERAS:
    for _token in (_era.key, _era.name, _era.kanji, _era.letter.lower(), _era.romaji.lower()):
        _BY_TOKEN[_token] = _era


def get_era(token: str | Era) -> Era:
    """An era by key, name, one-kanji or letter abbreviation ('reiwa', '令和', '令', 'R',
    'r'); KeyError when there is none."""
    if isinstance(token, Era):
        return token
    return _BY_TOKEN[unicodedata.normalize("NFKC", token).strip().lower()]


def era_of(day: dt.date) -> Era | None:
    """The era of a date; None before 明治 (1868-10-23)."""
    for era in reversed(ERAS):
        if era.contains(day):
            return era
    return None


# --- Errors ---------------------------------------------------------------------------

_MESSAGES: dict[str, str | Promise] = {
    "format": _("日付の形式が正しくありません。例：令和6年4月1日、R6.4.1、2024年4月1日"),
    "unknown_era": _("元号が正しくありません。明治・大正・昭和・平成・令和のいずれかを選んでください。"),
    "year": _("年は元年（1年）以上の数字で入力してください。"),
    "month": _("月は1から12までの数字で入力してください。"),
    "day": _("日は1から31までの数字で入力してください。"),
    "no_such_day": _("%(month)s月%(day)s日という日はありません。"),
    "not_leap_year": _("%(year)s年は閏年ではないため、2月29日はありません。"),
    "wrong_era": _("%(given)sという日付はありません。その日は%(correct)s（%(gregorian)s）です。"),
    "before_meiji": _("明治元年10月23日（1868年10月23日）より前の日付は和暦では扱えません。西暦で入力してください。"),
    "out_of_range": _("日付が扱える範囲を超えています。"),
}


class WarekiError(ValueError):
    """A date that cannot be read or does not exist. `code` says why; `message` is the
    translated text for the resident (in the language active when it is read)."""

    def __init__(self, code: str, **params: Any) -> None:
        self.code = code
        self.params = params
        super().__init__(code, params)

    @property
    def message(self) -> str:
        params = dict(self.params)
        if isinstance(params.get("gregorian"), dt.date):
            # 2019年5月1日 in Japanese, 2019-05-01 in other languages.
            day = params["gregorian"]
            params["gregorian"] = format_gregorian(day) if (get_language() or "ja")[:2] == "ja" else day.isoformat()
        return str(_MESSAGES[self.code]) % params


# --- Date → wareki --------------------------------------------------------------------

FormatStyle = Literal["long", "short", "kanji_short", "year", "year_month"]


@dataclass(frozen=True)
class WarekiDate:
    """A date in its era: 令和6年4月1日 is WarekiDate(REIWA, 6, 4, 1)."""

    era: Era
    year: int
    month: int
    day: int

    @property
    def date(self) -> dt.date:
        return dt.date(self.era.gregorian_year(self.year), self.month, self.day)

    def year_text(self, gannen: bool = True) -> str:
        return "元" if gannen and self.year == 1 else str(self.year)

    def format(self, style: FormatStyle = "long", *, gannen: bool = True) -> str:
        """long: 令和6年4月1日 (令和元年5月1日); short: R6.4.1; kanji_short: 令6.4.1;
        year: 令和6年; year_month: 令和6年4月. `gannen=False` writes 1年 for 元年."""
        if style == "short":
            return f"{self.era.letter}{self.year}.{self.month}.{self.day}"
        if style == "kanji_short":
            return f"{self.era.kanji}{self.year}.{self.month}.{self.day}"
        year = f"{self.era.name}{self.year_text(gannen)}年"
        if style == "year":
            return year
        if style == "year_month":
            return f"{year}{self.month}月"
        return f"{year}{self.month}月{self.day}日"

    def __str__(self) -> str:
        return self.format()


def to_wareki(day: dt.date) -> WarekiDate:
    """1989-01-08 → WarekiDate(平成, 1, 1, 8). WarekiError('before_meiji') before
    1868-10-23."""
    if isinstance(day, dt.datetime):
        day = day.date()
    era = era_of(day)
    if era is None:
        raise WarekiError("before_meiji")
    return WarekiDate(era, era.year_of(day), day.month, day.day)


def format_wareki(day: dt.date, style: FormatStyle = "long", *, gannen: bool = True) -> str:
    """2019-05-01 → '令和元年5月1日' (style 'short': 'R1.5.1')."""
    return to_wareki(day).format(style, gannen=gannen)


def format_gregorian(day: dt.date) -> str:
    """2019-05-01 → '2019年5月1日'."""
    return f"{day.year}年{day.month}月{day.day}日"


# --- Wareki → date --------------------------------------------------------------------


def gregorian_date(year: int, month: int, day: int) -> dt.date:
    """A Gregorian date from its parts; WarekiError saying which part is wrong."""
    if not 1 <= month <= 12:
        raise WarekiError("month")
    if not 1 <= day <= 31:
        raise WarekiError("day")
    if not 1 <= year <= 9999:
        raise WarekiError("out_of_range")
    try:
        return dt.date(year, month, day)
    except ValueError:
        if month == 2 and day == 29:
            raise WarekiError("not_leap_year", year=year) from None
        raise WarekiError("no_such_day", month=month, day=day) from None


def from_wareki(era: str | Era, year: int, month: int, day: int) -> dt.date:
    """令和, 1, 5, 1 → 2019-05-01.

    Raises WarekiError when the era is unknown, a part is out of range, the day does
    not exist in the calendar, or the date falls outside the era (平成31年5月1日 →
    'wrong_era', saying it is 令和元年5月1日)."""
    try:
        the_era = get_era(era)
    except KeyError:
        raise WarekiError("unknown_era") from None
    if year < 1:
        raise WarekiError("year")
    gregorian_year = the_era.gregorian_year(year)
    if gregorian_year > 9999:
        raise WarekiError("out_of_range")
    given = WarekiDate(the_era, year, month, day)
    date = gregorian_date(gregorian_year, month, day)
    if not the_era.contains(date):
        if date < EARLIEST:
            raise WarekiError("before_meiji")
        raise WarekiError(
            "wrong_era",
            given=given.format(),
            correct=format_wareki(date),
            gregorian=date,
        )
    return date


_KANJI_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_KANJI_NUMBER_RE = re.compile("[〇零一二三四五六七八九十]+")


def kanji_to_int(text: str) -> int:
    """'三十一' → 31, '十' → 10, '二〇二四' → 2024 (positional), '元' is not handled here."""
    if "十" not in text:
        return int("".join(str(_KANJI_DIGITS[c]) for c in text))
    tens, _sep, ones = text.partition("十")
    if "十" in ones or len(tens) > 1 or len(ones) > 1:
        raise ValueError(text)
    return (_KANJI_DIGITS[tens] if tens else 1) * 10 + (_KANJI_DIGITS[ones] if ones else 0)


def _replace_kanji_numbers(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        try:
            return str(kanji_to_int(match.group(0)))
        except (KeyError, ValueError):
            return match.group(0)

    return _KANJI_NUMBER_RE.sub(replace, text)


def _era_alternatives() -> str:
    tokens = sorted({t for e in ERAS for t in (e.name, e.kanji, e.letter, e.letter.lower(), e.romaji.lower())}, key=len)
    return "|".join(re.escape(t) for t in reversed(tokens))


_WAREKI_RE = re.compile(
    rf"^(?P<era>{_era_alternatives()})\.?(?P<year>\d{{1,3}}|元)(?:年|[./\-])"
    rf"(?P<month>\d{{1,2}})(?:月|[./\-])(?P<day>\d{{1,2}})日?$",
    re.IGNORECASE,
)
_GREGORIAN_RE = re.compile(r"^(?:西暦)?(?P<year>\d{4})(?:年|[./\-])(?P<month>\d{1,2})(?:月|[./\-])(?P<day>\d{1,2})日?$")
_COMPACT_RE = re.compile(r"^(?:西暦)?(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})$")


def normalize_date_text(text: str) -> str:
    """NFKC (full-width digits and ㍻/㋿ ligatures), dashes, kanji numerals → digits,
    spaces removed."""
    text = unicodedata.normalize("NFKC", text or "")
    text = re.sub(r"[\s\u3000]+", "", text)
    text = re.sub("[\u2010-\u2015\u2212\u30fc\uff70]", "-", text)
    return _replace_kanji_numbers(text)


def parse_date(text: str, *, allow_gregorian: bool = True) -> dt.date:
    """What a resident typed → a date. Wareki in any of the forms in the module
    docstring, and (unless `allow_gregorian` is False) Gregorian dates written
    2024-04-01, 2024/4/1, 2024年4月1日 or 20240401. Raises WarekiError."""
    normalized = normalize_date_text(text)
    if match := _WAREKI_RE.match(normalized):
        year_text = match.group("year")
        return from_wareki(
            get_era(match.group("era").lower()),
            1 if year_text == "元" else int(year_text),
            int(match.group("month")),
            int(match.group("day")),
        )
    if allow_gregorian and (match := _GREGORIAN_RE.match(normalized) or _COMPACT_RE.match(normalized)):
        return gregorian_date(int(match.group("year")), int(match.group("month")), int(match.group("day")))
    raise WarekiError("format")


def parse_wareki(text: str) -> dt.date:
    """Only wareki ('令和元年5月1日', 'R1.5.1'); Gregorian text raises WarekiError."""
    return parse_date(text, allow_gregorian=False)
