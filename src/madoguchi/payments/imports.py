"""取込: invoices issued by another system (the tax system's 調定データ) read from a CSV.

The file has a header row naming its columns (in any order; unknown columns are
ignored) and one invoice per row. It may be UTF-8 (with or without a BOM) or Shift_JIS
(cp932, as most tax systems still write it); the encoding is detected.

========  ==========================================================  ========
column    content                                                     required
========  ==========================================================  ========
宛名番号  the payer's number in the tax system                         no
氏名      payer's name                                                yes
フリガナ  payer's name in katakana (hiragana and half-width accepted)  no
郵便番号  309-1611 or 3091611                                          no
住所      address                                                     no
科目      市県民税, 固定資産税・都市計画税 …, or the two-digit code      yes
年度      fiscal year, 2025 or 令和7                                   yes
期別      instalment, 0 (全期・随時) to 12                              no
金額      amount in yen, a positive whole number (commas allowed)     yes
納期限    due date: 2025-06-30, 2025/6/30, 20250630 or 令和7年6月30日   yes
取扱期限  last day convenience stores accept the bill (default 納期限)  no
発行日    issue date (default today)                                  no
内容      description                                                 no
識別子    the sending system's unique key for the invoice             yes
========  ==========================================================  ========

Every row is validated before anything is written; any rejected row means nothing is
imported. Importing the same file again creates nothing twice (`識別子` is the invoice's
`source_reference`). A dry run reports the same outcome and writes nothing.

Importers of other formats plug in through `IMPORTERS` (`register_importer`).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from madoguchi.audit import services as audit
from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope
from madoguchi.japanese import wareki
from madoguchi.japanese.kana import non_katakana_characters, to_katakana
from madoguchi.japanese.postal import normalize_postal_code

from . import services
from .models import ITEM_CODES, Invoice, Item

MAX_ROWS = 200_000
MAX_BYTES = 50 * 1024 * 1024

COLUMNS: dict[str, str] = {
    "宛名番号": "payer_number",
    "氏名": "payer_name",
    "フリガナ": "payer_name_kana",
    "郵便番号": "payer_postal_code",
    "住所": "payer_address",
    "科目": "item",
    "年度": "fiscal_year",
    "期別": "instalment",
    "金額": "amount",
    "納期限": "due_date",
    "取扱期限": "payable_until",
    "発行日": "issued_on",
    "内容": "description",
    "識別子": "source_reference",
}
REQUIRED = ("氏名", "科目", "年度", "金額", "納期限", "識別子")
MAX_LENGTHS = {"宛名番号": 20, "氏名": 200, "フリガナ": 200, "住所": 300, "内容": 200, "識別子": 100}


@dataclass(frozen=True)
class RowError:
    """One problem of one row: `row` is the line number in the file (the header is 1)."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        if self.column:
            return _("%(row)s行目「%(column)s」：%(message)s") % {
                "row": self.row,
                "column": self.column,
                "message": self.message,
            }
        return _("%(row)s行目：%(message)s") % {"row": self.row, "message": self.message}


@dataclass
class ImportRow:
    """A valid row: what `services.create_invoice` is called with, and the invoice that
    already exists for its 識別子 (then the row changes nothing)."""

    row: int
    values: dict[str, Any]
    existing: Invoice | None = None
    invoice: Invoice | None = None


@dataclass
class ImportReport:
    """The outcome of a (dry) run: the rows to create, those already imported, and
    every rejected row's problems."""

    dry_run: bool
    encoding: str = ""
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    imported: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def to_create(self) -> list[ImportRow]:
        return [r for r in self.rows if r.existing is None]

    @property
    def already_imported(self) -> list[ImportRow]:
        return [r for r in self.rows if r.existing is not None]

    @property
    def rejected_rows(self) -> list[int]:
        return sorted({e.row for e in self.errors})

    @property
    def total_amount(self) -> int:
        return sum(r.values["amount"] for r in self.to_create)


class ImportFileError(ValueError):
    """The file as a whole cannot be read (encoding, no header, missing columns)."""


# --- reading ----------------------------------------------------------------------------


def decode(content: bytes) -> tuple[str, str]:
    """The text and the encoding it was in: UTF-8 (a BOM is dropped) or Shift_JIS."""
    if content.startswith(b"\xef\xbb\xbf"):
        try:
            return content[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            raise ImportFileError(_("ファイルの文字コードを読み取れません（UTF-8 または Shift_JIS）。")) from None
    try:
        return content.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp932"), "cp932"
    except UnicodeDecodeError:
        raise ImportFileError(_("ファイルの文字コードを読み取れません（UTF-8 または Shift_JIS）。")) from None


def _clean(value: str | None) -> str:
    return unicodedata.normalize("NFC", (value or "").replace("\x00", "")).strip()


def read_rows(content: bytes) -> tuple[str, Iterator[tuple[int, dict[str, str]]]]:
    """The encoding, and (line number, {column: text}) for each data row."""
    if len(content) > MAX_BYTES:
        raise ImportFileError(_("ファイルが大きすぎます（50MBまで）。"))
    text, encoding = decode(content)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [unicodedata.normalize("NFKC", _clean(h)) for h in next(reader)]
    except StopIteration:
        raise ImportFileError(_("ファイルが空です。")) from None
    except csv.Error as error:
        raise ImportFileError(_("1行目をCSVとして読み取れません：%(error)s") % {"error": error}) from None
    known = {unicodedata.normalize("NFKC", name): name for name in COLUMNS}
    positions = {known[h]: i for i, h in enumerate(header) if h in known}
    missing = [name for name in REQUIRED if name not in positions]
    if missing:
        raise ImportFileError(_("1行目（見出し）に必要な列がありません：%(columns)s") % {"columns": "、".join(missing)})

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        try:
            for cells in reader:
                line = reader.line_num
                if not any(c.strip() for c in cells):
                    continue
                yield line, {name: _clean(cells[i]) if i < len(cells) else "" for name, i in positions.items()}
        except csv.Error as error:
            raise ImportFileError(
                _("%(row)s行目をCSVとして読み取れません：%(error)s") % {"row": reader.line_num, "error": error}
            ) from None

    return encoding, rows()


# --- validating -------------------------------------------------------------------------

_ITEM_NAMES: dict[str, str] = {}


def _item(value: str) -> str | None:
    if not _ITEM_NAMES:
        for item in Item:
            _ITEM_NAMES[item.value] = item.value
            _ITEM_NAMES[str(item.label)] = item.value
            _ITEM_NAMES[ITEM_CODES[item.value]] = item.value
        # As tax systems commonly shorten them.
        _ITEM_NAMES.update(
            {
                "市民税": Item.MUNICIPAL_INHABITANT_TAX,
                "住民税": Item.MUNICIPAL_INHABITANT_TAX,
                "個人住民税": Item.MUNICIPAL_INHABITANT_TAX,
                "固定資産税": Item.FIXED_ASSET_TAX,
                "国保税": Item.NATIONAL_HEALTH_INSURANCE_TAX,
            }
        )
    return _ITEM_NAMES.get(unicodedata.normalize("NFKC", value))


def _integer(value: str) -> int | None:
    text = unicodedata.normalize("NFKC", value).replace(",", "").replace("円", "").strip()
    return int(text) if re.fullmatch(r"-?\d{1,15}", text) else None


def _fiscal_year(value: str) -> int | None:
    text = unicodedata.normalize("NFKC", value).replace("年度", "").strip()
    if re.fullmatch(r"\d{4}", text):
        year = int(text)
        return year if 2000 <= year <= 2099 else None
    try:
        return wareki.parse_date(f"{text}年4月1日", allow_gregorian=False).year
    except (wareki.WarekiError, ValueError):
        return None


def _date(value: str) -> date | None:
    try:
        return wareki.parse_date(value)
    except (wareki.WarekiError, ValueError):
        return None


def validate_row(row: int, cells: dict[str, str]) -> tuple[dict[str, Any], list[RowError]]:
    """The arguments of `create_invoice` for one row, and what is wrong with it."""
    errors: list[RowError] = []
    values: dict[str, Any] = {}

    def error(column: str, message: str) -> None:
        errors.append(RowError(row, column, message))

    for column in REQUIRED:
        if not cells.get(column):
            error(column, _("入力がありません。"))
    for column, limit in MAX_LENGTHS.items():
        if len(cells.get(column, "")) > limit:
            error(column, _("%(limit)s文字以内にしてください。") % {"limit": limit})
    for column in ("宛名番号", "氏名", "住所", "内容", "識別子"):
        values[COLUMNS[column]] = cells.get(column, "")

    if kana := cells.get("フリガナ", ""):
        kana = to_katakana(kana)
        if bad := non_katakana_characters(kana):
            error("フリガナ", _("カタカナ以外の文字があります：%(chars)s") % {"chars": "".join(bad[:5])})
        values["payer_name_kana"] = kana
    if postal := cells.get("郵便番号", ""):
        normalised = normalize_postal_code(postal)
        if normalised is None:
            error("郵便番号", _("7桁の数字で入力してください（例：309-1611）。"))
        values["payer_postal_code"] = normalised or ""
    if value := cells.get("科目", ""):
        item = _item(value)
        if item is None:
            error("科目", _("「%(value)s」は科目として登録されていません。") % {"value": value})
        values["item"] = item
    if value := cells.get("年度", ""):
        year = _fiscal_year(value)
        if year is None:
            error("年度", _("年度は西暦4桁（例：2025）か和暦（例：令和7）で入力してください。"))
        values["fiscal_year"] = year
    instalment = _integer(cells.get("期別", "") or "0")
    if instalment is None or not 0 <= instalment <= 12:
        error("期別", _("期別は0から12の数字で入力してください。"))
    values["instalment"] = instalment or 0
    if value := cells.get("金額", ""):
        amount = _integer(value)
        if amount is None or amount <= 0:
            error("金額", _("金額は1以上の整数（円）で入力してください。"))
        elif amount > 9_999_999_999:
            error("金額", _("金額が大きすぎます。"))
        values["amount"] = amount
    for column in ("納期限", "取扱期限", "発行日"):
        if value := cells.get(column, ""):
            day = _date(value)
            if day is None:
                error(column, _("日付を読み取れません（例：2025-06-30 または 令和7年6月30日）。"))
            values[COLUMNS[column]] = day
    due, until = values.get("due_date"), values.get("payable_until")
    if due and until and until < due:
        error("取扱期限", _("取扱期限は納期限より前にできません。"))
    return values, errors


LOOKUP_CHUNK = 1000


def validate(municipality: Municipality, content: bytes, *, dry_run: bool = True) -> ImportReport:
    """Read and check the whole file; nothing is written."""
    report = ImportReport(dry_run=dry_run)
    valid: list[ImportRow] = []
    try:
        report.encoding, rows = read_rows(content)
        seen: dict[str, int] = {}
        for count, (line, cells) in enumerate(rows, start=1):
            if count > MAX_ROWS:
                raise ImportFileError(_("行が多すぎます（%(max)s行まで）。") % {"max": MAX_ROWS})
            values, errors = validate_row(line, cells)
            reference = values["source_reference"]
            if reference and reference in seen:
                errors.append(RowError(line, "識別子", _("%(row)s行目と同じ識別子です。") % {"row": seen[reference]}))
            elif reference:
                seen[reference] = line
            if errors:
                report.errors.extend(errors)
            else:
                valid.append(ImportRow(line, values))
    except ImportFileError as error:
        report.errors.append(RowError(0, "", str(error)))
        return report
    # What was imported before, looked up a chunk of identifiers at a time.
    with municipality_scope(municipality):
        for start in range(0, len(valid), LOOKUP_CHUNK):
            chunk = valid[start : start + LOOKUP_CHUNK]
            existing = {
                i.source_reference: i
                for i in Invoice.objects.filter(source_reference__in=[r.values["source_reference"] for r in chunk])
            }
            for entry in chunk:
                invoice = existing.get(entry.values["source_reference"])
                if invoice is not None and (
                    invoice.amount != entry.values["amount"] or invoice.item != entry.values["item"]
                ):
                    report.errors.append(
                        RowError(
                            entry.row,
                            "識別子",
                            _("この識別子の納付書（%(number)s）は別の科目・金額で取り込み済みです。")
                            % {"number": invoice.number},
                        )
                    )
                    continue
                entry.existing = invoice
                report.rows.append(entry)
    report.errors.sort(key=lambda e: e.row)
    if not report.rows and not report.errors:
        report.errors.append(RowError(0, "", _("取り込む行がありません。")))
    return report


def import_invoices(
    municipality: Municipality,
    content: bytes,
    *,
    dry_run: bool = False,
    actor: Any = None,
    request: Any = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import the file: everything or, if any row is rejected, nothing (one transaction).
    With `dry_run` only the report is made."""
    report = validate(municipality, content, dry_run=dry_run)
    if dry_run or not report.ok:
        return report
    todo = report.to_create
    try:
        with transaction.atomic():
            for done, entry in enumerate(todo, start=1):
                try:
                    entry.invoice = services.create_invoice(
                        municipality=municipality,
                        actor=actor,
                        **{k: v for k, v in entry.values.items() if v is not None},
                    )
                except (ValidationError, services.PaymentError, ValueError) as error:
                    messages = error.messages if isinstance(error, ValidationError) else [str(error)]
                    report.errors.append(RowError(entry.row, "", " ".join(messages)))
                    raise
                if progress is not None:
                    progress(done, len(todo))
            audit.record(
                action=audit.Action.CREATE,
                object_type="payments.invoice",
                municipality=municipality,
                actor=actor,
                request=request,
                personal_data=True,
                extra={
                    "import": "tax_csv",
                    "created": len(todo),
                    "already_imported": len(report.already_imported),
                    "encoding": report.encoding,
                },
            )
    except (ValidationError, services.PaymentError, ValueError):
        for entry in todo:
            entry.invoice = None
        return report
    report.imported = True
    return report


# --- registry ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Importer:
    """A file format invoices can be imported from."""

    name: str
    label: Any
    run: Callable[..., ImportReport]


IMPORTERS: dict[str, Importer] = {}


def register_importer(importer: Importer) -> Importer:
    IMPORTERS[importer.name] = importer
    return importer


register_importer(Importer("tax_csv", gettext_lazy("税務システムの調定データ（CSV）"), import_invoices))
