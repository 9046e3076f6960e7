"""Colour checks for a municipality's theme (WCAG 2.x contrast).

The header's navigation bar and the solid buttons put white text on the municipality's
primary colour (and on its accent colour when hovered), so both must reach the 4.5:1
contrast ratio that WCAG 2.1 success criterion 1.4.3 asks of normal-sized text.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
WHITE = "#ffffff"
MINIMUM_TEXT_CONTRAST = 4.5


def _channel(value: int) -> float:
    """sRGB channel (0–255) to linear light, as WCAG defines relative luminance."""
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    """Relative luminance of a #RRGGBB colour (0 for black, 1 for white)."""
    if not HEX_COLOUR.match(colour):
        raise ValueError(f"not a #RRGGBB colour: {colour!r}")
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(first: str, second: str) -> float:
    """WCAG contrast ratio of two colours, from 1 (same) to 21 (black on white)."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def validate_hex_colour(value: str) -> None:
    if not HEX_COLOUR.match(value or ""):
        raise ValidationError(_("色は #RRGGBB の形式で入力してください（例：#0031d8）。"), code="invalid_colour")


def validate_white_text_contrast(value: str) -> None:
    """The colour carries white text: refuse it below 4.5:1, and say by how much."""
    if not HEX_COLOUR.match(value or ""):
        return  # validate_hex_colour reports the format
    ratio = contrast_ratio(value, WHITE)
    if ratio < MINIMUM_TEXT_CONTRAST:
        raise ValidationError(
            _(
                "%(colour)s の上の白い文字はコントラスト比が %(ratio)s:1 しかなく、読みにくくなります。"
                "4.5:1 以上になる、より濃い色を選んでください（WCAG 2.1 達成基準 1.4.3）。"
            ),
            code="low_contrast",
            params={"colour": value, "ratio": f"{int(ratio * 100) / 100:.2f}"},
        )
