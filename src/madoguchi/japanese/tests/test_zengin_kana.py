"""Account holder names in Zengin half-width kana."""

from __future__ import annotations

import pytest

from madoguchi.japanese.zengin_kana import (
    ZENGIN_ALLOWED,
    ZenginKanaError,
    is_zengin_kana,
    to_zengin_kana,
    zengin_kana_to_fullwidth,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("やまだ　たろう", "ﾔﾏﾀﾞ ﾀﾛｳ"),
        ("ヤマダ　タロウ", "ﾔﾏﾀﾞ ﾀﾛｳ"),
        ("ﾔﾏﾀﾞ ﾀﾛｳ", "ﾔﾏﾀﾞ ﾀﾛｳ"),
        ("  ヤマダ   タロウ  ", "ﾔﾏﾀﾞ ﾀﾛｳ"),
        ("キッド　ショウタ", "ｷﾂﾄﾞ ｼﾖｳﾀ"),  # small kana become large
        ("ｷｯﾄﾞ ｼｮｳﾀ", "ｷﾂﾄﾞ ｼﾖｳﾀ"),
        ("ァィゥェォヮヵヶ", "ｱｲｳｴｵﾜｶｹ"),
        ("パピプペポ", "ﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟ"),
        ("ヴァイオリン", "ｳﾞｱｲｵﾘﾝ"),
        ("ゔぁ", "ｳﾞｱ"),
        ("ヲノ　ヰヱ", "ｵﾉ ｲｴ"),
        ("ｦﾉ", "ｵﾉ"),
        ("ヷ", "ﾜﾞ"),
        ("メール", "ﾒ-ﾙ"),
        ("ﾃｽﾄｰ", "ﾃｽﾄ-"),
        ("ジョン・スミス", "ｼﾞﾖﾝ.ｽﾐｽ"),
        ("Smith John", "SMITH JOHN"),
        ("ＡＢＣ－１２３／．", "ABC-123/."),
        ("マドグチ（カ", "ﾏﾄﾞｸﾞﾁ(ｶ"),
        ("カ）マドグチ", "ｶ)ﾏﾄﾞｸﾞﾁ"),
        ("か゛", "ｶﾞ"),
        ("か\u3099", "ｶﾞ"),
        ("", ""),
    ],
)
def test_to_zengin_kana(value: str, expected: str) -> None:
    converted = to_zengin_kana(value)
    assert converted == expected
    assert is_zengin_kana(converted)


@pytest.mark.parametrize(
    ("value", "characters"),
    [
        ("山田 太郎", ["山", "田", "太", "郎"]),
        ("ヤマダ@タロウ@", ["@"]),
        ("ヤマダ、タロウ", ["、"]),
        ("ヤマダ_タロウ", ["_"]),
        ("ヺ", ["ヺ"]),
        ("ヤマダ\\", ["\\"]),
    ],
)
def test_characters_that_cannot_be_written(value: str, characters: list[str]) -> None:
    with pytest.raises(ZenginKanaError) as caught:
        to_zengin_kana(value)
    assert caught.value.characters == characters


def test_allowed_set() -> None:
    assert {"ｱ", "ﾝ", "ﾞ", "ﾟ", "A", "Z", "0", "9", "(", ")", ".", "-", "/", " "} <= ZENGIN_ALLOWED
    for excluded in ("ｦ", "ｧ", "ｯ", "ｰ", "a", "、", "ア", ","):
        assert excluded not in ZENGIN_ALLOWED
    assert len(ZENGIN_ALLOWED) == 36 + 45 + 2 + 6


def test_back_to_fullwidth_for_display() -> None:
    assert zengin_kana_to_fullwidth("ﾔﾏﾀﾞ ﾀﾛｳ") == "ヤマダ タロウ"
