"""The Zengin (全銀協規定形式) 預金口座振替 file: the request file a municipality sends to
its bank and the result file the bank sends back, in one layout.

Every record is 120 bytes of JIS X 0201 (Shift_JIS / cp932 single-byte characters:
digits, upper-case letters, half-width katakana, space and ( ) . - /):

- one header record (データ区分 1, 種別コード 91 口座振替),
- one data record (2) per transfer,
- one trailer record (8) with the counts and totals,
- one end record (9).

N fields are digits, right-aligned and zero-filled; C fields are left-aligned and
space-filled. `write_file()` ends every record with CRLF (as banks write result
files); `parse_file()` accepts records with CRLF, with LF or without any separator.

`parse_file()` checks everything — record order and length, numeric fields, codes, the
trailer's counts and totals against the data records — and raises `ZenginError` naming
the line (record) number and the field that is wrong.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

RECORD_LENGTH = 120
ENCODING = "cp932"
TRANSFER_TYPE_CODE = "91"  # 種別コード: 預金口座振替
JIS_CODE = "0"  # コード区分: JIS
SEPARATOR = b"\r\n"

#: 振替結果コード as the 全銀協 layout defines them.
RESULT_CODES: dict[str, Any] = {
    "0": _("振替済"),
    "1": _("資金不足"),
    "2": _("取引なし"),
    "3": _("預金者の都合による振替停止"),
    "4": _("預金口座振替依頼書なし"),
    "8": _("委託者の都合による振替停止"),
    "9": _("その他"),
}
TRANSFERRED = "0"

#: 新規コード: 1 the first collection from an account, 2 the account changed, 0 otherwise.
NEW_CODES: dict[str, Any] = {"0": _("その他"), "1": _("第1回引落分"), "2": _("変更分")}

#: 預金種目 of the data records (1 普通, 2 当座, 4 貯蓄, 9 その他).
ACCOUNT_TYPES = frozenset({"1", "2", "4", "9"})

# The characters a C field may hold, as bytes of JIS X 0201.
_ALLOWED_BYTES = frozenset(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ()./- ") | frozenset(range(0xA1, 0xE0))


class ZenginError(ValueError):
    """What is wrong with a file, where: `line` is the record's number (from 1), `field`
    the name of the field as the layout calls it."""

    def __init__(self, line: int, field: str | Promise, problem: str | Promise) -> None:
        self.line = line
        self.field = str(field)
        self.problem = problem
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return str(
            _("%(line)d行目の「%(field)s」: %(problem)s")
            % {"line": self.line, "field": self.field, "problem": self.problem}
        )


# --- the layout -------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    name: str  # attribute of the record's dataclass ("" for fixed values and dummies)
    label: Any  # 項目名
    length: int
    numeric: bool


def _f(name: str, label: Any, length: int, numeric: bool = True) -> Field:
    return Field(name, label, length, numeric)


HEADER_FIELDS = (
    _f("", _("データ区分"), 1),
    _f("type_code", _("種別コード"), 2),
    _f("code_kind", _("コード区分"), 1),
    _f("consignor_code", _("委託者コード"), 10),
    _f("consignor_name", _("委託者名"), 40, numeric=False),
    _f("transfer_mmdd", _("引落日"), 4),
    _f("bank_code", _("取引銀行番号"), 4),
    _f("bank_name", _("取引銀行名"), 15, numeric=False),
    _f("branch_code", _("取引支店番号"), 3),
    _f("branch_name", _("取引支店名"), 15, numeric=False),
    _f("account_type", _("預金種目（委託者）"), 1),
    _f("account_number", _("口座番号（委託者）"), 7),
    _f("", _("ダミー"), 17, numeric=False),
)
DATA_FIELDS = (
    _f("", _("データ区分"), 1),
    _f("bank_code", _("引落銀行番号"), 4),
    _f("bank_name", _("引落銀行名"), 15, numeric=False),
    _f("branch_code", _("引落支店番号"), 3),
    _f("branch_name", _("引落支店名"), 15, numeric=False),
    _f("", _("ダミー"), 4, numeric=False),
    _f("account_type", _("預金種目"), 1),
    _f("account_number", _("口座番号"), 7),
    _f("holder_name", _("預金者名"), 30, numeric=False),
    _f("amount", _("引落金額"), 10),
    _f("new_code", _("新規コード"), 1),
    _f("customer_number", _("顧客番号"), 20),
    _f("result_code", _("振替結果コード"), 1),
    _f("", _("ダミー"), 8, numeric=False),
)
TRAILER_FIELDS = (
    _f("", _("データ区分"), 1),
    _f("total_count", _("合計件数"), 6),
    _f("total_amount", _("合計金額"), 12),
    _f("transferred_count", _("振替済件数"), 6),
    _f("transferred_amount", _("振替済金額"), 12),
    _f("failed_count", _("振替不能件数"), 6),
    _f("failed_amount", _("振替不能金額"), 12),
    _f("", _("ダミー"), 65, numeric=False),
)
END_FIELDS = (_f("", _("データ区分"), 1), _f("", _("ダミー"), 119, numeric=False))

assert all(
    sum(f.length for f in fs) == RECORD_LENGTH for fs in (HEADER_FIELDS, DATA_FIELDS, TRAILER_FIELDS, END_FIELDS)
)


# --- records ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Header:
    """ヘッダー・レコード: who asks (委託者) which bank to collect on which day."""

    consignor_code: str  # 委託者コード, 10 digits
    consignor_name: str  # 委託者名, half-width kana
    transfer_mmdd: str  # 引落日, MMDD (the file carries no year)
    bank_code: str  # 取引銀行番号
    bank_name: str
    branch_code: str
    branch_name: str
    account_type: str = "0"  # 預金種目 of the consignor's account
    account_number: str = "0000000"
    type_code: str = TRANSFER_TYPE_CODE
    code_kind: str = JIS_CODE

    @staticmethod
    def mmdd(day: dt.date) -> str:
        return f"{day.month:02d}{day.day:02d}"


@dataclass(frozen=True)
class DataRecord:
    """データ・レコード: one collection from one account."""

    bank_code: str
    bank_name: str
    branch_code: str
    branch_name: str
    account_type: str
    account_number: str
    holder_name: str  # 預金者名, half-width kana, up to 30
    amount: int
    customer_number: str  # 顧客番号, up to 20 digits
    new_code: str = "0"
    result_code: str = "0"  # the request carries 0; the bank's result its outcome


@dataclass(frozen=True)
class Trailer:
    """トレーラ・レコード: counts and totals of the data records."""

    total_count: int
    total_amount: int
    transferred_count: int = 0
    transferred_amount: int = 0
    failed_count: int = 0
    failed_amount: int = 0


@dataclass(frozen=True)
class TransferFile:
    header: Header
    records: list[DataRecord] = field(default_factory=list)
    trailer: Trailer | None = None
    #: the line numbers of the data records in the file read (for errors found later)
    lines: list[int] = field(default_factory=list)


def trailer_for(records: Iterable[DataRecord], *, result: bool) -> Trailer:
    """The trailer of these records; the counts by outcome only in a result file."""
    records = list(records)
    trailer = Trailer(len(records), sum(r.amount for r in records))
    if not result:
        return trailer
    done = [r for r in records if r.result_code == TRANSFERRED]
    failed = [r for r in records if r.result_code != TRANSFERRED]
    return Trailer(
        trailer.total_count,
        trailer.total_amount,
        len(done),
        sum(r.amount for r in done),
        len(failed),
        sum(r.amount for r in failed),
    )


# --- writing ----------------------------------------------------------------------------


def _encode_field(spec: Field, value: Any, kind: str) -> bytes:
    text = str(value)
    if spec.numeric:
        if not text.isascii() or not text.isdigit() or len(text) > spec.length:
            raise ValueError(f"{kind} {spec.name}: {text!r} is not a number of at most {spec.length} digits")
        return text.zfill(spec.length).encode("ascii")
    try:
        data = text.encode(ENCODING)
    except UnicodeEncodeError:
        raise ValueError(f"{kind} {spec.name}: {text!r} is not in the Zengin character set") from None
    if any(b not in _ALLOWED_BYTES for b in data):
        raise ValueError(f"{kind} {spec.name}: {text!r} is not in the Zengin character set")
    # Names longer than the field are cut, as banks do (ﾞ and ﾟ are one byte each).
    return data[: spec.length].ljust(spec.length, b" ")


def _record(kind: str, fields: tuple[Field, ...], obj: Any) -> bytes:
    out = kind.encode("ascii")  # データ区分
    for spec in fields[1:]:
        out += _encode_field(spec, getattr(obj, spec.name), kind) if spec.name else b" " * spec.length
    assert len(out) == RECORD_LENGTH
    return out


def write_file(header: Header, records: Iterable[DataRecord], *, result: bool = False) -> bytes:
    """The file's bytes: every record 120 bytes followed by CRLF. `result=True` writes a
    result file (the trailer counts what was transferred and what was not)."""
    records = list(records)
    lines = [_record("1", HEADER_FIELDS, header)]
    lines += [_record("2", DATA_FIELDS, r) for r in records]
    lines.append(_record("8", TRAILER_FIELDS, trailer_for(records, result=result)))
    lines.append(b"9" + b" " * (RECORD_LENGTH - 1))
    return b"".join(line + SEPARATOR for line in lines)


# --- reading ----------------------------------------------------------------------------


def split_records(data: bytes) -> list[bytes]:
    """The records of a file: lines ended by CRLF or LF, or 120-byte blocks when the file
    has no separators. A lone CR, or a length that is not 120, is an error of that line."""
    if data.endswith(b"\x1a"):  # an old DOS end-of-file mark
        data = data[:-1]
    if not data:
        raise ZenginError(1, _("ファイル"), _("ファイルが空です。"))
    if b"\n" in data or b"\r" in data:
        lines = data.split(b"\n")
        if lines[-1] == b"":  # the last record may also come without a separator
            lines.pop()
        records = []
        for number, line in enumerate(lines, start=1):
            if line.endswith(b"\r"):
                line = line[:-1]
            if b"\r" in line:
                raise ZenginError(
                    number, _("レコード"), _("改行はCRLFまたはLFにしてください（CRだけの改行があります）。")
                )
            if len(line) != RECORD_LENGTH:
                raise ZenginError(
                    number,
                    _("レコード"),
                    _("長さが%(length)dバイトです（120バイトのはずです）。") % {"length": len(line)},
                )
            records.append(line)
        return records
    if len(data) % RECORD_LENGTH:
        raise ZenginError(
            len(data) // RECORD_LENGTH + 1,
            _("レコード"),
            _("長さが%(length)dバイトです（120バイトのはずです）。") % {"length": len(data) % RECORD_LENGTH},
        )
    return [data[i : i + RECORD_LENGTH] for i in range(0, len(data), RECORD_LENGTH)]


def _read_fields(line: int, record: bytes, fields: tuple[Field, ...]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    position = 0
    for spec in fields:
        raw = record[position : position + spec.length]
        position += spec.length
        if spec.numeric:
            if not (raw.isascii() and raw.isdigit()):
                raise ZenginError(line, spec.label, _("数字ではありません。"))
            text = raw.decode("ascii")
        else:
            if any(b not in _ALLOWED_BYTES for b in raw):
                raise ZenginError(line, spec.label, _("全銀協の文字（半角カナ・英大文字・数字）以外の文字があります。"))
            text = raw.decode(ENCODING).rstrip(" ")
        if spec.name:
            values[spec.name] = text
    return values


def _code(line: int, label: Any, value: str, allowed: Iterable[str]) -> str:
    if value not in allowed:
        raise ZenginError(line, label, _("「%(value)s」は使えないコードです。") % {"value": value})
    return value


def _label(fields: tuple[Field, ...], name: str) -> Any:
    return next(f.label for f in fields if f.name == name)


def _parse_header(line: int, record: bytes) -> Header:
    values = _read_fields(line, record, HEADER_FIELDS)
    _code(line, _label(HEADER_FIELDS, "type_code"), values["type_code"], {TRANSFER_TYPE_CODE})
    _code(line, _label(HEADER_FIELDS, "code_kind"), values["code_kind"], {JIS_CODE})
    mmdd = values["transfer_mmdd"]
    try:
        dt.date(2000, int(mmdd[:2]), int(mmdd[2:]))  # a leap year: 0229 is a date
    except ValueError:
        raise ZenginError(line, _label(HEADER_FIELDS, "transfer_mmdd"), _("月日（MMDD）ではありません。")) from None
    return Header(**values)


def _parse_data(line: int, record: bytes, *, result: bool) -> DataRecord:
    values = _read_fields(line, record, DATA_FIELDS)
    _code(line, _label(DATA_FIELDS, "account_type"), values["account_type"], ACCOUNT_TYPES)
    _code(line, _label(DATA_FIELDS, "new_code"), values["new_code"], NEW_CODES)
    if not values["holder_name"]:
        raise ZenginError(line, _label(DATA_FIELDS, "holder_name"), _("空欄です。"))
    amount = int(values.pop("amount"))
    if amount <= 0:
        raise ZenginError(line, _label(DATA_FIELDS, "amount"), _("金額が0円です。"))
    allowed_results = RESULT_CODES if result else {TRANSFERRED}
    _code(line, _label(DATA_FIELDS, "result_code"), values["result_code"], allowed_results)
    return DataRecord(amount=amount, **values)


def _parse_trailer(line: int, record: bytes) -> Trailer:
    values = _read_fields(line, record, TRAILER_FIELDS)
    return Trailer(**{name: int(value) for name, value in values.items()})


def parse_file(data: bytes, *, result: bool = False) -> TransferFile:
    """Read and check a request file (`result=False`) or the bank's result file.

    The order must be header, data records, trailer, end; the trailer's 合計件数 and
    合計金額 must be those of the data records, and in a result file its 振替済 and
    振替不能 counts and amounts those of the result codes. A request file carries
    振替結果コード 0 and zero counts of outcomes."""
    records = split_records(data)
    header: Header | None = None
    body: list[DataRecord] = []
    body_lines: list[int] = []
    trailer: Trailer | None = None
    trailer_line = 0
    ended = False
    record_type_label = _("データ区分")
    for number, record in enumerate(records, start=1):
        kind = record[:1]
        if ended:
            raise ZenginError(number, record_type_label, _("エンド・レコードの後にレコードがあります。"))
        if kind == b"1":
            if header is not None:
                raise ZenginError(number, record_type_label, _("ヘッダー・レコードが二つあります。"))
            if number != 1:
                raise ZenginError(number, record_type_label, _("ヘッダー・レコードは先頭に置いてください。"))
            header = _parse_header(number, record)
        elif kind == b"2":
            if header is None or trailer is not None:
                raise ZenginError(
                    number, record_type_label, _("データ・レコードはヘッダーとトレーラの間に置いてください。")
                )
            body.append(_parse_data(number, record, result=result))
            body_lines.append(number)
        elif kind == b"8":
            if header is None or trailer is not None:
                raise ZenginError(number, record_type_label, _("トレーラ・レコードの位置が正しくありません。"))
            trailer = _parse_trailer(number, record)
            trailer_line = number
        elif kind == b"9":
            if trailer is None:
                raise ZenginError(
                    number, record_type_label, _("エンド・レコードの前にトレーラ・レコードがありません。")
                )
            _read_fields(number, record, END_FIELDS)
            ended = True
        else:
            raise ZenginError(
                number,
                record_type_label,
                _("「%(value)s」はデータ区分ではありません（1・2・8・9）。")
                % {"value": record[:1].decode(ENCODING, "replace")},
            )
    if header is None:
        raise ZenginError(1, record_type_label, _("ヘッダー・レコードがありません。"))
    if not ended:
        raise ZenginError(len(records), record_type_label, _("エンド・レコードがありません。"))
    assert trailer is not None
    expected = trailer_for(body, result=result)
    for name in (
        "total_count",
        "total_amount",
        "transferred_count",
        "transferred_amount",
        "failed_count",
        "failed_amount",
    ):
        found, wanted = getattr(trailer, name), getattr(expected, name)
        if found != wanted:
            raise ZenginError(
                trailer_line,
                _label(TRAILER_FIELDS, name),
                _("%(found)sですが、データ・レコードからは%(expected)sです。") % {"found": found, "expected": wanted},
            )
    return TransferFile(header=header, records=body, trailer=trailer, lines=body_lines)
