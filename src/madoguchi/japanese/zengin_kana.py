"""Account holder names (口座名義) in the half-width kana that Zengin files carry.

Zengin transfer and 口座振替 files (全銀協規定フォーマット) write names in JIS X 0201:
half-width katakana ｱ–ﾝ with ﾞ and ﾟ as separate characters, upper-case letters,
digits, space and ( ) . - /. What residents type is converted:

- hiragana and full-width katakana → half-width katakana (やまだ → ﾔﾏﾀﾞ, ガ → ｶﾞ);
- small kana → large (ッ → ﾂ, ョ → ﾖ; Zengin has no small kana);
- ヲ ヰ ヱ → ｵ ｲ ｴ (JIS X 0201 ｦ is not in the Zengin set); ヴ → ｳﾞ, ヷ → ﾜﾞ;
- ー and every dash → -, ・ → . (as banks print 中黒), full-width letters, digits and
  （）．／ → half-width, lower case → upper case;
- spaces (full-width too) → one half-width space, trimmed.

Anything else (kanji, 、, @ …) cannot be represented: `to_zengin_kana` raises
`ZenginKanaError` listing those characters as the resident typed them.
"""

from __future__ import annotations

import re
import unicodedata

import jaconv

from .normalize import HYPHEN_VARIANTS, remove_invisible

ZENGIN_ALLOWED = frozenset(
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    + "".join(chr(c) for c in range(0xFF71, 0xFF9E))  # ｱ … ﾝ
    + "\uff9e\uff9f"  # ﾞ ﾟ
    + "()./- "
)
# Zengin names are at most 30 characters (受取人名・預金者名); ﾞ and ﾟ count as one each.
ZENGIN_NAME_LENGTH = 30

_FULLWIDTH_REPLACEMENTS = str.maketrans(
    {
        "ァ": "ア",
        "ィ": "イ",
        "ゥ": "ウ",
        "ェ": "エ",
        "ォ": "オ",
        "ッ": "ツ",
        "ャ": "ヤ",
        "ュ": "ユ",
        "ョ": "ヨ",
        "ヮ": "ワ",
        "ヵ": "カ",
        "ヶ": "ケ",
        "ヲ": "オ",
        "ヰ": "イ",
        "ヱ": "エ",
        "ー": "-",
        "\uff70": "-",
        "・": ".",
        "\uff65": ".",
        "\u3000": " ",
        **dict.fromkeys(HYPHEN_VARIANTS, "-"),
    }
)
_SPACING_MARKS = str.maketrans({"\u309b": "\u3099", "\u309c": "\u309a"})


class ZenginKanaError(ValueError):
    """Characters that have no Zengin form, as typed, each once."""

    def __init__(self, characters: list[str]) -> None:
        self.characters = characters
        super().__init__("characters not representable in Zengin kana")


# Characters z2h leaves full-width but that have a Zengin spelling.
_DIRECT = {"ヷ": "ﾜﾞ", "ゔ": "ｳﾞ"}


def _convert_char(char: str) -> str:
    if char in _DIRECT:
        return _DIRECT[char]
    char = jaconv.hira2kata(char).translate(_FULLWIDTH_REPLACEMENTS)
    return str(jaconv.z2h(char, kana=True, ascii=True, digit=True)).upper()


def to_zengin_kana(value: str) -> str:
    """'やまだ　たろう' → 'ﾔﾏﾀﾞ ﾀﾛｳ'; raises ZenginKanaError for what cannot be
    written (kanji: '山田' → ['山', '田'])."""
    text = unicodedata.normalize("NFC", remove_invisible(value or "").translate(_SPACING_MARKS))
    # Half-width input first becomes full-width, so that ｯ and ｦ meet the same rules.
    text = str(jaconv.h2z(text, kana=True, ascii=False, digit=False))
    converted: list[str] = []
    bad: list[str] = []
    for char in text:
        result = " " if char.isspace() else _convert_char(char)
        if all(c in ZENGIN_ALLOWED for c in result):
            converted.append(result)
        else:
            bad.append(char)
    if bad:
        raise ZenginKanaError(list(dict.fromkeys(bad)))
    return re.sub(" +", " ", "".join(converted)).strip()


def is_zengin_kana(value: str) -> bool:
    """Whether the value is already in the Zengin character set."""
    return all(c in ZENGIN_ALLOWED for c in value)


def zengin_kana_to_fullwidth(value: str) -> str:
    """For display: 'ﾔﾏﾀﾞ ﾀﾛｳ' → 'ヤマダ タロウ'."""
    return str(jaconv.h2z(value or "", kana=True, ascii=False, digit=False))
