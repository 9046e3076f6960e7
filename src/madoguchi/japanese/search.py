"""Folding text for Japanese search: one form for what residents type and what pages say.

A resident types a word in whatever script their keyboard gives: 「住民票」,
「じゅうみんひょう」, 「ジュウミンヒョウ」, half-width 「ｼﾞｭｳﾐﾝﾋｮｳ」, full-width letters
「ＡＥＤ」, or a name in its everyday form where the page has the 異体字 (髙 for 高, 﨑 for
崎). `fold` turns all of these into one form — NFKC (width), katakana to hiragana, 異体字
to the common character, lower case, no spaces or punctuation — so that a plain substring
test finds them. Used by the procedures catalog and the website's search.
"""

from __future__ import annotations

import re
import unicodedata

from .kana import to_hiragana
from .normalize import remove_invisible

_SPACES_RE = re.compile(r"\s+")
#: Characters that do not change what a word means in a search (中黒, long dashes).
_IGNORED = str.maketrans("", "", "・･、。,.「」『』()（）")

#: 異体字 seen in place and family names → the character people type. NFKC already
#: unifies the compatibility ideographs that have a decomposition (神 → 神); these have
#: none, or are separate characters in Unicode.
VARIANTS: dict[str, str] = {
    "髙": "高",
    "﨑": "崎",
    "嵜": "崎",
    "碕": "崎",
    "齋": "斎",
    "齊": "斎",
    "斉": "斎",
    "邊": "辺",
    "邉": "辺",
    "濵": "浜",
    "濱": "浜",
    "澤": "沢",
    "櫻": "桜",
    "國": "国",
    "廣": "広",
    "德": "徳",
    "瀨": "瀬",
    "槇": "槙",
    "冨": "富",
    "舘": "館",
    "嶋": "島",
    "嶌": "島",
    "眞": "真",
    "藪": "薮",
    "籠": "篭",
    "龍": "竜",
    "壽": "寿",
    "實": "実",
    "縣": "県",
    "驛": "駅",
    "檜": "桧",
    "﨔": "欅",
    "增": "増",
    "惠": "恵",
    "與": "与",
    "萬": "万",
    "靜": "静",
    "巖": "巌",
}
_VARIANTS = str.maketrans({k: v for k, v in VARIANTS.items() if len(k) == 1})

MAX_QUERY_LENGTH = 100


def fold_variants(value: str) -> str:
    """異体字 → the common character: 「髙﨑」 → 「高崎」, 「渡邉」 → 「渡辺」."""
    return value.translate(_VARIANTS)


def fold(value: str) -> str:
    """The searchable form of a text: width folded (NFKC), katakana as hiragana, 異体字
    as the common character, lower case, without spaces and punctuation. 「ｼﾞｭｳﾐﾝﾋｮｳ」,
    「ジュウミンヒョウ」 and 「じゅうみんひょう」 all fold to 「じゅうみんひょう」."""
    value = unicodedata.normalize("NFKC", remove_invisible(value or ""))
    value = fold_variants(to_hiragana(value)).lower().translate(_IGNORED)
    return _SPACES_RE.sub("", value)


def query_terms(query: str) -> list[str]:
    """The words of a query (split at spaces of any width), each folded; empty ones out."""
    query = unicodedata.normalize("NFKC", (query or "")[:MAX_QUERY_LENGTH])
    return [t for t in (fold(word) for word in query.split()) if t]
