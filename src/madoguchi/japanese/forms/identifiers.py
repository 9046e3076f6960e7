"""Fields for public identifiers with check digits: 個人番号, 法人番号, 地方公共団体コード."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from .. import checkdigits
from ..normalize import normalize_digits


def _digits_input(maxlength: int) -> forms.TextInput:
    return forms.TextInput(
        attrs={
            "class": "japanese-code",
            "inputmode": "numeric",
            "autocomplete": "off",
            "spellcheck": "false",
            "maxlength": str(maxlength),
            "size": str(maxlength),
        }
    )


class _CheckDigitField(forms.CharField):
    """Digits with separators allowed as typed (full-width, hyphens, spaces); the cleaned
    value is the bare digits. Length and check digit come from `check`, whose errors
    never carry the value."""

    check: Callable[[str], None]
    input_length = 20

    def __init__(self, **kwargs: Any) -> None:
        # No max_length: Django's length validator puts the value into its error params.
        kwargs.pop("max_length", None)
        kwargs.setdefault("widget", _digits_input(self.input_length))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        return normalize_digits(value) if value not in self.empty_values else value

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value not in self.empty_values:
            type(self).check(value)


class IndividualNumberField(_CheckDigitField):
    """個人番号 (マイナンバー), 12 digits with a check digit; cleaned to the bare digits.

    The number is special personal information (特定個人情報): no error message, error
    parameter or repr made by this field contains it, and the input asks browsers not to
    remember it. A view that receives it should also be wrapped in Django's
    ``@sensitive_post_parameters(...)`` so that error reports leave it out, and must not
    log the cleaned data."""

    check = staticmethod(checkdigits.validate_individual_number)
    input_length = 16
    sensitive = True

    def clean(self, value: Any) -> Any:
        try:
            return super().clean(value)
        except ValidationError as error:
            # Re-raise without a traceback chain that could hold the value in a frame.
            raise ValidationError(error.error_list) from None


class CorporateNumberField(_CheckDigitField):
    """法人番号, 13 digits with a leading check digit (国税庁: 7000012050002)."""

    check = staticmethod(checkdigits.validate_corporate_number)
    input_length = 17


class LocalGovernmentCodeField(_CheckDigitField):
    """地方公共団体コード, 6 digits with a check digit (笠間市: 082163). With
    `accept_five_digits` the 5-digit JIS X 0402 code is completed with its check digit."""

    check = staticmethod(checkdigits.validate_local_government_code)
    input_length = 8

    def __init__(self, *, accept_five_digits: bool = False, **kwargs: Any) -> None:
        self.accept_five_digits = accept_five_digits
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        return checkdigits.normalize_local_government_code(value, accept_five_digits=self.accept_five_digits)
