"""公共施設一覧: the municipality's published facilities as open data, in the column layout of
the 自治体標準オープンデータセット (デジタル庁) dataset 「公共施設一覧」.

`public_facility_rows(municipality)` gives one dict per published facility, keyed by the
standard's column names in their order (`COLUMNS`); the CSV view writes them, the API
returns them as JSON, and the portal's open data catalogue can reuse them.

Choices the standard leaves to the publisher, made here:

- CSV in UTF-8 with a byte order mark, CRLF line ends (RFC 4180): the standard asks for
  UTF-8; the mark makes the spreadsheet software most municipalities use open it as UTF-8
  rather than Shift_JIS (the staff console's exports do the same). Programs reading it as
  `utf-8-sig` see no difference.
- NO (the ID within the municipality) is the facility's URL name (識別名), the identifier
  every other address of the facility uses; it does not change when facilities are added.
- 利用可能曜日 lists the weekdays the facility opens, concatenated as the standard writes
  them ("月火水木金"); 開始時間/終了時間 are its opening hours (HH:MM); the closed days in
  words go to 利用可能日時特記事項.
- POIコード, 方書, 内線番号, 法人番号 and 団体名 are left empty: the facility model does not
  hold them (a facility run by a 指定管理者 would name it in 団体名).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope

from .models import Facility

#: The columns of 公共施設一覧, in order (the portal's open data registry uses the same
#: layout for its 公共施設一覧), as in the 自治体標準オープンデータセット's data item
#: definition (デジタル庁「自治体標準オープンデータセット」, 公共施設一覧 項目定義書). Checked against
#: three independent implementations of the standard's CSV (a dataset importer's column
#: enum, an RDF converter of 公共施設一覧 and a municipality's published public_facility
#: data), which agree on these 24 columns. The brief's older list (全国地方公共団体コード,
#: ID, 地方公共団体名, 名称_英字, 種類, 場所名称, 画像 …) is the 2015 推奨データセット's layout for
#: other datasets and is not used.
COLUMNS: tuple[str, ...] = (
    "都道府県コード又は市区町村コード",
    "NO",
    "都道府県名",
    "市区町村名",
    "名称",
    "名称_カナ",
    "名称_通称",
    "POIコード",
    "住所",
    "方書",
    "緯度",
    "経度",
    "電話番号",
    "内線番号",
    "法人番号",
    "団体名",
    "利用可能曜日",
    "開始時間",
    "終了時間",
    "利用可能日時特記事項",
    "説明",
    "バリアフリー情報",
    "URL",
    "備考",
)

WEEKDAYS_JA = "月火水木金土日"
FILE_NAME = "public_facility.csv"


def facility_url(municipality: Municipality, facility: Facility) -> str:
    """The facility's page (absolute, on SITE_URL); the municipality's facility list when
    the page's URL is not registered (yet)."""
    base = settings.SITE_URL.rstrip("/")
    with translation.override("ja"):
        try:
            path = reverse(
                "facilities:detail", kwargs={"municipality_slug": municipality.slug, "facility_slug": facility.slug}
            )
        except NoReverseMatch:
            path = f"/{municipality.slug}/facilities/{facility.slug}/"
    return base + path


def _open_weekdays(facility: Facility) -> str:
    closed = facility.closed_weekday_numbers()
    # The standard writes the days one kanji each with no separator: 「月火水木金」.
    return "".join(day for number, day in enumerate(WEEKDAYS_JA) if number not in closed)


def _closed_days_note(facility: Facility) -> str:
    parts: list[str] = []
    closed = sorted(facility.closed_weekday_numbers())
    if closed:
        days = "・".join(f"{WEEKDAYS_JA[n]}曜日" for n in closed)
        parts.append(f"休館日: {days}（祝日の場合は翌日）" if facility.open_on_holidays else f"休館日: {days}")
    if not facility.open_on_holidays:
        parts.append("祝日は休館")
    if facility.year_end_closure:
        parts.append("年末年始（12月29日〜1月3日）は休館")
    parts.append("臨時休館があります。予約状況は施設のページでご確認ください。")
    return "。".join(parts)


def _accessibility(facility: Facility) -> str:
    items: list[str] = []
    if facility.wheelchair_accessible:
        items.append("車いす利用可")
    if facility.accessible_toilet:
        items.append("多目的トイレあり")
    if facility.accessible_parking:
        items.append("障害者用駐車場あり")
    text = "、".join(items)
    if facility.accessibility_ja:
        text = f"{text}。{facility.accessibility_ja}" if text else facility.accessibility_ja
    return text


def _decimal(value: Any) -> str:
    return "" if value is None else format(value.normalize() if hasattr(value, "normalize") else value, "f")


def row_of(municipality: Municipality, facility: Facility) -> dict[str, str]:
    """One facility as a row of 公共施設一覧 (every value a string, empty when unknown)."""
    note = f"駐車場 {facility.parking_spaces}台" if facility.parking_spaces else ""
    return {
        "都道府県コード又は市区町村コード": municipality.code,
        "NO": facility.slug,
        "都道府県名": municipality.get_prefecture_display(),
        "市区町村名": municipality.name_ja,
        "名称": facility.name_ja,
        "名称_カナ": facility.name_kana,
        "名称_通称": "",
        "POIコード": "",
        "住所": facility.address_ja,
        "方書": "",
        "緯度": _decimal(facility.latitude),
        "経度": _decimal(facility.longitude),
        "電話番号": facility.phone,
        "内線番号": "",
        "法人番号": "",
        "団体名": "",
        "利用可能曜日": _open_weekdays(facility),
        "開始時間": f"{facility.opens_at:%H:%M}",
        "終了時間": f"{facility.closes_at:%H:%M}",
        "利用可能日時特記事項": _closed_days_note(facility),
        "説明": facility.description_ja,
        "バリアフリー情報": _accessibility(facility),
        "URL": facility_url(municipality, facility),
        "備考": note,
    }


def public_facility_rows(municipality: Municipality) -> list[dict[str, str]]:
    """The municipality's published facilities as rows of 公共施設一覧, in display order."""
    with municipality_scope(municipality):
        facilities = list(Facility.objects.filter(is_published=True).order_by("sort_order", "name_kana", "slug"))
    return [row_of(municipality, facility) for facility in facilities]


def _cell(value: str) -> str:
    # Open data is read by spreadsheets too: a value must not start a formula.
    return "'" + value if value[:1] in ("=", "+", "@", "\t", "\r") else value


def to_csv(rows: Iterable[dict[str, str]]) -> str:
    """The rows as the CSV file: header first, UTF-8 with BOM (added by the caller's
    encoding, see `csv_bytes`), CRLF, every field quoted only where needed."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_cell(row.get(column, "")) for column in COLUMNS])
    return out.getvalue()


def csv_bytes(municipality: Municipality) -> bytes:
    return to_csv(public_facility_rows(municipality)).encode("utf-8-sig")
