"""Banks and branches (金融機関コード・支店コード) from the `zengin-code` package, and the
parts of a bank account that Zengin files carry.

zengin-code ships the 全銀協 code table (every bank, 信用金庫, 信用組合, 労働金庫, 農協,
漁協 and ゆうちょ銀行, with each branch) as JSON inside the package; `data_version()`
says which monthly update is installed. Names are the short Zengin names (みずほ,
水戸信金, かとり農協); kana are full-width katakana with small kana written large, as
Zengin has them (ジヨウヨウ for 常陽).

Loading the table takes a few tenths of a second, so it happens on first use.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .kana import to_hiragana
from .normalize import normalize_digits, normalize_width


@dataclass(frozen=True)
class Bank:
    code: str  # 4 digits
    name: str  # みずほ
    kana: str  # ミズホ
    hiragana: str
    romaji: str

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


@dataclass(frozen=True)
class Branch:
    bank_code: str
    code: str  # 3 digits
    name: str  # 東京営業部
    kana: str
    hiragana: str
    romaji: str

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class AccountType(models.TextChoices):
    """預金種目, with the codes of the Zengin formats."""

    ORDINARY = "1", pgettext_lazy("預金種目", "普通")
    CURRENT = "2", pgettext_lazy("預金種目", "当座")
    SAVINGS = "4", pgettext_lazy("預金種目", "貯蓄")


YUCHO_BANK_CODE = "9900"
_BANK_CODE_RE = re.compile(r"^\d{4}$")
_BRANCH_CODE_RE = re.compile(r"^\d{3}$")
_ACCOUNT_NUMBER_RE = re.compile(r"^\d{1,7}$")


@functools.cache
def _table() -> dict[str, tuple[Bank, dict[str, Branch]]]:
    import zengin_code

    table: dict[str, tuple[Bank, dict[str, Branch]]] = {}
    for code, raw in zengin_code.Bank.all.items():
        bank = Bank(code=code, name=raw.name, kana=raw.kana, hiragana=raw.hira, romaji=raw.roma)
        branches = {
            b.code: Branch(bank_code=code, code=b.code, name=b.name, kana=b.kana, hiragana=b.hira, romaji=b.roma)
            for b in raw.branches.values()
        }
        table[code] = (bank, branches)
    return table


def data_version() -> str:
    """The installed zengin-code data, e.g. '1.1.0.20260824' (the last digits are the
    date of the 全銀協 table)."""
    import zengin_code

    return str(zengin_code.__version__)


def all_banks() -> list[Bank]:
    return [bank for bank, _branches in _table().values()]


def get_bank(code: str) -> Bank | None:
    entry = _table().get(normalize_digits(code or ""))
    return entry[0] if entry else None


def branches_of(bank_code: str) -> list[Branch]:
    entry = _table().get(normalize_digits(bank_code or ""))
    return list(entry[1].values()) if entry else []


def get_branch(bank_code: str, branch_code: str) -> Branch | None:
    entry = _table().get(normalize_digits(bank_code or ""))
    return entry[1].get(normalize_digits(branch_code or "")) if entry else None


# --- Search ---------------------------------------------------------------------------

# What residents add to a name that the short Zengin names leave out or abbreviate.
_NAME_REWRITES = (
    ("信用金庫", "信金"),
    ("信用組合", "信組"),
    ("労働金庫", "労金"),
    ("農業協同組合", "農協"),
    ("漁業協同組合", "漁協"),
    ("しんようきんこ", "しんきん"),
    ("しんようくみあい", "しんくみ"),
    ("ろうどうきんこ", "ろうきん"),
)
_NAME_SUFFIXES = ("銀行", "ぎんこう", "本店", "支店", "出張所", "してん")
_SMALL_TO_LARGE = str.maketrans("ぁぃぅぇぉっゃゅょゎゕゖ", "あいうえおつやゆよわかけ")


def _search_key(text: str) -> str:
    """One comparable form for names, kana and what residents type: width folded,
    lower case, hiragana with small kana large, long vowel marks as Zengin writes them,
    no spaces."""
    text = to_hiragana(normalize_width(text)).lower()
    text = re.sub(r"[\s\u3000]+", "", text)
    text = re.sub("[ー－‐-]", "－", text).translate(_SMALL_TO_LARGE)
    return text


def _query_key(query: str) -> str:
    key = _search_key(query)
    key = re.sub(r"^ja", "", key)
    for long, short in _NAME_REWRITES:
        key = key.replace(long, short)
    for suffix in _NAME_SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            key = key[: -len(suffix)]
    return key


@functools.cache
def _bank_index() -> list[tuple[Bank, tuple[str, ...]]]:
    return [(bank, (_search_key(bank.name), _search_key(bank.hiragana), bank.romaji.lower())) for bank in all_banks()]


@functools.lru_cache(maxsize=64)
def _branch_index(bank_code: str) -> list[tuple[Branch, tuple[str, ...]]]:
    return [(b, (_search_key(b.name), _search_key(b.hiragana), b.romaji.lower())) for b in branches_of(bank_code)]


def _rank(entries: list[tuple[Any, tuple[str, ...]]], query: str, limit: int) -> list[Any]:
    digits = normalize_digits(query or "")
    key = _query_key(query or "")
    if not key:
        return []
    ranked: list[tuple[int, str, Any]] = []
    for item, keys in entries:
        if digits.isdigit() and item.code.startswith(digits):
            rank = 0 if item.code == digits else 1
        elif any(k == key for k in keys):
            rank = 2
        elif any(k.startswith(key) for k in keys):
            rank = 3
        elif any(key in k for k in keys):
            rank = 4
        else:
            continue
        ranked.append((rank, item.code, item))
    ranked.sort(key=lambda entry: (entry[0], entry[1]))
    return [item for _rank_, _code, item in ranked[:limit]]


def search_banks(query: str, limit: int = 20) -> list[Bank]:
    """Banks whose code, name, kana or romaji match what was typed, best first.

    '常陽銀行', 'じょうよう', 'ｼﾞﾖｳﾖｳ', 'jiyouyou' (romaji as Zengin spells it) and
    '0130' all find 常陽; '水戸信用金庫' finds 水戸信金."""
    return _rank(_bank_index(), query, limit)


def search_branches(bank_code: str, query: str, limit: int = 50) -> list[Branch]:
    """Branches of one bank whose code, name or kana match, best first."""
    return _rank(_branch_index(normalize_digits(bank_code or "")), query, limit)


# --- Validation -----------------------------------------------------------------------


def validate_bank_code(value: str) -> Bank:
    """The bank of a 4-digit code; ValidationError when the format is wrong or no bank
    has the code."""
    code = normalize_digits(value or "")
    if not _BANK_CODE_RE.match(code):
        raise ValidationError(_("金融機関コードは4桁の数字で入力してください。"), code="format")
    bank = get_bank(code)
    if bank is None:
        raise ValidationError(
            _("金融機関コード%(code)sの金融機関は見つかりません。"), code="unknown_bank", params={"code": code}
        )
    return bank


def validate_branch_code_format(value: str) -> str:
    code = normalize_digits(value or "")
    if not _BRANCH_CODE_RE.match(code):
        raise ValidationError(_("支店コード（店番）は3桁の数字で入力してください。"), code="format")
    return code


def validate_branch(bank_code: str, branch_code: str) -> Branch:
    """The branch of a bank; ValidationError naming the bank when it has no such branch."""
    bank = validate_bank_code(bank_code)
    code = validate_branch_code_format(branch_code)
    branch = get_branch(bank.code, code)
    if branch is None:
        raise ValidationError(
            _("「%(bank)s」に支店コード%(code)sの支店はありません。"),
            code="unknown_branch",
            params={"bank": bank.name, "code": code},
        )
    return branch


def normalize_account_number(value: str) -> str:
    """An account number (口座番号) as Zengin carries it: 7 digits, zero-padded on the
    left ('１２３４５' → '0012345')."""
    digits = normalize_digits(value or "")
    if not _ACCOUNT_NUMBER_RE.match(digits):
        raise ValidationError(_("口座番号は7桁以内の数字で入力してください。"), code="format")
    return digits.zfill(7)


# --- ゆうちょ銀行 ------------------------------------------------------------------------


@dataclass(frozen=True)
class YuchoAccount:
    """A ゆうちょ銀行 account in the form other banks and Zengin files use."""

    branch_code: str
    account_type: AccountType
    account_number: str


def yucho_to_zengin(symbol: str, number: str) -> YuchoAccount:
    """記号・番号 of a ゆうちょ account → 店番, 預金種目 and 口座番号.

    通常貯金 (記号 1xxx0, 番号 of up to 8 digits ending in 1): 店番 = the 2nd and 3rd
    digits of the 記号 followed by 8; 普通; 口座番号 = the 番号 without its last digit.
    振替口座 (記号 0xxxx): 店番 = the 2nd and 3rd digits followed by 9; 当座; 口座番号 =
    the 番号. 記号 10150, 番号 12345671 → 018, 普通, 1234567."""
    symbol = normalize_digits(symbol or "")
    number = normalize_digits(number or "")
    if not re.fullmatch(r"\d{5}", symbol):
        raise ValidationError(_("記号は5桁の数字で入力してください。"), code="yucho_symbol")
    if symbol[0] == "1":
        if not re.fullmatch(r"\d{2,8}", number) or not number.endswith("1"):
            raise ValidationError(_("通常貯金の番号は末尾が1の8桁以内の数字で入力してください。"), code="yucho_number")
        return YuchoAccount(f"{symbol[1:3]}8", AccountType.ORDINARY, number[:-1].zfill(7))
    if symbol[0] == "0":
        if not re.fullmatch(r"\d{1,7}", number):
            raise ValidationError(_("振替口座の番号は7桁以内の数字で入力してください。"), code="yucho_number")
        return YuchoAccount(f"{symbol[1:3]}9", AccountType.CURRENT, number.zfill(7))
    raise ValidationError(_("記号は0または1で始まる5桁の数字です。"), code="yucho_symbol")
