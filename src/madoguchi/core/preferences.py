"""Display options that persist: text size and contrast.

They live in a cookie, not in an account, so that they work for residents who never sign
in, at kiosks, and without JavaScript (the server reads the cookie and puts the classes on
`<html>`). The page script writes the same cookie when an option changes, so that the
change shows at once and the next page load agrees with it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse

COOKIE_NAME = "madoguchi_display"
COOKIE_MAX_AGE = 365 * 24 * 3600
TEXT_SIZES = ("standard", "large", "x-large")
CONTRASTS = ("standard", "high")


@dataclass(frozen=True)
class DisplayPreferences:
    text_size: str = "standard"
    contrast: str = "standard"

    @property
    def css_classes(self) -> str:
        return f"text-{self.text_size} contrast-{self.contrast}"

    @property
    def is_default(self) -> bool:
        return self == DisplayPreferences()

    def to_cookie(self) -> str:
        return f"{self.text_size}.{self.contrast}"


def parse(value: str | None) -> DisplayPreferences:
    """Read the cookie's value; anything unknown falls back to the standard display."""
    text_size, _sep, contrast = (value or "").partition(".")
    return DisplayPreferences(
        text_size=text_size if text_size in TEXT_SIZES else "standard",
        contrast=contrast if contrast in CONTRASTS else "standard",
    )


def display_preferences(request: HttpRequest) -> DisplayPreferences:
    return parse(request.COOKIES.get(COOKIE_NAME))


def choose(current: DisplayPreferences, *, text_size: str | None, contrast: str | None) -> DisplayPreferences:
    """Apply the options a form sent; an option it did not send (or an unknown value) keeps
    its current setting."""
    return DisplayPreferences(
        text_size=text_size if text_size in TEXT_SIZES else current.text_size,
        contrast=contrast if contrast in CONTRASTS else current.contrast,
    )


def remember(response: HttpResponse, chosen: DisplayPreferences, *, secure: bool) -> None:
    """Keep the options for a year. The cookie is readable by the page script on purpose:
    it holds no secret, and the script switches the display without a reload."""
    response.set_cookie(
        COOKIE_NAME,
        chosen.to_cookie(),
        max_age=COOKIE_MAX_AGE,
        path="/",
        samesite="Lax",
        secure=secure,
        httponly=False,
    )
