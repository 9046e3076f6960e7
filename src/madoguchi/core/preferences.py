"""Display options that persist: text size and contrast, kept in a cookie so that they
work for residents without an account and without JavaScript."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest

COOKIE_NAME = "madoguchi_display"
TEXT_SIZES = ("standard", "large", "x-large")
CONTRASTS = ("standard", "high")


@dataclass(frozen=True)
class DisplayPreferences:
    text_size: str = "standard"
    contrast: str = "standard"

    @property
    def css_classes(self) -> str:
        return f"text-{self.text_size} contrast-{self.contrast}"

    def to_cookie(self) -> str:
        return f"{self.text_size}.{self.contrast}"


def parse(value: str | None) -> DisplayPreferences:
    text_size, _sep, contrast = (value or "").partition(".")
    return DisplayPreferences(
        text_size=text_size if text_size in TEXT_SIZES else "standard",
        contrast=contrast if contrast in CONTRASTS else "standard",
    )


def display_preferences(request: HttpRequest) -> DisplayPreferences:
    return parse(request.COOKIES.get(COOKIE_NAME))
