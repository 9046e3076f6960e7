"""Furigana in katakana or hiragana."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from madoguchi.japanese import kana


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("やまだ　たろう", "ヤマダ\u3000タロウ"),
        ("ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダ\u3000タロウ"),
        ("ヤマダ  タロウ", "ヤマダ\u3000タロウ"),
        (" やまだ ", "ヤマダ"),
        ("ゔぃおら", "ヴィオラ"),
        ("めーる", "メール"),
        ("メ－ル", "メール"),  # full-width hyphen-minus typed for the long vowel
        ("メ-ル", "メール"),
        ("ｹｰｷ", "ケーキ"),
        ("ジョン・スミス", "ジョン・スミス"),
        ("か゛", "ガ"),  # spacing voiced mark
        ("か\u3099", "ガ"),
        ("ヽヾ", "ヽヾ"),
    ],
)
def test_to_katakana(value: str, expected: str) -> None:
    result = kana.to_katakana(value)
    assert result == expected
    kana.validate_katakana(result)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ヤマダ　タロウ", "やまだ\u3000たろう"),
        ("ﾔﾏﾀﾞ", "やまだ"),
        ("ヴィオラ", "ゔぃおら"),
        ("ヵヶ", "ゕゖ"),
        ("メール", "めーる"),
        ("ゝゞ", "ゝゞ"),
    ],
)
def test_to_hiragana(value: str, expected: str) -> None:
    result = kana.to_hiragana(value)
    assert result == expected
    kana.validate_hiragana(result)


@pytest.mark.parametrize(
    ("value", "characters"),
    [
        ("山田タロウ", "「山」「田」"),
        ("ヤマダA", "「A」"),
        ("ヤマダ1", "「1」"),
        ("ヤマダ@ヤマダ@", "「@」"),  # each character once
        ("ヤマダ、タロウ", "「、」"),
    ],
)
def test_katakana_errors_name_the_characters(value: str, characters: str) -> None:
    converted = kana.to_katakana(value)
    with translation.override("ja"), pytest.raises(ValidationError) as caught:
        kana.validate_katakana(converted)
    message = caught.value.messages[0]
    assert message == f"カタカナで入力してください。使えない文字：{characters}"


def test_hiragana_errors_name_the_characters() -> None:
    with translation.override("ja"), pytest.raises(ValidationError) as caught:
        kana.validate_hiragana(kana.to_hiragana("ヷたなべ"))
    assert caught.value.messages == ["ひらがなで入力してください。使えない文字：「ヷ」"]
    assert caught.value.code == "not_hiragana"


def test_errors_in_english() -> None:
    with translation.override("en"):
        with pytest.raises(ValidationError) as caught:
            kana.validate_katakana("山田")
        assert caught.value.messages == ["Please write this in katakana. Characters not allowed: 「山」「田」"]


def test_long_lists_are_cut_short() -> None:
    described = kana.describe_characters(list("abcdefghijkl"))
    assert described.endswith("…")
    assert described.count("「") == 10


def test_a_reading_needs_kana() -> None:
    with pytest.raises(ValidationError) as caught:
        kana.validate_katakana("ー")
    assert caught.value.code == "no_kana"
    with pytest.raises(ValidationError):
        kana.validate_hiragana("・")


@pytest.mark.parametrize("char", ["ア", "ヴ", "ヶ", "ヺ", "ー", "・", "\u3000", " "])
def test_katakana_characters(char: str) -> None:
    assert kana.is_katakana_char(char)


@pytest.mark.parametrize("char", ["あ", "A", "1", "山", "ｱ", "、", "゛"])
def test_not_katakana_characters(char: str) -> None:
    assert not kana.is_katakana_char(char)
