"""Open data services: the rows of each dataset (derived from pages and other modules, plus
the records the city imported), their CSV and JSON, import of files in the standard layout,
and download counts.

CSV written here is UTF-8 with a byte order mark and CRLF line ends, like
`madoguchi.facilities.opendata` (the standard asks for UTF-8; the mark makes the spreadsheet
software most municipalities use read it as UTF-8)."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import F, Max, Sum
from django.utils import timezone, translation
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from wagtail.models import Locale, Page

from madoguchi.audit import services as audit
from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope
from madoguchi.japanese.checkdigits import is_valid_local_government_code
from madoguchi.japanese.reading import reading_of

from ..models import (
    DatasetDownload,
    EventPage,
    MunicipalityHomePage,
    OpenDataImport,
    OpenDataImportStatus,
    OpenDataRecord,
    TourismSpotPage,
)
from . import registry
from .registry import CODE, Dataset, Kind, Source

WEEKDAYS = "月火水木金土日祝"
LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/deed.ja"

# ---------------------------------------------------------------------------------------
# Rows


def _home(municipality: Municipality, language: str = "ja") -> MunicipalityHomePage | None:
    return MunicipalityHomePage.objects.live().filter(municipality=municipality, locale__language_code=language).first()


def _decimal(value: Any) -> str:
    if value is None:
        return ""
    return format(value.normalize() if isinstance(value, Decimal) else value, "f")


def _time(value: dt.time | None) -> str:
    return "" if value is None else f"{value:%H:%M}"


def _katakana(text: str) -> str:
    # ひらがな → カタカナ by code point (the reading field holds hiragana).
    return "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in text)


def _reading(page: Page) -> str:
    """The title's reading in katakana (the standard's 「_カナ」 columns): the editor's
    reading, else the dictionary's guess (shared with search and ruby, loaded once)."""
    return _katakana(getattr(page, "reading", "") or reading_of(page.title))


def _page_url(page: Page) -> str:
    return page.get_full_url() or ""


def _translation(page: Page, language: str) -> Page | None:
    locale = Locale.objects.filter(language_code=language).first()
    if locale is None:
        return None
    other = page.get_translations().filter(locale=locale).live().first()
    return other.specific if other is not None else None


def _plain(html: str) -> str:
    return " ".join(strip_tags(html or "").split())


def _weekdays(value: str) -> str:
    """「月,火,水」 (as pages hold it) → 「月火水」 (as the standard writes it)."""
    days = {c for c in value if c in WEEKDAYS}
    return "".join(c for c in WEEKDAYS if c in days)


def _fee_base(text: str) -> str:
    # 料金(基本) is an integer in yen: 0 when free, the amount when the text is one amount.
    folded = unicodedata.normalize("NFKC", text or "").replace(",", "").strip()
    if folded in ("無料", "0", "0円"):
        return "0"
    match = re.fullmatch(r"(\d+)円?", folded)
    return match.group(1) if match else ""


def _head(dataset: Dataset, municipality: Municipality, number: str) -> dict[str, str]:
    return {
        CODE: municipality.code,
        "NO": number,
        "都道府県名": municipality.get_prefecture_display(),
        "市区町村名": municipality.name_ja,
    }


def _event_rows(municipality: Municipality) -> list[dict[str, str]]:
    home = _home(municipality)
    if home is None:
        return []
    pages = EventPage.objects.live().descendant_of(home).order_by("start_date", "start_time", "pk")
    rows = []
    for page in pages:
        english = _translation(page, "en")
        rows.append(
            {
                **_head(registry.EVENT, municipality, f"page-{page.pk}"),
                "イベント名": page.title,
                "イベント名_カナ": _reading(page),
                "イベント名_英語": english.title if english else "",
                "開始日": page.start_date.isoformat(),
                "終了日": page.last_date.isoformat(),
                "開始時間": _time(page.start_time),
                "終了時間": _time(page.end_time),
                "開始日時特記事項": page.schedule_note,
                "説明": page.lead or _plain(page.body),
                "料金(基本)": "0" if page.is_free else _fee_base(page.fee),
                "料金(詳細)": "無料" if page.is_free else page.fee,
                "連絡先名称": page.contact_name,
                "連絡先電話番号": page.contact_phone,
                "連絡先内線番号": "",
                "主催者": page.organiser,
                "場所名称": page.place_name,
                "住所": page.address,
                "方書": "",
                "緯度": _decimal(page.latitude),
                "経度": _decimal(page.longitude),
                "アクセス方法": page.access,
                "駐車場情報": page.parking,
                "定員": "" if page.capacity is None else str(page.capacity),
                "参加申込終了日": "",
                "参加申込終了時間": "",
                "参加申込方法": page.registration,
                "URL": _page_url(page),
                "備考": page.target and f"対象: {page.target}",
            }
        )
    return rows


def _tourism_rows(municipality: Municipality) -> list[dict[str, str]]:
    home = _home(municipality)
    if home is None:
        return []
    rows = []
    for page in TourismSpotPage.objects.live().descendant_of(home).order_by("path"):
        english = _translation(page, "en")
        rows.append(
            {
                **_head(registry.TOURISM, municipality, f"page-{page.pk}"),
                "名称": page.title,
                "名称_カナ": _reading(page),
                "名称_英語": english.title if english else "",
                "POIコード": "",
                "住所": page.address,
                "方書": "",
                "緯度": _decimal(page.latitude),
                "経度": _decimal(page.longitude),
                "利用可能曜日": _weekdays(page.open_weekdays),
                "開始時間": _time(page.opening_time),
                "終了時間": _time(page.closing_time),
                "利用可能日時特記事項": page.hours_note,
                "料金（基本）": _fee_base(page.admission),
                "料金（詳細）": page.admission,
                "説明": page.lead or _plain(page.body),
                "説明_英語": (english.lead or _plain(english.body)) if english else "",
                "アクセス方法": page.access,
                "駐車場情報": page.parking,
                "バリアフリー情報": page.barrier_free,
                "連絡先名称": "",
                "連絡先電話番号": page.phone,
                "連絡先内線番号": "",
                "画像": "",
                "画像_ライセンス": "",
                "URL": page.website or _page_url(page),
                "備考": "",
            }
        )
    return rows


def _facility_rows(municipality: Municipality) -> list[dict[str, str]]:
    from madoguchi.facilities.opendata import public_facility_rows

    return public_facility_rows(municipality)


def _derived_rows(dataset: Dataset, municipality: Municipality) -> list[dict[str, str]]:
    if dataset.source == Source.FACILITIES:
        return _facility_rows(municipality)
    if dataset.source == Source.EVENT_PAGES:
        return _event_rows(municipality)
    if dataset.source == Source.TOURISM_PAGES:
        return _tourism_rows(municipality)
    return []


def _natural_key(record_id: str) -> tuple[int, int, str]:
    # NO is text, but most publishers number 1..n: sort 2 before 10.
    folded = record_id.strip()
    return (0, int(folded), "") if folded.isdigit() else (1, 0, folded)


def record_rows(municipality: Municipality, dataset: Dataset) -> list[dict[str, str]]:
    """The imported records of a dataset as rows, in NO order; the municipality's own code
    and names fill the head columns the file left empty."""
    with municipality_scope(municipality):
        records = list(OpenDataRecord.objects.filter(dataset=dataset.key))
    records.sort(key=lambda r: _natural_key(r.record_id))
    defaults = {
        CODE: municipality.code,
        "市区町村コード": municipality.code,
        "都道府県名": municipality.get_prefecture_display(),
        "市区町村名": municipality.name_ja,
    }
    rows = []
    for record in records:
        row = {column: str(record.data.get(column, "") or "") for column in dataset.columns}
        for column, value in defaults.items():
            if column in row and not row[column]:
                row[column] = value
        rows.append(row)
    return rows


def dataset_rows(municipality: Municipality, key: str) -> list[dict[str, str]]:
    """Every row of dataset `key` for the municipality: the rows derived from its pages or
    modules first (public facilities, events, tourism spots), then its imported records.
    Each row maps every column of the dataset, in the standard's order, to a string."""
    dataset = registry.get(key)
    with translation.override("ja"):
        derived = _derived_rows(dataset, municipality)
    rows = [{column: str(row.get(column, "") or "") for column in dataset.columns} for row in derived]
    return rows + record_rows(municipality, dataset)


# ---------------------------------------------------------------------------------------
# Export


def _cell(value: str) -> str:
    # Open data is read by spreadsheets too: a value must not start a formula.
    return "'" + value if value[:1] in ("=", "+", "@", "\t", "\r") else value


def to_csv(dataset: Dataset, rows: Iterable[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(dataset.columns)
    for row in rows:
        writer.writerow([_cell(row.get(column, "")) for column in dataset.columns])
    return out.getvalue()


def csv_bytes(municipality: Municipality, key: str) -> bytes:
    """The dataset as its CSV file: UTF-8 with BOM, CRLF, header = the standard's columns."""
    dataset = registry.get(key)
    return to_csv(dataset, dataset_rows(municipality, key)).encode("utf-8-sig")


def file_name(municipality: Municipality, key: str, extension: str = "csv") -> str:
    """`<6-digit code>_<file id>.csv` (the templates' naming)."""
    return f"{municipality.code}_{registry.get(key).key}.{extension}"


def json_document(municipality: Municipality, key: str) -> dict[str, Any]:
    """The dataset as JSON: its metadata, the columns in order and the rows."""
    dataset = registry.get(key)
    updated = last_updated(municipality, key)
    return {
        "dataset": dataset.key,
        "title": dataset.title_ja,
        "title_en": dataset.title_en,
        "municipality": {"code": municipality.code, "name": municipality.name_ja, "name_en": municipality.name_en},
        "license": LICENCE,
        "license_url": LICENCE_URL,
        "updated": updated.isoformat() if updated else None,
        "columns": list(dataset.columns),
        "rows": dataset_rows(municipality, key),
    }


# ---------------------------------------------------------------------------------------
# Import


@dataclass(frozen=True)
class RowError:
    """One problem in an uploaded file: its line (header = line 1, as in the file), the
    column concerned (empty for the whole line/file) and a translated message."""

    line: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "column": self.column, "message": self.message}


@dataclass
class ParsedFile:
    """An uploaded file read against a dataset: its rows (line, normalised values) and
    every problem found; `ignored` are header cells the dataset has no column for."""

    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)


def decode(content: bytes) -> str | None:
    """The file's text: UTF-8 (with or without BOM), else Shift_JIS (cp932), which many
    older municipal files still use; None when it is neither."""
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::00)?")
_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_DAY_SEPARATORS = str.maketrans("", "", ",、・/ 　")
_YES = {"有", "あり", "有り"}
_NO = {"無", "なし", "無し"}


def _normalise_code(value: str) -> str:
    digits = unicodedata.normalize("NFKC", value).strip()
    # Files edited in spreadsheets lose the leading zero (092011 → 92011).
    if digits.isdigit() and len(digits) == 5 and is_valid_local_government_code("0" + digits):
        return "0" + digits
    return digits


def _check_cell(dataset: Dataset, column: str, raw: str, municipality: Municipality) -> tuple[str, str | None]:
    """(normalised value, error message or None) for one cell."""
    value = raw.strip().strip("\u3000")
    kind = dataset.kind(column)
    if not value:
        return "", None
    if kind == Kind.CODE:
        code = _normalise_code(value)
        if not is_valid_local_government_code(code):
            return value, _("全国地方公共団体コード「%(value)s」が正しくありません（6桁、検査数字付き）。") % {
                "value": value
            }
        if code != municipality.code:
            return value, _("全国地方公共団体コード「%(value)s」はこの団体（%(code)s）のものではありません。") % {
                "value": value,
                "code": municipality.code,
            }
        return code, None
    folded = unicodedata.normalize("NFKC", value)
    if kind == Kind.KANA:
        # Half-width katakana (common in published files) → full width.
        return folded, None
    if kind == Kind.TIME:
        match = _TIME.fullmatch(folded.replace("：", ":"))
        # Hours 00–23: 「24:00」 or 「24:30」 is not a time of day (and would not parse as one).
        if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
            return value, _("時刻「%(value)s」は「09:00」のようにHH:MMで書いてください。") % {"value": value}
        return f"{int(match.group(1)):02d}:{match.group(2)}", None
    if kind == Kind.DATE:
        match = _DATE.fullmatch(folded)
        try:
            if not match:
                raise ValueError
            day = dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            return value, _("日付「%(value)s」は「2025-04-01」のようにYYYY-MM-DDで書いてください。") % {"value": value}
        return day.isoformat(), None
    if kind in (Kind.LATITUDE, Kind.LONGITUDE):
        limit = 90 if kind == Kind.LATITUDE else 180
        try:
            number = Decimal(folded)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite() or abs(number) > limit:
            label = _("緯度") if kind == Kind.LATITUDE else _("経度")
            return value, _("%(label)s「%(value)s」は10進数の度（例: 36.3843）で、±%(limit)s以内にしてください。") % {
                "label": label,
                "value": value,
                "limit": limit,
            }
        return folded, None
    if kind == Kind.WEEKDAYS:
        days = folded.translate(_DAY_SEPARATORS).replace("曜日", "").replace("曜", "")
        if not days or any(c not in WEEKDAYS for c in days) or len(set(days)) != len(days):
            return value, _(
                "曜日「%(value)s」は「月火水木金」のように漢字1文字ずつ続けて書いてください（祝も可）。"
            ) % {"value": value}
        return "".join(c for c in WEEKDAYS if c in days), None
    if kind == Kind.YES_NO:
        if folded in _YES:
            return "有", None
        if folded in _NO:
            return "無", None
        return value, _("「%(value)s」は「有」または「無」で書いてください。") % {"value": value}
    if kind == Kind.FLAG:
        if folded in ("1", "○", "〇", "◯"):
            return "1", None
        if folded == "0":
            return "", None
        return value, _("「%(value)s」は該当するなら「1」、しないなら空欄にしてください。") % {"value": value}
    if kind == Kind.INTEGER:
        digits = folded.replace(",", "")
        if not digits.isdigit():
            return value, _("「%(value)s」は0以上の整数で書いてください。") % {"value": value}
        return str(int(digits)), None
    if kind == Kind.NUMBER:
        try:
            Decimal(folded)
        except InvalidOperation:
            return value, _("「%(value)s」は数値で書いてください。") % {"value": value}
        return folded, None
    if kind == Kind.URL:
        if not re.match(r"https?://\S+$", folded):
            return value, _("URL「%(value)s」は http:// または https:// で始めてください。") % {"value": value}
        return value, None
    return value, None


def parse_file(dataset: Dataset, municipality: Municipality, content: bytes) -> ParsedFile:
    """Read a CSV file in the dataset's standard layout. Header cells are matched with NFKC
    folding and the dataset's aliases, in any order; extra columns are ignored; every row is
    checked and every problem reported with its line number in the file."""
    result = ParsedFile()
    text = decode(content)
    if text is None:
        result.errors.append(RowError(1, "", _("文字コードが読めません。UTF-8（またはShift_JIS）で保存してください。")))
        return result
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        result.errors.append(RowError(1, "", _("ファイルが空です。")))
        return result
    except csv.Error as exc:
        result.errors.append(RowError(1, "", _("CSVとして読めません: %(error)s") % {"error": exc}))
        return result
    mapping = dataset.header_map()
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        column = mapping.get(registry.fold_header(cell))
        if column is None:
            if cell.strip():
                result.ignored.append(cell.strip())
            continue
        if column in positions:
            result.errors.append(RowError(1, column, _("列「%(column)s」が2回あります。") % {"column": column}))
            continue
        positions[column] = index
    missing = [column for column in dataset.columns if column in dataset.required and column not in positions]
    missing_id = dataset.id_column not in positions
    if missing or missing_id:
        names = "、".join(dict.fromkeys([*([dataset.id_column] if missing_id else []), *missing]))
        result.errors.append(RowError(1, "", _("見出し行に必須の列がありません: %(columns)s") % {"columns": names}))
        return result
    seen: dict[str, int] = {}
    line_end = reader.line_num
    while True:
        line = line_end + 1  # the line this record starts on (a quoted cell may span lines)
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            result.errors.append(RowError(line, "", _("CSVとして読めません: %(error)s") % {"error": exc}))
            break
        line_end = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(header) and any(cell.strip() for cell in cells[len(header) :]):
            result.errors.append(
                RowError(
                    line,
                    "",
                    _("列の数（%(found)s）が見出し行（%(expected)s）より多くなっています。")
                    % {
                        "found": len(cells),
                        "expected": len(header),
                    },
                )
            )
            continue
        row: dict[str, str] = {}
        for column in dataset.columns:
            position = positions.get(column)
            raw = cells[position] if position is not None and position < len(cells) else ""
            value, error = _check_cell(dataset, column, raw, municipality)
            if error:
                result.errors.append(RowError(line, column, error))
            elif not value and dataset.value_required(column):
                result.errors.append(RowError(line, column, _("「%(column)s」は必須です。") % {"column": column}))
            row[column] = value
        _check_row(dataset, line, row, result.errors)
        record_id = row.get(dataset.id_column, "")
        if not record_id:
            result.errors.append(
                RowError(
                    line,
                    dataset.id_column,
                    _("「%(column)s」は取込に必要です（行を区別するため）。") % {"column": dataset.id_column},
                )
            )
        elif record_id in seen:
            result.errors.append(
                RowError(
                    line,
                    dataset.id_column,
                    _("%(column)s「%(value)s」は%(first)s行目と重複しています。")
                    % {
                        "column": dataset.id_column,
                        "value": record_id,
                        "first": seen[record_id],
                    },
                )
            )
        else:
            seen[record_id] = line
        result.rows.append((line, row))
    return result


def _check_row(dataset: Dataset, line: int, row: dict[str, str], errors: list[RowError]) -> None:
    """Checks across columns: a position needs both 緯度 and 経度; an end not before its start."""
    if "緯度" in row and bool(row.get("緯度")) != bool(row.get("経度")):
        errors.append(RowError(line, "経度", _("緯度と経度は両方書いてください。")))
    if row.get("開始日") and row.get("終了日") and row["終了日"] < row["開始日"] and _DATE.fullmatch(row["終了日"]):
        errors.append(RowError(line, "終了日", _("終了日が開始日より前になっています。")))


def _read(file: Any) -> tuple[bytes, str]:
    if isinstance(file, bytes | bytearray):
        return bytes(file), ""
    name = str(getattr(file, "name", "") or "")
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read()
    return (data.encode("utf-8") if isinstance(data, str) else bytes(data)), name.rsplit("/", 1)[-1]


def import_file(
    municipality: Municipality,
    key: str,
    file: Any,
    *,
    user: Any = None,
    replace_all: bool = False,
    file_name: str = "",
    progress: Any = None,
    request: Any = None,
) -> OpenDataImport:
    """Import a CSV file in the dataset's standard layout as the municipality's records.

    All or nothing: a file with any broken row is refused whole — the returned
    `OpenDataImport` is `rejected` and lists every error with its line — and no record
    changes. Otherwise all rows are written in one transaction, matched on NO: new rows
    are added, changed rows updated, identical rows left alone (so importing the same file
    again changes nothing); with `replace_all`, records not in the file are deleted.
    `progress(done, total)` is called while writing (the management command prints it)."""
    dataset = registry.get(key)
    content, name = _read(file)
    name = file_name or name or dataset.file_name(municipality.code)
    parsed = parse_file(dataset, municipality, content)
    run = OpenDataImport(
        municipality=municipality,
        dataset=dataset.key,
        file_name=name[:200],
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=user if getattr(user, "is_authenticated", False) else None,
        row_count=len(parsed.rows),
        replace_all=replace_all,
    )
    if parsed.errors:
        run.status = OpenDataImportStatus.REJECTED
        run.errors = [error.as_dict() for error in parsed.errors]
        with municipality_scope(municipality):
            run.save()
        return run
    with municipality_scope(municipality), transaction.atomic():
        run.status = OpenDataImportStatus.IMPORTED
        run.save()
        existing = {
            record.record_id: record
            for record in OpenDataRecord.objects.select_for_update().filter(dataset=dataset.key)
        }
        total = len(parsed.rows)
        for done, (_line, row) in enumerate(parsed.rows, start=1):
            record_id = row[dataset.id_column]
            data = {column: row.get(column, "") for column in dataset.columns}
            record = existing.pop(record_id, None)
            if record is None:
                OpenDataRecord.objects.create(
                    municipality=municipality, dataset=dataset.key, record_id=record_id, data=data, source=run
                )
                run.created_count += 1
            elif record.data != data:
                record.data = data
                record.source = run
                record.save(update_fields=["data", "source", "updated_at"])
                run.updated_count += 1
            if progress is not None and (done == total or done % 100 == 0):
                progress(done, total)
        if replace_all and existing:
            run.deleted_count = OpenDataRecord.objects.filter(pk__in=[r.pk for r in existing.values()]).delete()[0]
        run.save(update_fields=["status", "created_count", "updated_count", "deleted_count"])
        audit.record(
            action=audit.Action.CREATE,
            object_type="portal.opendatarecord",
            municipality=municipality,
            actor=user if getattr(user, "is_authenticated", False) else None,
            request=request,
            extra={
                "what": "opendata_import",
                "dataset": dataset.key,
                "file": run.file_name,
                "rows": run.row_count,
                "created": run.created_count,
                "updated": run.updated_count,
                "deleted": run.deleted_count,
            },
        )
    return run


# ---------------------------------------------------------------------------------------
# Catalogue: update dates and download counts


def last_updated(municipality: Municipality, key: str) -> dt.datetime | None:
    """When the dataset last changed: its newest record or (for derived datasets) page."""
    dataset = registry.get(key)
    with municipality_scope(municipality):
        newest = OpenDataRecord.objects.filter(dataset=key).aggregate(newest=Max("updated_at"))["newest"]
    candidates = [newest] if newest else []
    home = _home(municipality)
    if home is not None:
        page_model: type[Page] | None = {Source.EVENT_PAGES: EventPage, Source.TOURISM_PAGES: TourismSpotPage}.get(
            dataset.source
        )
        if page_model is not None:
            published = (
                page_model.objects.live().descendant_of(home).aggregate(newest=Max("last_published_at"))["newest"]
            )
            if published:
                candidates.append(published)
    if dataset.source == Source.FACILITIES:
        from madoguchi.facilities.models import Facility

        if hasattr(Facility, "updated_at"):
            with municipality_scope(municipality):
                changed = Facility.objects.filter(is_published=True).aggregate(newest=Max("updated_at"))["newest"]
            if changed:
                candidates.append(changed)
    return max(candidates) if candidates else None


def record_download(municipality: Municipality, key: str, format: str) -> None:
    """Count one download of the dataset in `format` (csv/json) today. F() increments, so
    simultaneous downloads are all counted."""
    registry.get(key)
    today = timezone.localdate()
    with municipality_scope(municipality):
        updated = DatasetDownload.objects.filter(dataset=key, format=format, date=today).update(count=F("count") + 1)
        if not updated:
            download, created = DatasetDownload.objects.get_or_create(
                municipality=municipality, dataset=key, format=format, date=today, defaults={"count": 1}
            )
            if not created:
                DatasetDownload.objects.filter(pk=download.pk).update(count=F("count") + 1)


def download_counts(municipality: Municipality) -> dict[str, int]:
    """Total downloads per dataset (all formats, all days)."""
    with municipality_scope(municipality):
        totals = DatasetDownload.objects.values("dataset").annotate(total=Sum("count"))
        return {row["dataset"]: int(row["total"] or 0) for row in totals}


@dataclass(frozen=True)
class CatalogueEntry:
    """One dataset as the catalogue shows it."""

    dataset: Dataset
    row_count: int
    updated: dt.datetime | None
    downloads: int
    csv_name: str


def catalogue(municipality: Municipality) -> list[CatalogueEntry]:
    """Every dataset with its number of rows, update date and download count."""
    counts = download_counts(municipality)
    return [
        CatalogueEntry(
            dataset=dataset,
            row_count=len(dataset_rows(municipality, dataset.key)),
            updated=last_updated(municipality, dataset.key),
            downloads=counts.get(dataset.key, 0),
            csv_name=dataset.file_name(municipality.code),
        )
        for dataset in registry.all_datasets()
    ]
