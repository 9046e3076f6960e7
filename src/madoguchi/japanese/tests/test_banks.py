"""Banks and branches from the Zengin table (zengin-code), account numbers, ゆうちょ."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from madoguchi.japanese import banks
from madoguchi.japanese.banks import AccountType


def test_data_is_installed() -> None:
    assert len(banks.all_banks()) > 1000
    assert banks.data_version().startswith("1.")


@pytest.mark.parametrize(
    ("code", "name", "kana"),
    [
        ("0001", "みずほ", "ミズホ"),
        ("0005", "三菱ＵＦＪ", "ミツビシユ－エフジエイ"),
        ("0009", "三井住友", "ミツイスミトモ"),
        ("0130", "常陽", "ジヨウヨウ"),
        ("1240", "水戸信金", "ミトシンキン"),
        ("9900", "ゆうちょ", "ユウチヨ"),
    ],
)
def test_get_bank(code: str, name: str, kana: str) -> None:
    bank = banks.get_bank(code)
    assert bank is not None
    assert (bank.code, bank.name, bank.kana) == (code, name, kana)
    assert str(bank) == f"{name}（{code}）"
    assert banks.get_bank(code.translate(str.maketrans("0123456789", "０１２３４５６７８９"))) == bank


def test_unknown_bank() -> None:
    assert banks.get_bank("0002") is None
    assert banks.get_bank("") is None
    assert banks.branches_of("0002") == []
    assert banks.get_branch("0002", "001") is None


@pytest.mark.parametrize(
    ("bank_code", "branch_code", "name"),
    [("0001", "001", "東京営業部"), ("0130", "041", "笠間"), ("9900", "018", "〇一八"), ("9900", "019", "〇一九")],
)
def test_get_branch(bank_code: str, branch_code: str, name: str) -> None:
    branch = banks.get_branch(bank_code, branch_code)
    assert branch is not None
    assert (branch.bank_code, branch.code, branch.name) == (bank_code, branch_code, name)
    assert branch in banks.branches_of(bank_code)


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("常陽", "0130"),
        ("常陽銀行", "0130"),
        ("じょうよう", "0130"),
        ("ジヨウヨウ", "0130"),
        ("ｼﾞﾖｳﾖｳ", "0130"),
        ("jiyouyou", "0130"),
        ("0130", "0130"),
        ("０１３０", "0130"),
        ("水戸信用金庫", "1240"),
        ("みとしんようきんこ", "1240"),
        ("三菱UFJ銀行", "0005"),
        ("みつびしゆーえふじぇい", "0005"),
        ("ゆうちょ銀行", "9900"),
        ("みずほ", "0001"),
        ("JAかとり", "5000"),
        ("かとり農業協同組合", "5000"),
        ("ペイペイ", "0033"),
    ],
)
def test_search_banks(query: str, first: str) -> None:
    found = banks.search_banks(query)
    assert found, query
    assert found[0].code == first


def test_search_banks_ranks_exact_names_first_and_limits() -> None:
    found = banks.search_banks("みずほ", limit=3)
    assert [b.code for b in found][:2] == ["0001", "0289"]
    assert len(found) <= 3
    assert banks.search_banks("") == []
    assert banks.search_banks("存在しない銀行名") == []


def test_search_branches() -> None:
    found = banks.search_branches("0130", "かさま")
    assert [b.code for b in found] == ["041"]
    assert banks.search_branches("0001", "001")[0].name == "東京営業部"
    assert banks.search_branches("0001", "東京")[0].code == "001"
    assert banks.search_branches("0002", "東京") == []


def test_validate_bank_and_branch() -> None:
    assert banks.validate_bank_code("0130").name == "常陽"
    assert banks.validate_branch("0130", "041").name == "笠間"
    with pytest.raises(ValidationError) as caught:
        banks.validate_bank_code("130")
    assert caught.value.code == "format"
    with pytest.raises(ValidationError) as caught:
        banks.validate_bank_code("0002")
    assert caught.value.code == "unknown_bank"
    with translation.override("ja"), pytest.raises(ValidationError) as caught:
        banks.validate_branch("0130", "999")
    assert caught.value.code == "unknown_branch"
    assert caught.value.messages == ["「常陽」に支店コード999の支店はありません。"]
    with pytest.raises(ValidationError) as caught:
        banks.validate_branch("0130", "41")
    assert caught.value.code == "format"


@pytest.mark.parametrize(
    ("value", "expected"), [("1234567", "1234567"), ("12345", "0012345"), ("１２３４５", "0012345"), ("1", "0000001")]
)
def test_account_number(value: str, expected: str) -> None:
    assert banks.normalize_account_number(value) == expected


@pytest.mark.parametrize("value", ["12345678", "12a45", "", "12.34", "1234-5678"])
def test_bad_account_numbers(value: str) -> None:
    with pytest.raises(ValidationError) as caught:
        banks.normalize_account_number(value)
    assert caught.value.code == "format"


def test_account_types_use_zengin_codes() -> None:
    assert AccountType.ORDINARY == "1"
    assert AccountType.CURRENT == "2"
    assert AccountType.SAVINGS == "4"
    with translation.override("ja"):
        assert [str(label) for _value, label in AccountType.choices] == ["普通", "当座", "貯蓄"]
    with translation.override("en"):
        assert [str(label) for _value, label in AccountType.choices] == ["Ordinary", "Current", "Savings"]


@pytest.mark.parametrize(
    ("symbol", "number", "branch", "account_type", "account"),
    [
        ("10150", "12345671", "018", AccountType.ORDINARY, "1234567"),
        ("１２３４０", "１２３４５６７１", "238", AccountType.ORDINARY, "1234567"),
        ("10180", "123451", "018", AccountType.ORDINARY, "0012345"),
        ("00120", "123456", "019", AccountType.CURRENT, "0123456"),
        ("00100", "12345", "019", AccountType.CURRENT, "0012345"),
    ],
)
def test_yucho_to_zengin(symbol: str, number: str, branch: str, account_type: AccountType, account: str) -> None:
    converted = banks.yucho_to_zengin(symbol, number)
    assert (converted.branch_code, converted.account_type, converted.account_number) == (branch, account_type, account)
    assert banks.get_branch(banks.YUCHO_BANK_CODE, converted.branch_code) is not None


@pytest.mark.parametrize(
    ("symbol", "number"), [("1015", "12345671"), ("10150", "12345670"), ("20150", "1"), ("00120", "12345678")]
)
def test_yucho_errors(symbol: str, number: str) -> None:
    with pytest.raises(ValidationError):
        banks.yucho_to_zengin(symbol, number)
