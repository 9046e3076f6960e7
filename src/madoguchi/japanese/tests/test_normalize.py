"""Full-width/half-width normalisation of names, addresses, numbers and e-mail."""

from __future__ import annotations

from decimal import Decimal

import pytest

from madoguchi.japanese import normalize


@pytest.mark.parametrize(("value", "expected"), [("０９０", "090"), ("１２３ａ", "123ａ"), ("123", "123"), ("", "")])
def test_halfwidth_digits(value: str, expected: str) -> None:
    assert normalize.to_halfwidth_digits(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ＡＢＣ", "ABC"),
        ("ａｂｃ１２３", "abc123"),
        ("＠－（）．／", "@-()./"),
        ("￥", "¥"),
        ("山田　太郎", "山田　太郎"),  # the ideographic space is left to collapse_spaces
        ("カナ", "カナ"),
    ],
)
def test_halfwidth_ascii(value: str, expected: str) -> None:
    assert normalize.to_halfwidth_ascii(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ｶﾞｯｺｳ", "ガッコウ"),
        ("ﾊﾟﾋﾟﾌﾟ", "パピプ"),
        ("ｳﾞ", "ヴ"),
        ("ｰ", "ー"),
        ("か\u3099", "が"),  # decomposed, as macOS sends it
        ("ABC", "ABC"),
    ],
)
def test_fullwidth_kana(value: str, expected: str) -> None:
    assert normalize.to_fullwidth_kana(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("  山田   太郎  ", "山田\u3000太郎"),
        ("山田\u3000\u3000太郎", "山田\u3000太郎"),
        ("John  Smith", "John Smith"),
        ("John\u3000Smith", "John Smith"),
        ("笠間1234\u3000マドグチビル", "笠間1234 マドグチビル"),
        ("a\tb", "a b"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_collapse_spaces(value: str, expected: str) -> None:
    assert normalize.collapse_spaces(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("  ﾔﾏﾀﾞ　 太郎 ", "ヤマダ\u3000太郎"),
        ("Ｊｏｈｎ  Ｓｍｉｔｈ", "John Smith"),
        ("髙橋\u3000﨑子", "髙橋\u3000﨑子"),  # variant kanji are never replaced
        ("山\u200b田", "山田"),  # zero-width space pasted from elsewhere
        ("\ufeff山田", "山田"),
        ("（株）マドグチ", "(株)マドグチ"),
        ("㈱マドグチ", "㈱マドグチ"),  # not NFKC: the registered spelling stays
        ("隆", "隆"),
    ],
)
def test_normalize_name(value: str, expected: str) -> None:
    assert normalize.normalize_name(value) == expected


@pytest.mark.parametrize(
    "dash",
    [
        "-",
        "\u02d7",
        "\u2010",
        "\u2011",
        "\u2012",
        "\u2013",
        "\u2014",
        "\u2015",
        "\u2043",
        "\u2212",
        "\u23af",
        "\u2500",
        "\u2501",
        "\ufe58",
        "\ufe63",
        "\uff0d",
        "ー",
        "ｰ",
    ],
)
def test_every_dash_in_an_address_becomes_a_hyphen(dash: str) -> None:
    assert normalize.normalize_address(f"笠間1234{dash}5") == "笠間1234-5"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("茨城県笠間市中央三丁目２番１号", "茨城県笠間市中央三丁目2番1号"),
        ("笠間１２３４ー５　マドグチビル　１０１号", "笠間1234-5 マドグチビル 101号"),
        ("笠間1234 - 5", "笠間1234-5"),
        ("センター前１－２", "センター前1-2"),  # ー of センター is kana, not a hyphen
        ("ｶｻﾏ1-2-3", "カサマ1-2-3"),
        ("Ａ棟　２０１", "A棟 201"),
        ("  笠間 ", "笠間"),
    ],
)
def test_normalize_address(value: str, expected: str) -> None:
    assert normalize.normalize_address(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ＹＡＭＡＤＡ＠Ｅｘａｍｐｌｅ．ｊｐ", "YAMADA@example.jp"),
        (" taro@EXAMPLE.JP ", "taro@example.jp"),
        ("taro @ example.jp", "taro@example.jp"),
        ("Taro.Yamada@Mail.Example.JP", "Taro.Yamada@mail.example.jp"),
        ("no-at-sign", "no-at-sign"),
    ],
)
def test_normalize_email(value: str, expected: str) -> None:
    assert normalize.normalize_email(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("１，２３４円", "1234"),
        ("￥ 12,000", "12000"),
        ("¥1,200", "1200"),
        ("1、200円", "1200"),
        ("△500", "-500"),
        ("▲500", "-500"),
        ("－３００", "-300"),
        ("１２．５", "12.5"),
        ("abc", "abc"),
    ],
)
def test_normalize_number(value: str, expected: str) -> None:
    assert normalize.normalize_number(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("１，２３４円", 1234),
        ("1200", 1200),
        ("△500", -500),
        ("0", 0),
        ("12.0", 12),
        ("12.5", None),
        ("abc", None),
        ("", None),
    ],
)
def test_parse_amount(value: str, expected: int | None) -> None:
    assert normalize.parse_amount(value) == expected


def test_parse_number() -> None:
    assert normalize.parse_number("１２．５") == Decimal("12.5")
    assert normalize.parse_number(".5") == Decimal("0.5")
    assert normalize.parse_number("1.2.3") is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [("０９０－１２３４", "0901234"), ("1234 5678", "12345678"), ("1234\u30005678", "12345678"), ("12a4", "12a4")],
)
def test_normalize_digits(value: str, expected: str) -> None:
    assert normalize.normalize_digits(value) == expected


def test_control_characters_become_spaces() -> None:
    assert normalize.normalize_name("山田\n太郎") == "山田\u3000太郎"
    assert normalize.remove_invisible("a\u200db") == "ab"
