"""The datasets of the 自治体標準オープンデータセット the website publishes, with their
column layouts.

The layouts are the standard's first generation (推奨データセット 項目定義 and its blank
templates `xxxxxx_<file id>.csv`), which most municipalities publish and most importers read:
the column names below are written exactly as the templates write them (half-width
`料金(基本)` in イベント一覧 but full-width `料金（基本）` in 観光施設一覧, as the templates do).
Research and sources: docs in the issue (opendata_columns.md §1).

Import accepts the spellings other publishers use (`aliases`); headers are matched after
NFKC folding (full/half width, parentheses), so `料金（基本）` and `料金(基本)` both match.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    """How a column's values are checked and normalised on import."""

    TEXT = "text"
    CODE = "code"  # 全国地方公共団体コード (6 digits with check digit)
    KANA = "kana"  # カナ (half-width katakana widened)
    DATE = "date"  # YYYY-MM-DD
    TIME = "time"  # HH:MM
    LATITUDE = "latitude"
    LONGITUDE = "longitude"
    WEEKDAYS = "weekdays"  # 「月火水木金」
    YES_NO = "yes_no"  # 有 / 無 / empty
    FLAG = "flag"  # 1 / empty
    INTEGER = "integer"
    NUMBER = "number"
    URL = "url"


class Source(StrEnum):
    """Where a dataset's rows come from besides imported records."""

    RECORDS = "records"
    FACILITIES = "facilities"  # madoguchi.facilities (公共施設)
    EVENT_PAGES = "event_pages"
    TOURISM_PAGES = "tourism_pages"


CODE = "都道府県コード又は市区町村コード"
HEAD = (CODE, "NO", "都道府県名", "市区町村名")


@dataclass(frozen=True)
class Dataset:
    """One dataset: file id (`key`, as in `<code>_<key>.csv`), titles, the columns in the
    standard's order, which are required (◎), and column kinds for validation."""

    key: str
    title_ja: str
    title_en: str
    description_ja: str
    description_en: str
    columns: tuple[str, ...]
    required: frozenset[str]
    kinds: dict[str, Kind] = field(default_factory=dict)
    #: required (◎) columns that real published files nonetheless leave empty; import
    #: accepts them empty (the column itself must still be in the header).
    import_optional: frozenset[str] = frozenset()
    #: other spellings seen in published files → the column name here.
    aliases: dict[str, str] = field(default_factory=dict)
    source: Source = Source.RECORDS
    id_column: str = "NO"
    code_column: str = CODE
    name_column: str = "名称"

    def kind(self, column: str) -> Kind:
        return self.kinds.get(column, Kind.TEXT)

    def value_required(self, column: str) -> bool:
        """Whether an imported row must have a value here. 1/empty flags are required as
        columns only: empty means "not applicable" (災害種別_*)."""
        return column in self.required and column not in self.import_optional and self.kind(column) != Kind.FLAG

    def title(self, language: str | None) -> str:
        return self.title_en if (language or "ja").startswith("en") else self.title_ja

    def description(self, language: str | None) -> str:
        return self.description_en if (language or "ja").startswith("en") else self.description_ja

    def file_name(self, code: str) -> str:
        """`<6-digit 全国地方公共団体コード>_<file id>.csv`, as the templates name them."""
        return f"{code}_{self.key}.csv"

    def header_map(self) -> dict[str, str]:
        """Folded header text → column name, for every column and alias."""
        mapping = {fold_header(alias): column for alias, column in {**COMMON_ALIASES, **self.aliases}.items()}
        mapping = {key: value for key, value in mapping.items() if value in self.columns}
        mapping.update({fold_header(column): column for column in self.columns})
        return mapping


def fold_header(text: str) -> str:
    """A header cell for matching: NFKC (full/half width, （）→()), no BOM, no spaces."""
    text = unicodedata.normalize("NFKC", text.replace("\ufeff", ""))
    return "".join(text.split())


#: Spellings of the shared columns in published files (and the second generation's names for
#: the same thing, as the public-toilet normaliser maps them: NO→ID, 住所→所在地_連結表記 …).
COMMON_ALIASES: dict[str, str] = {
    "全国地方公共団体コード": CODE,
    "市区町村コード又は都道府県コード": CODE,
    "No": "NO",
    "No.": "NO",
    "ID": "NO",
    "所在地_都道府県": "都道府県名",
    "所在地_市区町村": "市区町村名",
    "所在地_連結表記": "住所",
    "所在地_連結標記": "住所",
    "所在地": "住所",
    "建物名等(方書)": "方書",
    "建物名等_方書": "方書",
    "名称_英字": "名称_英語",
    "利用可能時間特記事項": "利用可能日時特記事項",
    "小児対応機器設備の有無": "小児対応設備の有無",
}

_LOCATION = {"緯度": Kind.LATITUDE, "経度": Kind.LONGITUDE}
_HEAD_KINDS = {CODE: Kind.CODE, "名称_カナ": Kind.KANA, **_LOCATION, "URL": Kind.URL}
_HOURS = {"利用可能曜日": Kind.WEEKDAYS, "開始時間": Kind.TIME, "終了時間": Kind.TIME}

PUBLIC_FACILITY = Dataset(
    key="public_facility",
    title_ja="公共施設一覧",
    title_en="Public facilities",
    description_ja="市の公共施設の名称、所在地、利用可能な曜日と時間、バリアフリー情報。",
    description_en="The city's public facilities: name, address, opening days and hours, accessibility.",
    columns=(
        *HEAD,
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
    ),
    required=frozenset({"名称", "名称_カナ", "住所"}),
    kinds={**_HEAD_KINDS, **_HOURS},
    source=Source.FACILITIES,
)

AED = Dataset(
    key="aed",
    title_ja="AED設置箇所一覧",
    title_en="AED locations",
    description_ja="AED（自動体外式除細動器）の設置場所、設置位置、利用できる曜日と時間。",
    description_en=(
        "Where AEDs (automated external defibrillators) are, where in the building, and when they can be used."
    ),
    columns=(
        *HEAD,
        "名称",
        "名称_カナ",
        "住所",
        "方書",
        "緯度",
        "経度",
        "設置位置",
        "電話番号",
        "内線番号",
        "法人番号",
        "団体名",
        "利用可能曜日",
        "開始時間",
        "終了時間",
        "利用可能日時特記事項",
        "小児対応設備の有無",
        "URL",
        "備考",
    ),
    required=frozenset({"名称", "名称_カナ", "住所", "設置位置"}),
    kinds={**_HEAD_KINDS, **_HOURS, "小児対応設備の有無": Kind.YES_NO},
)

EVENT = Dataset(
    key="event",
    title_ja="イベント一覧",
    title_en="Events",
    description_ja="市内で開催されるイベントの日時、場所、料金、申込方法。",
    description_en="Events in the city: dates, times, place, fee and how to apply.",
    columns=(
        *HEAD,
        "イベント名",
        "イベント名_カナ",
        "イベント名_英語",
        "開始日",
        "終了日",
        "開始時間",
        "終了時間",
        "開始日時特記事項",
        "説明",
        "料金(基本)",
        "料金(詳細)",
        "連絡先名称",
        "連絡先電話番号",
        "連絡先内線番号",
        "主催者",
        "場所名称",
        "住所",
        "方書",
        "緯度",
        "経度",
        "アクセス方法",
        "駐車場情報",
        "定員",
        "参加申込終了日",
        "参加申込終了時間",
        "参加申込方法",
        "URL",
        "備考",
    ),
    required=frozenset(
        {"イベント名", "イベント名_カナ", "開始日", "終了日", "開始時間", "終了時間", "説明", "場所名称", "住所"}
    ),
    kinds={
        CODE: Kind.CODE,
        "イベント名_カナ": Kind.KANA,
        "開始日": Kind.DATE,
        "終了日": Kind.DATE,
        "開始時間": Kind.TIME,
        "終了時間": Kind.TIME,
        "料金(基本)": Kind.INTEGER,
        "定員": Kind.INTEGER,
        "参加申込終了日": Kind.DATE,
        "参加申込終了時間": Kind.TIME,
        **_LOCATION,
        "URL": Kind.URL,
    },
    aliases={"イベント名_英字": "イベント名_英語"},
    source=Source.EVENT_PAGES,
    name_column="イベント名",
)

TOURISM = Dataset(
    key="tourism",
    title_ja="観光施設一覧",
    title_en="Tourist attractions",
    description_ja="観光施設の所在地、開館日時、料金、アクセス、バリアフリー情報。",
    description_en="Tourist attractions: address, opening days and hours, fees, access and accessibility.",
    columns=(
        *HEAD,
        "名称",
        "名称_カナ",
        "名称_英語",
        "POIコード",
        "住所",
        "方書",
        "緯度",
        "経度",
        "利用可能曜日",
        "開始時間",
        "終了時間",
        "利用可能日時特記事項",
        "料金（基本）",
        "料金（詳細）",
        "説明",
        "説明_英語",
        "アクセス方法",
        "駐車場情報",
        "バリアフリー情報",
        "連絡先名称",
        "連絡先電話番号",
        "連絡先内線番号",
        "画像",
        "画像_ライセンス",
        "URL",
        "備考",
    ),
    required=frozenset({"名称", "名称_カナ", "住所", "説明"}),
    kinds={**_HEAD_KINDS, **_HOURS, "料金（基本）": Kind.INTEGER, "画像": Kind.URL},
    source=Source.TOURISM_PAGES,
)

HOSPITAL = Dataset(
    key="hospital",
    title_ja="医療機関一覧",
    title_en="Medical institutions",
    description_ja="病院・診療所の種類、所在地、診療日時、診療科目、病床数。",
    description_en="Hospitals and clinics: type, address, consultation days and hours, departments, beds.",
    columns=(
        *HEAD,
        "名称",
        "名称_カナ",
        "医療機関の種類",
        "住所",
        "方書",
        "緯度",
        "経度",
        "電話番号",
        "内線番号",
        "FAX番号",
        "法人番号",
        "法人の名称",
        "医療機関コード",
        "診療曜日",
        "診療開始時間",
        "診療終了時間",
        "診療日時特記事項",
        "時間外における対応",
        "診療科目",
        "病床数",
        "URL",
        "備考",
    ),
    required=frozenset(
        {
            "名称",
            "名称_カナ",
            "医療機関の種類",
            "住所",
            "診療曜日",
            "診療開始時間",
            "診療終了時間",
            "診療科目",
            "病床数",
            "URL",
        }
    ),
    kinds={
        **_HEAD_KINDS,
        "診療曜日": Kind.WEEKDAYS,
        "診療開始時間": Kind.TIME,
        "診療終了時間": Kind.TIME,
        "病床数": Kind.INTEGER,
    },
    # 医療機関 files (北海道's, for one) leave URL empty for most rows.
    import_optional=frozenset({"URL"}),
    # The templates are older than some publishers' files: 市町村 for 市区町村名, and the
    # prefecture-extended files name 法人 differently.
    aliases={"市町村": "市区町村名", "所在地": "住所"},
)

PRESCHOOL = Dataset(
    key="preschool",
    title_ja="子育て施設一覧",
    title_en="Childcare facilities",
    description_ja="保育所・幼稚園・認定こども園などの種別、所在地、定員、受入年齢、開所時間。",
    description_en="Nurseries, kindergartens and certified centres: type, address, capacity, ages and hours.",
    columns=(
        *HEAD,
        "名称",
        "名称_カナ",
        "種別",
        "住所",
        "方書",
        "緯度",
        "経度",
        "アクセス方法",
        "駐車場情報",
        "電話番号",
        "内線番号",
        "FAX番号",
        "法人番号",
        "団体名",
        "認可等年月日",
        "収容定員",
        "受入年齢",
        "利用可能曜日",
        "開始時間",
        "終了時間",
        "利用可能日時特記事項",
        "一時預かりの有無",
        "URL",
        "備考",
    ),
    required=frozenset({"名称", "名称_カナ", "住所"}),
    kinds={
        **_HEAD_KINDS,
        **_HOURS,
        "認可等年月日": Kind.DATE,
        "収容定員": Kind.INTEGER,
        "一時預かりの有無": Kind.YES_NO,
    },
    aliases={"許可等年月日": "認可等年月日"},
)

_HAZARDS = (
    "災害種別_洪水",
    "災害種別_崖崩れ、土石流及び地滑り",
    "災害種別_高潮",
    "災害種別_地震",
    "災害種別_津波",
    "災害種別_大規模な火事",
    "災害種別_内水氾濫",
    "災害種別_火山現象",
)

EVACUATION_SPACE = Dataset(
    key="evacuation_space",
    title_ja="指定緊急避難場所一覧",
    title_en="Designated emergency evacuation sites",
    description_ja="指定緊急避難場所の所在地と、対象となる災害の種別（洪水、地震、津波など）。",
    description_en=(
        "Designated emergency evacuation sites and the hazards each is designated for (flood, earthquake …)."
    ),
    # This one follows the 国土地理院 format: NO first, 市区町村コード in column 11.
    columns=(
        "NO",
        "名称",
        "名称_カナ",
        "住所",
        "方書",
        "緯度",
        "経度",
        "標高",
        "電話番号",
        "内線番号",
        "市区町村コード",
        "都道府県名",
        "市区町村名",
        *_HAZARDS,
        "指定避難所との重複",
        "想定収容人数",
        "対象となる町会・自治会",
        "URL",
        "備考",
    ),
    required=frozenset(
        {"NO", "名称", "名称_カナ", "住所", "電話番号", "市区町村コード", *_HAZARDS, "指定避難所との重複"}
    ),
    kinds={
        "市区町村コード": Kind.CODE,
        "名称_カナ": Kind.KANA,
        **_LOCATION,
        "標高": Kind.NUMBER,
        **dict.fromkeys(_HAZARDS, Kind.FLAG),
        "指定避難所との重複": Kind.FLAG,
        "想定収容人数": Kind.INTEGER,
        "URL": Kind.URL,
    },
    aliases={"全国地方公共団体コード": "市区町村コード", "標高(m)": "標高"},
    code_column="市区町村コード",
)

DATASETS: dict[str, Dataset] = {
    dataset.key: dataset for dataset in (PUBLIC_FACILITY, AED, EVENT, TOURISM, HOSPITAL, PRESCHOOL, EVACUATION_SPACE)
}


def get(key: str) -> Dataset:
    """The dataset with this file id; KeyError if there is none."""
    return DATASETS[key]


def all_datasets() -> list[Dataset]:
    return list(DATASETS.values())
