"""Importers of payment notice files (収納データ), one module per format.

Each format turns a file into `NoticeRecord`s *as a generator*: the file is read line by
line and never held in memory whole, so that a file of millions of records is imported
in bounded memory. A record that does not follow the format raises `NoticeFormatError`
with its line number; the import then rolls back whole (see
`payments.reconciliation.import_notice_file`).

Formats register themselves with `register()`; `get_format(name)` and
`available_formats()` are what the services, the staff screen and the management command
use.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any, ClassVar

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ..models import NoticeKind, PaymentSettings


class NoticeFormatError(ValueError):
    """The file does not follow its format; `line` is the 1-based line number."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


@dataclass(frozen=True)
class NoticeRecord:
    """One payment as a channel reported it.

    `record_key` identifies the record within the channel and kind (the unique key of a
    `PaymentNotice`); `reference` identifies the *payment* and is shared by the
    preliminary, final and cancellation records of one convenience-store payment, so
    that a final notice after its preliminary notice finds the payment already recorded.
    """

    line: int
    kind: str
    record_key: str
    reference: str
    invoice_number: str
    amount: int
    paid_on: datetime.date
    payment_channel: str
    details: dict[str, Any] = field(default_factory=dict)


class NoticeFormat:
    """A notice file format. Subclasses set the class attributes and `records()`."""

    name: ClassVar[str]
    label: ClassVar[str | Promise]
    #: The channel of the `NoticeImport` / `PaymentNotice` rows (a `Channel` value).
    channel: ClassVar[str]
    #: The kind of a file when the file itself does not say (convenience files do).
    default_kind: ClassVar[str] = NoticeKind.SINGLE

    def __init__(self, settings: PaymentSettings | None = None) -> None:
        self.settings = settings
        #: Set by `records()` once the file has said it (a convenience file's header).
        self.kind: str = self.default_kind

    def records(self, stream: IO[bytes]) -> Iterator[NoticeRecord]:
        raise NotImplementedError


_FORMATS: dict[str, type[NoticeFormat]] = {}


def register(cls: type[NoticeFormat]) -> type[NoticeFormat]:
    _FORMATS[cls.name] = cls
    return cls


def get_format(name: str) -> type[NoticeFormat]:
    _load()
    try:
        return _FORMATS[name]
    except KeyError:
        raise ValueError(f"unknown notice format {name!r}; known: {', '.join(sorted(_FORMATS))}") from None


def available_formats() -> list[type[NoticeFormat]]:
    _load()
    return [_FORMATS[name] for name in sorted(_FORMATS)]


def _load() -> None:
    from . import bank_transfer, convenience, gateway, pay_easy  # noqa: F401


# --- Helpers the formats share ---------------------------------------------------------


# Field names (`what`) are passed untranslated and translated only when an error is
# raised: a gettext call per field of a million records would show in the parse time.
# They are listed here so that makemessages keeps them in the catalogue.
FIELD_NAMES = (
    gettext_noop("収納企業コード"),
    gettext_noop("作成日"),
    gettext_noop("取消件数"),
    gettext_noop("取消金額"),
    gettext_noop("通番"),
    gettext_noop("収納時刻"),
    gettext_noop("本部コード"),
    gettext_noop("店舗コード"),
    gettext_noop("受付番号"),
    gettext_noop("収納機関番号"),
    gettext_noop("勘定日"),
    gettext_noop("決済日時"),
    gettext_noop("件数"),
    gettext_noop("収納日"),
    gettext_noop("取引番号"),
    gettext_noop("合計金額"),
    gettext_noop("振込依頼人名"),
    gettext_noop("状態"),
    gettext_noop("確認番号"),
    gettext_noop("金融機関コード"),
    gettext_noop("金額"),
)


def lines(stream: IO[bytes], encoding: str) -> Iterator[tuple[int, str]]:
    """(line number, text without the line break), decoding one line at a time."""
    for number, raw in enumerate(stream, start=1):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            raise NoticeFormatError(
                number, _("文字コード %(encoding)s として読めません。") % {"encoding": encoding}
            ) from None
        yield number, text.rstrip("\r\n")


def parse_date(value: str, line: int, what: str, fmt: str = "%Y%m%d") -> datetime.date:
    try:
        return datetime.datetime.strptime(value.strip(), fmt).date()
    except ValueError:
        raise NoticeFormatError(
            line, _("%(what)s が日付ではありません（%(value)s）。") % {"what": _(what), "value": value}
        ) from None


def parse_amount(value: str, line: int, what: str = "金額") -> int:
    text = value.strip().replace(",", "")
    if not text.isascii() or not text.isdigit():
        raise NoticeFormatError(
            line, _("%(what)s が円単位の整数ではありません（%(value)s）。") % {"what": _(what), "value": value}
        )
    amount = int(text)
    if amount <= 0:
        raise NoticeFormatError(line, _("%(what)s が0以下です。") % {"what": _(what)})
    return amount


def digits(value: str, length: int, line: int, what: str) -> str:
    if len(value) != length or not value.isascii() or not value.isdigit():
        raise NoticeFormatError(
            line,
            _("%(what)s は%(length)s桁の数字です（%(value)s）。") % {"what": _(what), "length": length, "value": value},
        )
    return value
