"""Open data downloads: every exported CSV has the standard's columns in order (the exact
strings of the 推奨データセット templates, written out here rather than read from the
registry, so a change there fails this test), UTF-8 with BOM, CRLF, named
`<code>_<file id>.csv`; JSON; download counts; one municipality's data only."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import translation

from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope
from madoguchi.portal.models import DatasetDownload, OpenDataRecord
from madoguchi.portal.tests.factories import (
    home_page,
    make_event,
    make_event_index,
    make_open_data_catalog,
    make_tourism_spot,
)

pytestmark = pytest.mark.django_db

#: The Gen-1 layouts (opendata_columns.md §1), exactly as the official templates write them.
STANDARD_HEADERS = {
    "public_facility": "都道府県コード又は市区町村コード,NO,都道府県名,市区町村名,名称,名称_カナ,名称_通称,POIコード,住所,方書,緯度,経度,電話番号,内線番号,法人番号,団体名,利用可能曜日,開始時間,終了時間,利用可能日時特記事項,説明,バリアフリー情報,URL,備考",  # noqa: E501 (the header exactly as published, one line)
    "aed": "都道府県コード又は市区町村コード,NO,都道府県名,市区町村名,名称,名称_カナ,住所,方書,緯度,経度,設置位置,電話番号,内線番号,法人番号,団体名,利用可能曜日,開始時間,終了時間,利用可能日時特記事項,小児対応設備の有無,URL,備考",  # noqa: E501 (the header exactly as published, one line)
    "event": "都道府県コード又は市区町村コード,NO,都道府県名,市区町村名,イベント名,イベント名_カナ,イベント名_英語,開始日,終了日,開始時間,終了時間,開始日時特記事項,説明,料金(基本),料金(詳細),連絡先名称,連絡先電話番号,連絡先内線番号,主催者,場所名称,住所,方書,緯度,経度,アクセス方法,駐車場情報,定員,参加申込終了日,参加申込終了時間,参加申込方法,URL,備考",  # noqa: E501 (the header exactly as published, one line)
    "tourism": "都道府県コード又は市区町村コード,NO,都道府県名,市区町村名,名称,名称_カナ,名称_英語,POIコード,住所,方書,緯度,経度,利用可能曜日,開始時間,終了時間,利用可能日時特記事項,料金（基本）,料金（詳細）,説明,説明_英語,アクセス方法,駐車場情報,バリアフリー情報,連絡先名称,連絡先電話番号,連絡先内線番号,画像,画像_ライセンス,URL,備考",  # noqa: E501 (the header exactly as published, one line)
    "hospital": "都道府県コード又は市区町村コード,NO,都道府県名,市区町村名,名称,名称_カナ,医療機関の種類,住所,方書,緯度,経度,電話番号,内線番号,FAX番号,法人番号,法人の名称,医療機関コード,診療曜日,診療開始時間,診療終了時間,診療日時特記事項,時間外における対応,診療科目,病床数,URL,備考",  # noqa: E501 (the header exactly as published, one line)
    "preschool": "都道府県コード又は市区町村コード,NO,都道府県名,市区町村名,名称,名称_カナ,種別,住所,方書,緯度,経度,アクセス方法,駐車場情報,電話番号,内線番号,FAX番号,法人番号,団体名,認可等年月日,収容定員,受入年齢,利用可能曜日,開始時間,終了時間,利用可能日時特記事項,一時預かりの有無,URL,備考",  # noqa: E501 (the header exactly as published, one line)
    "evacuation_space": "NO,名称,名称_カナ,住所,方書,緯度,経度,標高,電話番号,内線番号,市区町村コード,都道府県名,市区町村名,災害種別_洪水,災害種別_崖崩れ、土石流及び地滑り,災害種別_高潮,災害種別_地震,災害種別_津波,災害種別_大規模な火事,災害種別_内水氾濫,災害種別_火山現象,指定避難所との重複,想定収容人数,対象となる町会・自治会,URL,備考",  # noqa: E501 (the header exactly as published, one line)
}
COLUMN_COUNTS = {
    "public_facility": 24,
    "aed": 22,
    "event": 32,
    "tourism": 30,
    "hospital": 26,
    "preschool": 28,
    "evacuation_space": 26,
}


@pytest.fixture(autouse=True)
def _japanese() -> None:
    translation.activate("ja")


def download(client: Client, url: str) -> tuple[bytes, list[list[str]]]:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    content = response.content
    return content, list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize("dataset", list(STANDARD_HEADERS))
def test_each_exported_csv_has_the_standards_columns_in_order(
    client: Client, kasama: Municipality, dataset: str
) -> None:
    response = client.get(f"/kasama/opendata/{dataset}.csv")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="082163_{dataset}.csv"'
    content = response.content
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM
    first_line = content[3:].split(b"\r\n", 1)[0].decode("utf-8")
    assert first_line == STANDARD_HEADERS[dataset]
    assert len(first_line.split(",")) == COLUMN_COUNTS[dataset]


def test_rows_are_written_with_crlf_and_every_column(client: Client, kasama: Municipality) -> None:
    with municipality_scope(kasama):
        OpenDataRecord.objects.create(
            municipality=kasama,
            dataset="aed",
            record_id="1",
            data={"NO": "1", "名称": "笠間市役所", "設置位置": "1階 正面玄関\n（守衛室横）", "備考": "=1+1"},
        )
    content, rows = download(client, "/kasama/opendata/aed.csv")
    assert content.endswith(b"\r\n")
    assert content.count(b"\r\n") == 2  # header and one row (the newline inside the cell is quoted)
    header, row = rows
    assert dict(zip(header, row, strict=True))["設置位置"] == "1階 正面玄関\n（守衛室横）"
    assert dict(zip(header, row, strict=True))["備考"] == "'=1+1"  # no formula in a spreadsheet
    assert row[0] == "082163"


def test_events_and_tourism_spots_are_written_from_their_pages(client: Client, kasama: Municipality) -> None:
    home = home_page(kasama)
    events = make_event_index(home)
    make_event(
        events,
        "笠間の菊まつり",
        "kiku",
        english="Kasama Chrysanthemum Festival",
        start_date=dt.date(2026, 10, 10),
        end_date=dt.date(2026, 11, 23),
        start_time=dt.time(9, 0),
        end_time=dt.time(16, 0),
        place_name="笠間稲荷神社",
        address="茨城県笠間市笠間1",
        latitude=Decimal("36.387439"),
        longitude=Decimal("140.263233"),
        is_free=True,
        lead="菊の花の祭典。",
        reading="かさまのきくまつり",
    )
    make_tourism_spot(
        home,
        "笠間稲荷神社",
        "inari",
        english={"title": "Kasama Inari Shrine", "lead": "One of Japan's three great Inari shrines."},
        lead="日本三大稲荷のひとつ。",
        open_weekdays="月,火,水,木,金,土,日",
        admission="無料",
    )
    _content, rows = download(client, "/kasama/opendata/event.csv")
    event = dict(zip(rows[0], rows[1], strict=True))
    assert event["イベント名"] == "笠間の菊まつり"
    assert event["イベント名_カナ"] == "カサマノキクマツリ"
    assert event["イベント名_英語"] == "Kasama Chrysanthemum Festival"
    assert (event["開始日"], event["終了日"], event["開始時間"], event["終了時間"]) == (
        "2026-10-10",
        "2026-11-23",
        "09:00",
        "16:00",
    )
    assert event["料金(基本)"] == "0"
    assert event["緯度"] == "36.387439"
    assert event["URL"].endswith("/kasama/events/kiku/")
    _content, rows = download(client, "/kasama/opendata/tourism.csv")
    spot = dict(zip(rows[0], rows[1], strict=True))
    assert spot["名称"] == "笠間稲荷神社"
    assert spot["名称_英語"] == "Kasama Inari Shrine"
    assert spot["説明_英語"] == "One of Japan's three great Inari shrines."
    assert spot["利用可能曜日"] == "月火水木金土日"
    assert spot["料金（基本）"] == "0"


def test_json_has_licence_columns_and_rows(client: Client, kasama: Municipality) -> None:
    with municipality_scope(kasama):
        OpenDataRecord.objects.create(
            municipality=kasama, dataset="hospital", record_id="1", data={"NO": "1", "名称": "笠間病院"}
        )
    response = client.get("/kasama/opendata/hospital.json")
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["license"] == "CC BY 4.0"
    assert body["columns"] == STANDARD_HEADERS["hospital"].split(",")
    assert body["rows"][0]["名称"] == "笠間病院"
    assert body["updated"]


def test_downloads_are_counted_per_dataset_and_format_and_municipality(
    client: Client, kasama: Municipality, mito: Municipality
) -> None:
    client.get("/kasama/opendata/aed.csv")
    client.get("/kasama/opendata/aed.csv")
    client.get("/kasama/opendata/aed.json")
    client.head("/kasama/opendata/aed.csv")  # not a download
    client.get("/mito/opendata/aed.csv")
    counts = {
        (d.municipality_id, d.dataset, d.format): d.count
        for d in DatasetDownload.unscoped.all()  # type: ignore[attr-defined]
    }
    assert counts == {(kasama.pk, "aed", "csv"): 2, (kasama.pk, "aed", "json"): 1, (mito.pk, "aed", "csv"): 1}


def test_unknown_dataset_and_post_are_refused(client: Client, kasama: Municipality) -> None:
    assert client.get("/kasama/opendata/toilet.csv").status_code == 404
    assert client.get("/kasama/opendata/toilet.json").status_code == 404
    assert client.post("/kasama/opendata/aed.csv").status_code == 405


def test_a_municipality_never_shows_anothers_records(client: Client, kasama: Municipality, mito: Municipality) -> None:
    with municipality_scope(mito):
        OpenDataRecord.objects.create(municipality=mito, dataset="aed", record_id="1", data={"名称": "水戸市役所"})
    _content, rows = download(client, "/kasama/opendata/aed.csv")
    assert len(rows) == 1
    assert "水戸市役所" not in client.get("/kasama/opendata/aed.json").content.decode()


def test_catalogue_page_lists_every_dataset_with_licence_update_date_and_downloads(
    client: Client, kasama: Municipality
) -> None:
    with municipality_scope(kasama):
        OpenDataRecord.objects.create(municipality=kasama, dataset="aed", record_id="1", data={"名称": "笠間市役所"})
    catalog = make_open_data_catalog(home_page(kasama), english="Open data", lead="市のデータを公開しています。")
    client.get("/kasama/opendata/aed.csv")
    assert client.get("/kasama/opendata/")["Location"] == catalog.url
    body = client.get(catalog.url).content.decode()
    for title in (
        "公共施設一覧",
        "AED設置箇所一覧",
        "イベント一覧",
        "観光施設一覧",
        "医療機関一覧",
        "子育て施設一覧",
        "指定緊急避難場所一覧",
    ):
        assert title in body
    assert "CC BY 4.0" in body
    assert 'href="/kasama/opendata/aed.csv"' in body
    assert "082163_aed.csv" in body
    assert "1回" in body  # the download above
    body = client.get("/en/kasama/open-data/").content.decode()
    assert "AED locations" in body
    assert 'href="/en/kasama/opendata/aed.csv"' in body
