"""The rows of an open data set as residents read them on the website: the 一覧ページ
(`DatasetListPage`: AEDの設置場所, 医療機関, 子育て施設, 避難場所 …) and the designated
evacuation sites on the disaster hub.

The rows come from the open data module's contract
(`portal.opendata.services.dataset_rows`), so the website shows exactly what the CSV and
JSON downloads publish. This module only chooses what a reader needs from each row (name,
address, phone, hours, the dataset's own facts) and links to maps (地理院地図 and
OpenStreetMap; no map script is loaded, the CSP forbids it and a phone does not need it).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from madoguchi.core.models import Municipality
from madoguchi.japanese.search import fold, query_terms

logger = logging.getLogger(__name__)

GSI_MAP_URL = "https://maps.gsi.go.jp/#17/{lat}/{lon}/"
OSM_MAP_URL = "https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"
MAX_QUERY_LENGTH = 100

#: Names shown for the standard's column names (the column names are the msgids).
COLUMN_LABELS: dict[str, Promise] = {
    "住所": _("住所"),
    "方書": _("方書"),
    "電話番号": _("電話番号"),
    "設置位置": _("設置位置"),
    "利用可能曜日": _("利用可能曜日"),
    "開始時間": _("開始時間"),
    "終了時間": _("終了時間"),
    "利用可能日時特記事項": _("利用可能日時特記事項"),
    "小児対応設備の有無": _("小児対応設備の有無"),
    "医療機関の種類": _("医療機関の種類"),
    "診療科目": _("診療科目"),
    "診療曜日": _("診療曜日"),
    "診療開始時間": _("診療開始時間"),
    "診療終了時間": _("診療終了時間"),
    "診療日時特記事項": _("診療日時特記事項"),
    "時間外における対応": _("時間外における対応"),
    "種別": _("種別"),
    "収容定員": _("収容定員"),
    "受入年齢": _("受入年齢"),
    "一時預かりの有無": _("一時預かりの有無"),
    "想定収容人数": _("想定収容人数"),
    "対象となる町会・自治会": _("対象となる町会・自治会"),
    "説明": _("説明"),
    "アクセス方法": _("アクセス方法"),
    "駐車場情報": _("駐車場情報"),
    "バリアフリー情報": _("バリアフリー情報"),
    "料金(基本)": _("料金(基本)"),
    "料金（基本）": _("料金（基本）"),
    "場所名称": _("場所名称"),
    "開始日": _("開始日"),
    "終了日": _("終了日"),
    "備考": _("備考"),
}

#: Per dataset, the columns shown as facts under each row's name (others are in the CSV).
FACT_COLUMNS: dict[str, tuple[str, ...]] = {
    "aed": ("設置位置", "利用可能曜日", "開始時間", "終了時間", "利用可能日時特記事項", "小児対応設備の有無", "備考"),
    "hospital": (
        "医療機関の種類",
        "診療科目",
        "診療曜日",
        "診療開始時間",
        "診療終了時間",
        "診療日時特記事項",
        "時間外における対応",
        "備考",
    ),
    "preschool": (
        "種別",
        "収容定員",
        "受入年齢",
        "利用可能曜日",
        "開始時間",
        "終了時間",
        "一時預かりの有無",
        "アクセス方法",
        "備考",
    ),
    "public_facility": ("利用可能曜日", "開始時間", "終了時間", "利用可能日時特記事項", "バリアフリー情報", "備考"),
    "tourism": ("説明", "利用可能曜日", "開始時間", "終了時間", "料金（基本）", "アクセス方法", "駐車場情報"),
    "event": ("開始日", "終了日", "開始時間", "終了時間", "場所名称", "料金(基本)", "説明"),
    "evacuation_space": ("想定収容人数", "対象となる町会・自治会", "備考"),
}

#: 災害種別_* of 指定緊急避難場所一覧: column → what the site is designated for.
HAZARDS: dict[str, Promise] = {
    "災害種別_洪水": _("洪水"),
    "災害種別_崖崩れ、土石流及び地滑り": _("崖崩れ、土石流及び地滑り"),
    "災害種別_高潮": _("高潮"),
    "災害種別_地震": _("地震"),
    "災害種別_津波": _("津波"),
    "災害種別_大規模な火事": _("大規模な火事"),
    "災害種別_内水氾濫": _("内水氾濫"),
    "災害種別_火山現象": _("火山現象"),
}

#: Multi-valued cells are separated by a half-width semicolon (診療科目 `内科;小児科`).
MULTI_VALUED = frozenset({"診療科目", "バリアフリー情報", "対象となる町会・自治会"})


@dataclass(frozen=True)
class MapLinks:
    latitude: str
    longitude: str
    gsi: str
    osm: str


@dataclass
class ListedPlace:
    """One row of a dataset as the list shows it."""

    number: str
    name: str
    kana: str
    address: str
    phone: str
    url: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    hazards: list[str] = field(default_factory=list)
    shelter: bool = False
    map: MapLinks | None = None


@dataclass
class Listing:
    dataset_key: str
    title: str
    places: list[ListedPlace]
    total: int
    query: str
    known: bool = True


def map_links(latitude: str, longitude: str) -> MapLinks | None:
    """Links to 地理院地図 and OpenStreetMap, when the row has a usable position."""
    try:
        lat = Decimal(latitude.strip())
        lon = Decimal(longitude.strip())
    except (InvalidOperation, AttributeError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    lat_text, lon_text = f"{lat:.6f}", f"{lon:.6f}"
    return MapLinks(
        lat_text,
        lon_text,
        GSI_MAP_URL.format(lat=lat_text, lon=lon_text),
        OSM_MAP_URL.format(lat=lat_text, lon=lon_text),
    )


def _cell_text(column: str, value: str) -> str:
    if column in MULTI_VALUED:
        return "、".join(part.strip() for part in value.split(";") if part.strip())
    return value


def to_place(key: str, row: dict[str, str], name_column: str = "名称") -> ListedPlace:
    """A row of dataset `key` as the list shows it."""
    facts = []
    for column in FACT_COLUMNS.get(key, ()):
        value = (row.get(column) or "").strip()
        if value:
            facts.append((str(COLUMN_LABELS.get(column, column)), _cell_text(column, value)))
    hazards = [str(label) for column, label in HAZARDS.items() if (row.get(column) or "").strip() == "1"]
    name = (row.get(name_column) or row.get("名称") or "").strip()
    kana = (row.get(f"{name_column}_カナ") or row.get("名称_カナ") or "").strip()
    phone = (row.get("電話番号") or row.get("連絡先電話番号") or "").strip()
    address = " ".join(part for part in ((row.get("住所") or "").strip(), (row.get("方書") or "").strip()) if part)
    return ListedPlace(
        number=(row.get("NO") or "").strip(),
        name=name,
        kana=kana,
        address=address,
        phone=phone,
        url=_safe_url(row.get("URL") or ""),
        facts=facts,
        hazards=hazards,
        shelter=(row.get("指定避難所との重複") or "").strip() == "1",
        map=map_links(row.get("緯度") or "", row.get("経度") or ""),
    )


def _safe_url(value: str) -> str:
    # Rows are imported from files: only web addresses become links.
    value = value.strip()
    return value if value.startswith(("https://", "http://")) else ""


def _rows(municipality: Municipality, key: str) -> list[dict[str, str]] | None:
    """The dataset's rows through the open data contract; None when there is no such
    dataset."""
    from madoguchi.portal.opendata import registry, services

    try:
        registry.get(key)
    except KeyError:
        return None
    return services.dataset_rows(municipality, key)


def _matches(place: ListedPlace, terms: list[str]) -> bool:
    haystack = fold(" ".join([place.name, place.kana, place.address, *(value for _label, value in place.facts)]))
    return all(term in haystack for term in terms)


def listing(municipality: Municipality | None, key: str, *, query: str = "", language: str = "ja") -> Listing:
    """The rows of dataset `key` (all, or those whose name, reading, address or facts
    contain every word of `query`, kana- and width-insensitively)."""
    query = (query or "").strip()[:MAX_QUERY_LENGTH]
    rows = _rows(municipality, key) if municipality is not None else None
    if rows is None:
        return Listing(dataset_key=key, title="", places=[], total=0, query=query, known=False)
    from madoguchi.portal.opendata import registry

    dataset = registry.get(key)
    places = [to_place(key, row, dataset.name_column) for row in rows]
    total = len(places)
    terms = query_terms(query)
    if terms:
        places = [place for place in places if _matches(place, terms)]
    return Listing(dataset_key=key, title=dataset.title(language), places=places, total=total, query=query)


def evacuation_spaces(municipality: Municipality | None) -> list[ListedPlace]:
    """指定緊急避難場所 from the open data set, for the disaster hub."""
    if municipality is None:
        return []
    rows = _rows(municipality, "evacuation_space") or []
    return [to_place("evacuation_space", row) for row in rows]
