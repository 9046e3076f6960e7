"""Display options: parsing the cookie, changing one option, remembering the choice."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from madoguchi.core import preferences
from madoguchi.core.preferences import DisplayPreferences


@pytest.mark.parametrize(
    ("cookie", "expected"),
    [
        (None, DisplayPreferences()),
        ("", DisplayPreferences()),
        ("large.high", DisplayPreferences("large", "high")),
        ("x-large.standard", DisplayPreferences("x-large", "standard")),
        ("huge.high", DisplayPreferences("standard", "high")),
        ("large", DisplayPreferences("large", "standard")),
        ("large.high.extra", DisplayPreferences("large", "standard")),
        ('"><script>', DisplayPreferences()),
    ],
)
def test_parse_keeps_only_known_values(cookie: str | None, expected: DisplayPreferences) -> None:
    assert preferences.parse(cookie) == expected


def test_css_classes_and_cookie_value() -> None:
    chosen = DisplayPreferences("x-large", "high")
    assert chosen.css_classes == "text-x-large contrast-high"
    assert preferences.parse(chosen.to_cookie()) == chosen
    assert DisplayPreferences().is_default
    assert not chosen.is_default


def test_choose_changes_only_what_was_sent() -> None:
    current = DisplayPreferences("large", "high")
    assert preferences.choose(current, text_size="standard", contrast=None) == DisplayPreferences("standard", "high")
    assert preferences.choose(current, text_size=None, contrast="standard") == DisplayPreferences("large", "standard")
    assert preferences.choose(current, text_size="bogus", contrast="bogus") == current


def test_display_preferences_read_the_request_cookie(rf: RequestFactory) -> None:
    request = rf.get("/")
    request.COOKIES[preferences.COOKIE_NAME] = "large.high"
    assert preferences.display_preferences(request) == DisplayPreferences("large", "high")


@pytest.mark.parametrize("secure", [True, False])
def test_remember_sets_a_long_lived_site_wide_cookie(secure: bool) -> None:
    response = HttpResponse()
    preferences.remember(response, DisplayPreferences("large", "high"), secure=secure)
    cookie = response.cookies[preferences.COOKIE_NAME]
    assert cookie.value == "large.high"
    assert cookie["path"] == "/"
    assert cookie["max-age"] == preferences.COOKIE_MAX_AGE
    assert cookie["samesite"] == "Lax"
    assert bool(cookie["secure"]) is secure
    assert not cookie["httponly"]  # the page script switches the display without a reload
