"""Furigana (ふりがな・フリガナ): converting what residents type to katakana or hiragana,
and finding the characters that are not kana.

A resident may type ふりがな in hiragana where the form asks for katakana, with a
half-width keyboard (ﾔﾏﾀﾞ), with a full-width space between family and given name, or
with a dash instead of the long vowel mark (メ－ル). All of these are converted; what
is left that is not kana (kanji, letters, digits) is reported by name.
"""

from __future__ import annotations

import re
import unicodedata

import jaconv
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .normalize import HYPHEN_VARIANTS, collapse_spaces, remove_invisible, to_fullwidth_kana, to_halfwidth_ascii

# Spacing voiced marks typed after a kana (か゛) → the combining marks NFC understands.
_SPACING_MARKS = str.maketrans({"\u309b": "\u3099", "\u309c": "\u309a"})
# A dash after a kana is a long vowel mark typed with the wrong key (メ－ル, ｹｰｷ).
_DASH_AFTER_KANA_RE = re.compile(f"(?<=[\u3041-\u3096\u30a1-\u30fa\u30fc])[{re.escape(HYPHEN_VARIANTS)}]")
_LONG_VOWEL = "ー"
_SEPARATORS = {"\u3000", " ", "・", _LONG_VOWEL}


def is_katakana_char(char: str) -> bool:
    """ァ…ヺ, the iteration marks ヽヾ, ー, ・ and spaces."""
    return "\u30a1" <= char <= "\u30fa" or char in ("ヽ", "ヾ") or char in _SEPARATORS


def is_hiragana_char(char: str) -> bool:
    """ぁ…ゖ, the iteration marks ゝゞ, ー, ・ and spaces."""
    return "\u3041" <= char <= "\u3096" or char in ("ゝ", "ゞ") or char in _SEPARATORS


def normalize_kana_input(value: str) -> str:
    """The steps shared by both kana forms: invisible characters out, half-width kana
    and decomposed voiced marks combined, letters and digits half-width (so that they
    are reported plainly), dashes after kana made ー, spaces collapsed."""
    value = remove_invisible(value or "").translate(_SPACING_MARKS)
    value = unicodedata.normalize("NFC", value)
    value = to_fullwidth_kana(to_halfwidth_ascii(value))
    value = _DASH_AFTER_KANA_RE.sub(_LONG_VOWEL, value)
    return collapse_spaces(value)


def to_katakana(value: str) -> str:
    """'やまだ　ﾀﾛｳ' → 'ヤマダ　タロウ'; ゔ → ヴ. Other characters are left for
    `validate_katakana` to report."""
    return str(jaconv.hira2kata(normalize_kana_input(value)))


def to_hiragana(value: str) -> str:
    """'ヤマダ　ﾀﾛｳ' → 'やまだ　たろう'; ヴ → ゔ, ヵヶ → ゕゖ. ヷヸヹヺ have no hiragana
    and are reported by `validate_hiragana`."""
    return str(jaconv.kata2hira(normalize_kana_input(value)))


def _unique(chars: list[str]) -> list[str]:
    return list(dict.fromkeys(chars))


def non_katakana_characters(value: str) -> list[str]:
    """The characters of `value` that a katakana field does not allow, each once, in
    the order they appear."""
    return _unique([c for c in value if not is_katakana_char(c)])


def non_hiragana_characters(value: str) -> list[str]:
    return _unique([c for c in value if not is_hiragana_char(c)])


def describe_characters(chars: list[str], limit: int = 10) -> str:
    """「山」「A」… for an error message; a space is named, not shown blank."""
    shown = ["「{}」".format(_("スペース") if c.isspace() else c) for c in chars[:limit]]
    if len(chars) > limit:
        shown.append("…")
    return "".join(shown)


def validate_katakana(value: str) -> None:
    """Raise ValidationError naming the characters that are not katakana."""
    bad = non_katakana_characters(value)
    if bad:
        raise ValidationError(
            _("カタカナで入力してください。使えない文字：%(characters)s"),
            code="not_katakana",
            params={"characters": describe_characters(bad)},
        )
    _validate_has_kana(value)


def validate_hiragana(value: str) -> None:
    """Raise ValidationError naming the characters that are not hiragana."""
    bad = non_hiragana_characters(value)
    if bad:
        raise ValidationError(
            _("ひらがなで入力してください。使えない文字：%(characters)s"),
            code="not_hiragana",
            params={"characters": describe_characters(bad)},
        )
    _validate_has_kana(value)


def _validate_has_kana(value: str) -> None:
    # "ー" or "・" alone is not a reading.
    if value and all(c in _SEPARATORS for c in value):
        raise ValidationError(_("読みを入力してください。"), code="no_kana")
