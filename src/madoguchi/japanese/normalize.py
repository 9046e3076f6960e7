"""Full-width/half-width normalisation of what residents type (全角・半角の正規化)."""

from __future__ import annotations

_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def to_halfwidth_digits(value: str) -> str:
    return value.translate(_FULLWIDTH_DIGITS)
