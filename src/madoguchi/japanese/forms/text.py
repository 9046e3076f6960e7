"""Text fields that normalise what residents type: names, addresses, amounts, e-mail
addresses, furigana and telephone numbers."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .. import kana, normalize, phone
from ..widgets import TelephoneInput


class NormalizedCharField(forms.CharField):
    """A CharField that passes the stripped value through a normalizer before it is
    validated, so that length limits and validators see the stored form. Subclasses set
    `normalizer`; ``NormalizedCharField(normalizer=normalize.normalize_digits)`` works too."""

    normalizer: Callable[[str], str] | None = None

    def __init__(self, *, normalizer: Callable[[str], str] | None = None, **kwargs: Any) -> None:
        self.normalize = normalizer or type(self).normalizer
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        if value in self.empty_values or self.normalize is None:
            return value
        normalized = self.normalize(value)
        return normalized if normalized != "" else self.empty_value


class NameField(NormalizedCharField):
    """A person's or an organisation's name: `normalize.normalize_name`
    ('ﾔﾏﾀﾞ　 太郎' → 'ヤマダ　太郎'). Kanji are kept exactly as typed."""

    normalizer = staticmethod(normalize.normalize_name)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {"autocomplete": "name", "spellcheck": "false", **super().widget_attrs(widget)}


class AddressField(NormalizedCharField):
    """An address line: `normalize.normalize_address` ('１２３４ー５' → '1234-5')."""

    normalizer = staticmethod(normalize.normalize_address)


class NormalizedEmailField(forms.EmailField):
    """An e-mail address typed with full-width characters or spaces is accepted:
    'ＹＡＭＡＤＡ＠example.jp' → 'YAMADA@example.jp'.

    The input is type=text with inputmode=email: a type=email input lets the browser
    refuse full-width characters before the form can normalise them."""

    widget = forms.TextInput(attrs={"inputmode": "email", "autocomplete": "email", "spellcheck": "false"})

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        return normalize.normalize_email(value) if value not in self.empty_values else value


class AmountField(forms.IntegerField):
    """A yen amount as typed: '１，２００円', '¥1,200', '1200' → 1200."""

    widget = forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})
    default_error_messages = {
        "invalid": _("金額は数字で入力してください（例：1,200）。"),
    }

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        if isinstance(value, int):
            return value
        amount = normalize.parse_amount(str(value))
        if amount is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return amount


class _KanaField(NormalizedCharField):
    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        # Screen readers read kana with a Japanese voice; no spell checking of readings.
        return {"lang": "ja", "spellcheck": "false", **super().widget_attrs(widget)}


class KatakanaField(_KanaField):
    """フリガナ in katakana. Hiragana and half-width kana are converted (やまだ → ヤマダ,
    ﾀﾛｳ → タロウ), dashes after kana become ー, spaces become one full-width space
    between words; anything else is refused with the characters named."""

    normalizer = staticmethod(kana.to_katakana)
    default_validators = [kana.validate_katakana]


class HiraganaField(_KanaField):
    """ふりがな in hiragana; katakana is converted (ヤマダ → やまだ)."""

    normalizer = staticmethod(kana.to_hiragana)
    default_validators = [kana.validate_hiragana]


class JapanesePhoneField(forms.CharField):
    """A telephone number, stored as `phone.normalize_phone_number` returns it: the
    national format for Japanese numbers ('029-224-1111'), E.164 for numbers from
    abroad (only with `allow_international`).

    `kinds` says which numbers are accepted (default: 固定電話, 携帯電話, IP電話,
    フリーダイヤル); ask for ``{PhoneKind.MOBILE}`` where a text message must reach it."""

    widget = TelephoneInput

    def __init__(
        self,
        *,
        kinds: Collection[phone.PhoneKind] = phone.DEFAULT_KINDS,
        allow_international: bool = False,
        **kwargs: Any,
    ) -> None:
        self.kinds = frozenset(kinds)
        self.allow_international = allow_international
        kwargs.setdefault("max_length", 30)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        return phone.normalize_phone_number(value, kinds=self.kinds, allow_international=self.allow_international)
