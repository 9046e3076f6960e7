"""The municipality's colours carry white text: WCAG contrast, checked on the model."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from madoguchi.core import services
from madoguchi.core.colours import contrast_ratio, relative_luminance, validate_white_text_contrast
from madoguchi.core.models import Municipality


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ("#000000", "#ffffff", 21.0),
        ("#ffffff", "#ffffff", 1.0),
        ("#767676", "#ffffff", 4.54),  # the lightest grey that passes on white
        ("#777777", "#ffffff", 4.48),
        ("#0017c1", "#ffffff", 11.10),  # DADS blue-900, the design system's button colour
    ],
)
def test_contrast_ratio_follows_wcag(first: str, second: str, expected: float) -> None:
    assert contrast_ratio(first, second) == pytest.approx(expected, abs=0.01)
    assert contrast_ratio(second, first) == pytest.approx(expected, abs=0.01)


def test_luminance_rejects_what_is_not_a_colour() -> None:
    with pytest.raises(ValueError, match="RRGGBB"):
        relative_luminance("blue")


@pytest.mark.parametrize("colour", ["#0031d8", "#00118f", "#197a4b", "#767676", "#000000"])
def test_dark_colours_pass(colour: str) -> None:
    validate_white_text_contrast(colour)


@pytest.mark.parametrize("colour", ["#777777", "#ffd43d", "#1d8b56", "#ffffff", "#4979f5"])
def test_light_colours_are_refused_with_the_ratio(colour: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        validate_white_text_contrast(colour)
    assert excinfo.value.code == "low_contrast"
    message = excinfo.value.messages[0]
    assert colour in message
    assert "4.5:1" in message


def test_ratio_in_the_message_never_rounds_up_to_a_pass() -> None:
    with pytest.raises(ValidationError) as excinfo:
        validate_white_text_contrast("#777777")  # 4.478:1
    assert "4.47:1" in excinfo.value.messages[0]


@pytest.mark.django_db
def test_model_refuses_a_light_primary_colour_and_says_why(kasama: Municipality) -> None:
    with pytest.raises(ValidationError) as excinfo:
        services.update_municipality(kasama, primary_colour="#ffd43d")
    errors = excinfo.value.message_dict
    assert list(errors) == ["primary_colour"]
    assert "#ffd43d" in errors["primary_colour"][0]
    assert "1.4.3" in errors["primary_colour"][0]
    kasama.refresh_from_db()
    assert kasama.primary_colour == "#0031d8"


@pytest.mark.django_db
def test_model_explains_in_english_too(kasama: Municipality) -> None:
    with translation.override("en"):
        with pytest.raises(ValidationError) as excinfo:
            services.update_municipality(kasama, accent_colour="#7096f8")
        message = excinfo.value.message_dict["accent_colour"][0]
    assert message.startswith("White text on #7096f8 has a contrast ratio of only 2.83:1")


@pytest.mark.django_db
def test_model_refuses_a_malformed_colour(kasama: Municipality) -> None:
    with pytest.raises(ValidationError) as excinfo:
        services.update_municipality(kasama, primary_colour="red")
    assert "#RRGGBB" in excinfo.value.message_dict["primary_colour"][0]
