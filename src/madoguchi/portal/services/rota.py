"""休日当番医 (the holiday emergency doctor rota): what the rota page shows and how staff
keep the rota — one duty at a time in the console, or a whole rota from the medical
association's CSV file.

The CSV layout is this module's own (`ROTA_COLUMNS`, Japanese headings, UTF-8 with or
without BOM, the console's export writes the same layout so that an exported file imports
again). An import is all or nothing: every row is checked first and any broken row is
reported with its line in the file (the heading is line 1); only a clean file is written,
in one transaction. Importing the same file twice changes nothing (a duty is the same
duty when its date, kind and institution are the same).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from madoguchi.audit import services as audit
from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope
from madoguchi.portal.models import DutyKind, HolidayDoctorDuty

#: The rota file's columns, in order (the console's CSV export writes the same).
ROTA_COLUMNS: tuple[str, ...] = ("日付", "診療科目", "医療機関名", "所在地", "電話番号", "受付開始", "受付終了", "備考")
REQUIRED_COLUMNS: tuple[str, ...] = ROTA_COLUMNS[:7]
#: The largest rota file accepted (a year of duties is a few hundred rows).
MAX_ROWS = 5000
MAX_BYTES = 1024 * 1024

DUTY_FIELDS = ("date", "kind", "institution", "address", "phone", "opens_at", "closes_at", "note")


# --- Reading: the rota page -------------------------------------------------------------


@dataclass(frozen=True)
class DutyDay:
    """One day of the rota with its duties (in the order of kind, then institution)."""

    date: dt.date
    is_today: bool
    duties: list[HolidayDoctorDuty]


def coming_duties(
    municipality: Municipality,
    *,
    weeks: int = 8,
    kind: str = "",
    today: dt.date | None = None,
) -> list[DutyDay]:
    """The duties from today to `weeks` weeks ahead, grouped by date (today's first when
    there is one). `kind` keeps one 診療科目; a kind that does not exist keeps nothing
    rather than everything (the page says so)."""
    today = today or timezone.localdate()
    until = today + dt.timedelta(weeks=max(weeks, 1))
    duties = HolidayDoctorDuty.unscoped.filter(municipality=municipality, date__gte=today, date__lt=until)
    if kind:
        duties = duties.filter(kind=kind)
    # Kinds in the order of their choices (内科 first), not alphabetically by stored value.
    order = {value: position for position, value in enumerate(DutyKind.values)}
    days: dict[dt.date, list[HolidayDoctorDuty]] = {}
    for duty in sorted(duties, key=lambda d: (d.date, order.get(d.kind, 99), d.institution)):
        days.setdefault(duty.date, []).append(duty)
    return [DutyDay(date=day, is_today=day == today, duties=found) for day, found in days.items()]


def kind_choices() -> list[tuple[str, str]]:
    """(value, label) of every 診療科目, for the page's filter."""
    return [(str(value), str(label)) for value, label in DutyKind.choices]


def valid_kind(value: str) -> str:
    """The kind asked for when it is one, else "" (all kinds)."""
    return value if value in DutyKind.values else ""


# --- Changing duties (console) -----------------------------------------------------------


def _check(duty: HolidayDoctorDuty) -> None:
    """The model's checks, and the one-duty-per-day-kind-institution rule in words (the
    constraint's own message names the constraint)."""
    duty.full_clean(validate_constraints=False)
    clash = HolidayDoctorDuty.unscoped.filter(
        municipality_id=duty.municipality_id, date=duty.date, kind=duty.kind, institution=duty.institution
    )
    if duty.pk:
        clash = clash.exclude(pk=duty.pk)
    if clash.exists():
        raise ValidationError(
            {"institution": _("この日・診療科目の当番医として、この医療機関は既に登録されています。")}
        )


@transaction.atomic
def save_duty(
    duty: HolidayDoctorDuty, *, actor: Any = None, request: HttpRequest | None = None, fields: Iterable[str] = ()
) -> HolidayDoctorDuty:
    """Create or change one duty of its municipality (checked, audited)."""
    creating = duty.pk is None
    with municipality_scope(duty.municipality):
        _check(duty)
        duty.save()
    audit.record(
        action=audit.Action.CREATE if creating else audit.Action.UPDATE,
        obj=duty,
        fields=list(fields) or list(DUTY_FIELDS),
        municipality=duty.municipality,
        actor=actor,
        request=request,
    )
    return duty


@transaction.atomic
def delete_duty(duty: HolidayDoctorDuty, *, actor: Any = None, request: HttpRequest | None = None) -> None:
    audit.record(
        action=audit.Action.DELETE,
        obj=duty,
        municipality=duty.municipality,
        actor=actor,
        request=request,
        extra={"date": duty.date.isoformat(), "kind": duty.kind, "institution": duty.institution},
    )
    duty.delete()


# --- Import from CSV --------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """A problem with one line of the file (line 1 is the heading; 0: the file itself)."""

    line: int
    message: str
    column: str = ""


@dataclass
class RotaImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class RotaImportError(Exception):
    """The file was refused; `errors` says why, by line. Nothing was written."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("; ".join(f"{e.line}: {e.message}" for e in errors))
        self.errors = errors


def _normal(text: str) -> str:
    """Headings and values as typed in Excel: full-width digits and colons, spaces."""
    return unicodedata.normalize("NFKC", text or "").strip()


def _kind_lookup() -> dict[str, str]:
    """診療科目 as written in a file → the stored value: the Japanese name (内科), the
    English name, or the stored value itself."""
    lookup: dict[str, str] = {}
    for language in ("en", "ja"):
        with translation.override(language):
            for value, label in DutyKind.choices:
                lookup[_normal(str(label)).casefold()] = str(value)
    for value in DutyKind.values:
        lookup[value] = str(value)
    # 内科・小児科 is also written with a slash or a comma by some medical associations.
    for spelling in ("内科/小児科", "内科、小児科", "内科,小児科", "内科･小児科"):
        lookup[_normal(spelling)] = str(DutyKind.INTERNAL_PAEDIATRICS)
    return lookup


def japanese_kind(value: str) -> str:
    """The 診療科目's Japanese name, as rota files write it."""
    with translation.override("ja"):
        return str(DutyKind(value).label)


def _parse_date(value: str) -> dt.date | None:
    text = _normal(value).replace("/", "-").replace(".", "-")
    try:
        parts = [int(p) for p in text.split("-")]
        if len(parts) != 3:
            return None
        return dt.date(parts[0], parts[1], parts[2])
    except ValueError:
        return None


def _parse_time(value: str) -> dt.time | None:
    text = _normal(value)
    try:
        parts = [int(p) for p in text.split(":")]
        if len(parts) not in (2, 3):
            return None
        return dt.time(parts[0], parts[1], parts[2] if len(parts) == 3 else 0)
    except ValueError:
        return None


def _decode(data: bytes) -> str | None:
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def read_rota(
    municipality: Municipality, upload: IO[bytes] | bytes
) -> tuple[list[HolidayDoctorDuty], RotaImportResult]:
    """Check every row of a rota file; the duties it describes (not saved) and the errors."""
    result = RotaImportResult()
    data = upload if isinstance(upload, bytes) else upload.read()
    if len(data) > MAX_BYTES:
        result.errors.append(RowError(0, _("ファイルが大きすぎます（1MBまで）。")))
        return [], result
    text = _decode(data)
    if text is None:
        result.errors.append(RowError(0, _("文字コードを読み取れません。UTF-8のCSVで保存してください。")))
        return [], result
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        heading = next(reader)
    except (StopIteration, csv.Error):
        result.errors.append(RowError(1, _("見出しの行がありません。")))
        return [], result
    names = [_normal(name) for name in heading]
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing:
        result.errors.append(
            RowError(1, _("見出しに次の列がありません：%(columns)s") % {"columns": "、".join(missing)})
        )
        return [], result
    index = {name: names.index(name) for name in ROTA_COLUMNS if name in names}
    kinds = _kind_lookup()
    duties: list[HolidayDoctorDuty] = []
    seen: dict[tuple[dt.date, str, str], int] = {}
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            result.rows += 1
            if result.rows > MAX_ROWS:
                result.errors.append(RowError(line, _("行が多すぎます（%(max)s行まで）。") % {"max": MAX_ROWS}))
                break
            duty = _read_row(municipality, row, index, kinds, line, result.errors)
            if duty is None:
                continue
            key = (duty.date, duty.kind, duty.institution)
            if key in seen:
                result.errors.append(
                    RowError(line, _("%(line)s行目と同じ当番（日付・診療科目・医療機関）です。") % {"line": seen[key]})
                )
                continue
            seen[key] = line
            duties.append(duty)
    except csv.Error as error:
        result.errors.append(RowError(reader.line_num, _("CSVとして読み取れません（%(error)s）。") % {"error": error}))
    if not result.rows and not result.errors:
        result.errors.append(RowError(2, _("当番のデータがありません。")))
    return duties, result


def _read_row(
    municipality: Municipality,
    row: list[str],
    index: dict[str, int],
    kinds: dict[str, str],
    line: int,
    errors: list[RowError],
) -> HolidayDoctorDuty | None:
    def cell(name: str) -> str:
        # Names and addresses are kept as written (「（デモ）」 stays full width); dates,
        # times, kinds and phone numbers are folded (NFKC) where they are parsed.
        position = index.get(name)
        return row[position].strip() if position is not None and position < len(row) else ""

    found: list[RowError] = []
    for name in REQUIRED_COLUMNS:
        if not cell(name):
            found.append(RowError(line, _("「%(column)s」が空です。") % {"column": name}, name))
    day = _parse_date(cell("日付")) if cell("日付") else None
    if cell("日付") and day is None:
        found.append(RowError(line, _("「日付」は 2026-01-12 の形で入力してください。"), "日付"))
    kind = kinds.get(_normal(cell("診療科目")).casefold(), "") if cell("診療科目") else ""
    if cell("診療科目") and not kind:
        found.append(
            RowError(
                line,
                _("「診療科目」は次のいずれかにしてください：%(kinds)s")
                % {"kinds": "、".join(str(label) for _v, label in DutyKind.choices)},
                "診療科目",
            )
        )
    opens = _parse_time(cell("受付開始")) if cell("受付開始") else None
    closes = _parse_time(cell("受付終了")) if cell("受付終了") else None
    for name, value, parsed in (("受付開始", cell("受付開始"), opens), ("受付終了", cell("受付終了"), closes)):
        if value and parsed is None:
            found.append(RowError(line, _("「%(column)s」は 09:00 の形で入力してください。") % {"column": name}, name))
    if found:
        errors.extend(found)
        return None
    assert day is not None
    assert opens is not None
    assert closes is not None
    duty = HolidayDoctorDuty(
        municipality=municipality,
        date=day,
        kind=kind,
        institution=cell("医療機関名"),
        address=cell("所在地"),
        phone=_normal(cell("電話番号")),
        opens_at=opens,
        closes_at=closes,
        note=cell("備考"),
    )
    try:
        duty.full_clean(validate_constraints=False, validate_unique=False)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            column = _column_of(name)
            for message in messages:
                errors.append(RowError(line, f"「{column}」{message}" if column else message, column))
        return None
    return duty


def _column_of(field_name: str) -> str:
    try:
        return ROTA_COLUMNS[DUTY_FIELDS.index(field_name)]
    except ValueError:
        return ""


def import_rota(
    municipality: Municipality,
    upload: IO[bytes] | bytes,
    *,
    actor: Any = None,
    request: HttpRequest | None = None,
    file_name: str = "",
) -> RotaImportResult:
    """Import a rota file: nothing is written unless every row is right (`RotaImportError`
    with the errors by line otherwise). Existing duties (same date, kind, institution)
    are updated, new ones added; duties not in the file stay."""
    duties, result = read_rota(municipality, upload)
    if result.errors:
        raise RotaImportError(result.errors)
    with transaction.atomic(), municipality_scope(municipality):
        existing = {
            (d.date, d.kind, d.institution): d
            for d in HolidayDoctorDuty.unscoped.select_for_update().filter(
                municipality=municipality, date__in={duty.date for duty in duties}
            )
        }
        for duty in duties:
            current = existing.get((duty.date, duty.kind, duty.institution))
            if current is None:
                duty.save()
                result.created += 1
                continue
            changed = [name for name in DUTY_FIELDS if getattr(current, name) != getattr(duty, name)]
            if not changed:
                result.unchanged += 1
                continue
            for name in changed:
                setattr(current, name, getattr(duty, name))
            current.full_clean(validate_constraints=False, validate_unique=False)
            current.save()
            result.updated += 1
        audit.record(
            action=audit.Action.CREATE,
            object_type="portal.holidaydoctorduty",
            municipality=municipality,
            actor=actor,
            request=request,
            extra={
                "what": "rota_import",
                "file": file_name[:200],
                "rows": result.rows,
                "created": result.created,
                "updated": result.updated,
            },
        )
    return result


def export_rows(municipality: Municipality, duties: Iterable[HolidayDoctorDuty]) -> list[list[str]]:
    """The rows of a rota file (heading first) for `duties`, in the layout `import_rota`
    reads."""
    rows = [list(ROTA_COLUMNS)]
    for duty in duties:
        rows.append(
            [
                duty.date.isoformat(),
                japanese_kind(duty.kind),
                duty.institution,
                duty.address,
                duty.phone,
                duty.opens_at.strftime("%H:%M"),
                duty.closes_at.strftime("%H:%M"),
                duty.note,
            ]
        )
    return rows
