"""Full-width/half-width normalisation of what residents type (全角・半角の正規化).

Residents type the same thing in many ways: ``１２３`` or ``123``, ``ｶﾞ`` or ``ガ``, a
full-width space or two ASCII spaces, one of a dozen dashes between the numbers of an
address. These functions turn each kind of value into one stored form, so that values
compare, search and print the same way.

Why not plain NFKC: it also rewrites compatibility ideographs (e.g. U+F9DC 隆 → 隆) and
enclosed characters (㈱ → (株)), which would change how a person's registered name is
written. Names and addresses therefore get only the width folding below; dates and
numbers, where nothing of the kind matters, may use NFKC.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

import jaconv

_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
# U+FF01–U+FF5E are the full-width forms of ASCII 0x21–0x7E.
_FULLWIDTH_ASCII = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
# Full-width forms that are not in the U+FF01 block but mean the same ASCII character.
_FULLWIDTH_ASCII.update({ord("￥"): ord("¥"), ord("＂"): ord('"'), ord("’"): ord("'")})

# Characters that render as nothing: zero-width spaces and joiners, the byte order mark,
# soft hyphen. Residents paste them from other documents without seeing them.
_INVISIBLE_RE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f]")
_SPACE_RUN_RE = re.compile(r"\s+")

# Every dash, hyphen and minus that residents type between the numbers of an address
# (番地の区切り). The katakana long vowel mark counts only between digits, see below.
HYPHEN_VARIANTS = (
    "-"  # U+002D hyphen-minus
    "\u02d7"  # modifier letter minus
    "\u2010"  # hyphen
    "\u2011"  # non-breaking hyphen
    "\u2012"  # figure dash
    "\u2013"  # en dash
    "\u2014"  # em dash
    "\u2015"  # horizontal bar
    "\u2043"  # hyphen bullet
    "\u2212"  # minus sign
    "\u23af"  # horizontal line extension
    "\u2500"  # box drawings light horizontal
    "\u2501"  # box drawings heavy horizontal
    "\ufe58"  # small em dash
    "\ufe63"  # small hyphen-minus
    "\uff0d"  # full-width hyphen-minus
)
_HYPHEN_RE = re.compile(f"[{re.escape(HYPHEN_VARIANTS)}]")
# ー (U+30FC) and ｰ (U+FF70) are kana, but between digits they are a hyphen typed with
# the kana keyboard: 笠間１２３４ー５ → 笠間1234-5. センター stays センター.
_LONG_VOWEL_BETWEEN_DIGITS_RE = re.compile(r"(?<=[0-9０-９])[ー\uff70](?=[0-9０-９])")


def to_halfwidth_digits(value: str) -> str:
    """'０９０' → '090'; nothing else changes."""
    return value.translate(_FULLWIDTH_DIGITS)


def to_halfwidth_ascii(value: str) -> str:
    """Full-width letters, digits and symbols → ASCII ('ＡＢＣ１２３＠' → 'ABC123@').

    The ideographic space is left alone: `collapse_spaces` decides about spaces."""
    return value.translate(_FULLWIDTH_ASCII)


def to_fullwidth_kana(value: str) -> str:
    """Half-width katakana → full-width, with voiced marks combined ('ｶﾞｯｺｳ' → 'ガッコウ').

    Also composes decomposed kana (か + U+3099, as macOS sends file names) into one
    character."""
    value = unicodedata.normalize("NFC", value)
    return str(jaconv.h2z(value, kana=True, ascii=False, digit=False))


def remove_invisible(value: str) -> str:
    """Drop zero-width characters, direction marks and control characters."""
    return _CONTROL_RE.sub(" ", _INVISIBLE_RE.sub("", value))


def _is_wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def collapse_spaces(value: str) -> str:
    """Trim, and make every run of spaces (ASCII, ideographic, tabs) one space.

    The space kept is an ideographic space (U+3000) between two full-width characters,
    as in 山田　太郎 or ヤマダ　タロウ, and an ASCII space otherwise (John Smith,
    笠間1234 マドグチビル)."""
    value = value.strip()

    def one_space(match: re.Match[str]) -> str:
        before = value[match.start() - 1]
        after = value[match.end()]
        return "\u3000" if _is_wide(before) and _is_wide(after) else " "

    return _SPACE_RUN_RE.sub(one_space, value)


def normalize_width(value: str) -> str:
    """The width folding shared by names and addresses: ASCII half-width, kana
    full-width, invisible characters removed."""
    return to_fullwidth_kana(to_halfwidth_ascii(remove_invisible(value)))


def normalize_name(value: str) -> str:
    """A person's or an organisation's name.

    ``'  ﾔﾏﾀﾞ　 太郎 '`` → ``'ヤマダ　太郎'``; ``'Ｊｏｈｎ  Ｓｍｉｔｈ'`` → ``'John Smith'``.
    Kanji are never replaced by other kanji (髙 stays 髙)."""
    return collapse_spaces(normalize_width(value or ""))


def normalize_hyphens(value: str) -> str:
    """Every dash variant → '-' (and ー between digits)."""
    return _HYPHEN_RE.sub("-", _LONG_VOWEL_BETWEEN_DIGITS_RE.sub("-", value))


def normalize_address(value: str) -> str:
    """An address line: digits and letters half-width, dashes one '-', spaces collapsed.

    ``'笠間１２３４ー５　マドグチビル　１０１号'`` → ``'笠間1234-5 マドグチビル 101号'``.
    丁目・番地・号 and kanji numerals are kept as written: they are how the address is
    registered and converting them is not safe (三丁目 vs. 三番町)."""
    value = normalize_hyphens(normalize_width(value or ""))
    value = re.sub(r"\s*-\s*", "-", value)
    return collapse_spaces(value)


def normalize_email(value: str) -> str:
    """'ＹＡＭＡＤＡ＠Ｅｘａｍｐｌｅ．ｊｐ ' → 'YAMADA@example.jp'.

    Full-width characters half-width, spaces removed, the domain lower-cased (domains
    are case-insensitive; the local part may not be, so it is kept)."""
    value = _SPACE_RUN_RE.sub("", to_halfwidth_ascii(remove_invisible(value or "")))
    local, at, domain = value.rpartition("@")
    if not at:
        return value
    return f"{local}@{domain.lower()}"


_AMOUNT_NOISE_RE = re.compile(r"[\s,，、円¥￥\\]")
_NEGATIVE_SIGNS = ("-", "△", "▲")


def normalize_number(value: str) -> str:
    """A number as typed → ASCII digits with an optional '-' and '.'.

    ``'１，２３４円'`` → ``'1234'``, ``'￥ 12,000'`` → ``'12000'``, ``'△500'`` → ``'-500'``
    (△/▲ mark negative amounts in Japanese accounts). Returns the input unchanged
    (after width folding) when it is not a number, so that the caller can reject it."""
    value = normalize_hyphens(to_halfwidth_ascii(remove_invisible(value or ""))).strip()
    value = value.replace("．", ".")
    value = _AMOUNT_NOISE_RE.sub("", value)
    for sign in _NEGATIVE_SIGNS:
        if value.startswith(sign):
            value = "-" + value[len(sign) :]
            break
    return value


def parse_number(value: str) -> Decimal | None:
    """`normalize_number`, then a Decimal; None when it is not a number."""
    text = normalize_number(value)
    if not re.fullmatch(r"-?(\d+(\.\d*)?|\.\d+)", text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern above admits only numbers
        return None


def parse_amount(value: str) -> int | None:
    """A yen amount → int ('１，２３４円' → 1234); None when it is not a whole number."""
    number = parse_number(value)
    if number is None or number != number.to_integral_value():
        return None
    return int(number)


def normalize_digits(value: str, *, separators: str = " -") -> str:
    """A code typed with separators → its digits ('０９０－１２３４' → '0901234').

    Only the separators given are removed, so that a stray letter still fails the
    caller's validation instead of vanishing."""
    value = normalize_hyphens(to_halfwidth_ascii(remove_invisible(value or ""))).strip()
    value = value.replace("\u3000", " ")
    for separator in separators:
        value = value.replace(separator, "")
    return value
