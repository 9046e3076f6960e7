"""公共施設一覧 (open data): the standard's columns in order, one row per published facility,
UTF-8 with BOM, served publicly at /<municipality>/facilities/opendata/public-facilities.csv."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope
from madoguchi.facilities import opendata
from madoguchi.facilities.models import Facility

from .factories import make_gym

pytestmark = pytest.mark.django_db


def test_columns_are_the_standard_ones_in_order() -> None:
    assert len(opendata.COLUMNS) == 24
    assert opendata.COLUMNS[:5] == ("都道府県コード又は市区町村コード", "NO", "都道府県名", "市区町村名", "名称")
    assert opendata.COLUMNS[-3:] == ("バリアフリー情報", "URL", "備考")


def test_rows_of_published_facilities(kasama: Municipality) -> None:
    make_gym(
        kasama,
        slug="iwama",
        name_ja="岩間体育館",
        name_kana="イワマタイイクカン",
        address_ja="茨城県笠間市下郷4420",
        latitude="36.3",
        longitude="140.29",
        closed_weekdays="0",
        wheelchair_accessible=True,
        parking_spaces=50,
    )
    with municipality_scope(kasama):
        hidden = make_gym(kasama, slug="hidden").facility
        Facility.objects.filter(pk=hidden.pk).update(is_published=False)
    (row,) = opendata.public_facility_rows(kasama)
    assert list(row) == list(opendata.COLUMNS)
    assert row["都道府県コード又は市区町村コード"] == "082163"
    assert row["都道府県名"] == "茨城県"
    assert row["市区町村名"] == "笠間市"
    assert row["NO"] == "iwama"
    assert row["名称_カナ"] == "イワマタイイクカン"
    assert row["緯度"] == "36.3"
    assert row["経度"] == "140.29"
    assert row["利用可能曜日"] == "火水木金土日"
    assert (row["開始時間"], row["終了時間"]) == ("09:00", "21:30")
    assert "月曜日（祝日の場合は翌日）" in row["利用可能日時特記事項"]
    assert "車いす" in row["バリアフリー情報"]
    assert row["備考"] == "駐車場 50台"
    assert row["URL"].endswith("/kasama/facilities/iwama/")


def test_csv_download(client: Client, kasama: Municipality, mito: Municipality) -> None:
    make_gym(kasama, slug="iwama", name_ja="=岩間体育館")
    make_gym(mito, slug="mito-gym")
    response = client.get("/kasama/facilities/opendata/public-facilities.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "082163_public_facility.csv" in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in response.content
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert tuple(rows[0]) == opendata.COLUMNS
    assert len(rows) == 2  # Mito's gym is not Kasama's
    assert rows[1][4] == "'=岩間体育館"  # a spreadsheet never runs it as a formula
    assert client.post("/kasama/facilities/opendata/public-facilities.csv").status_code == 405
