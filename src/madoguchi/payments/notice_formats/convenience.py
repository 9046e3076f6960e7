"""コンビニ収納の速報・確報: the convenience-store agent's notice files.

What is a standard and what is ours:

- The barcode data in each record is the 44 digits of the 料金代理収納 GS1-128 barcode
  (AI 91, the guidelines of 一般財団法人流通システム開発センター / GS1 Japan): the agent
  passes on what the till scanned. It is read with `payments.codes.parse_convenience_barcode`
  (check digit, company code, 納付番号, 支払期限, amount).
- The record layout around it is *ours*: every agent (収納代行会社) defines its own 速報
  (preliminary, sent within hours of the payment, may be cancelled by a 取消 record) and
  確報 (final, sent when the money is transferred) layout under contract, mostly as
  fixed-length records in the Zengin style (header / data / trailer / end records).
  We use that style with 120-byte ASCII records, one per line (LF or CRLF)::

    header  1 | 種別 1 (1 速報, 2 確報) | 収納企業コード 6 | 作成日 8 | filler 104
    data    2 | 通番 8 | 取消区分 1 (0 収納, 1 取消) | 収納日 8 | 収納時刻 4 |
              本部コード 4 | 店舗コード 7 | 受付番号 6 | バーコード情報 44 | 金額 6 |
              入金予定日 8 (確報; 速報は 00000000) | filler 23
    trailer 8 | 件数 8 | 合計金額 12 | 取消件数 8 | 取消金額 12 | filler 79
    end     9 | filler 119

  An agent's own layout is added as another module beside this one.

The record key is 本部コード + 店舗コード + 収納日 + 収納時刻 + 受付番号: the same payment
has the same key in the preliminary notice, its cancellation and the final notice.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from django.utils.translation import gettext_lazy as _

from ..codes import parse_convenience_barcode
from ..models import Channel, NoticeKind
from . import NoticeFormat, NoticeFormatError, NoticeRecord, digits, lines, parse_date, register

RECORD_LENGTH = 120
KINDS = {"1": NoticeKind.PRELIMINARY, "2": NoticeKind.FINAL}


@register
class ConvenienceNotice(NoticeFormat):
    """コンビニ収納の速報・確報（固定長120バイト）."""

    name = "convenience"
    label = _("コンビニ収納の速報・確報（固定長）")
    channel = Channel.CONVENIENCE_STORE
    default_kind = NoticeKind.PRELIMINARY

    def records(self, stream: IO[bytes]) -> Iterator[NoticeRecord]:
        expected_company = self.settings.convenience_company_code if self.settings else ""
        header_seen = trailer_seen = end_seen = False
        count = total = cancel_count = cancel_total = 0
        last_line = 0
        for number, text in lines(stream, "ascii"):
            last_line = number
            if not text:
                raise NoticeFormatError(number, "empty line")
            if len(text) != RECORD_LENGTH:
                raise NoticeFormatError(number, f"a record has {RECORD_LENGTH} characters, this one {len(text)}")
            record_type = text[0]
            if end_seen:
                raise NoticeFormatError(number, "a record after the end record (9)")
            if record_type == "1":
                if header_seen:
                    raise NoticeFormatError(number, "a second header record (1)")
                header_seen = True
                if text[1] not in KINDS:
                    raise NoticeFormatError(number, f"the kind (種別) is 1 or 2, not {text[1]!r}")
                self.kind = KINDS[text[1]]
                company = digits(text[2:8], 6, number, "the company code (収納企業コード)")
                if expected_company and company != expected_company:
                    raise NoticeFormatError(number, f"the file is for company code {company}, not {expected_company}")
                expected_company = company
                parse_date(text[8:16], number, "the creation date (作成日)")
            elif record_type == "2":
                if not header_seen or trailer_seen:
                    raise NoticeFormatError(number, "a data record (2) outside header and trailer")
                record = self._data(text, number, expected_company)
                if record.kind == NoticeKind.CANCELLATION:
                    cancel_count += 1
                    cancel_total += record.amount
                else:
                    count += 1
                    total += record.amount
                yield record
            elif record_type == "8":
                if not header_seen or trailer_seen:
                    raise NoticeFormatError(number, "a trailer record (8) without a header or twice")
                trailer_seen = True
                declared = (
                    int(digits(text[1:9], 8, number, "the record count (件数)")),
                    int(digits(text[9:21], 12, number, "the total (合計金額)")),
                    int(digits(text[21:29], 8, number, "the cancellation count (取消件数)")),
                    int(digits(text[29:41], 12, number, "the cancellation total (取消金額)")),
                )
                if declared != (count, total, cancel_count, cancel_total):
                    raise NoticeFormatError(
                        number,
                        f"the trailer says {declared[0]} records / {declared[1]} yen and {declared[2]} cancellations"
                        f" / {declared[3]} yen; the file has {count} / {total} and {cancel_count} / {cancel_total}",
                    )
            elif record_type == "9":
                if not trailer_seen:
                    raise NoticeFormatError(number, "the end record (9) before the trailer (8)")
                end_seen = True
            else:
                raise NoticeFormatError(number, f"unknown record type {record_type!r} (1, 2, 8 or 9)")
        if not end_seen:
            raise NoticeFormatError(last_line + 1, "the file ends without trailer (8) and end (9) records")

    def _data(self, text: str, number: int, company: str) -> NoticeRecord:
        sequence = digits(text[1:9], 8, number, "the sequence number (通番)")
        cancel_flag = text[9]
        if cancel_flag not in ("0", "1"):
            raise NoticeFormatError(number, f"the cancellation flag (取消区分) is 0 or 1, not {cancel_flag!r}")
        if cancel_flag == "1" and self.kind != NoticeKind.PRELIMINARY:
            raise NoticeFormatError(number, "only a preliminary notice (速報) carries cancellations")
        paid_on = parse_date(text[10:18], number, "the payment date (収納日)")
        paid_time = digits(text[18:22], 4, number, "the payment time (収納時刻)")
        chain = digits(text[22:26], 4, number, "the chain code (本部コード)")
        store = digits(text[26:33], 7, number, "the store code (店舗コード)")
        receipt = digits(text[33:39], 6, number, "the receipt number (受付番号)")
        barcode_data = text[39:83]
        try:
            barcode = parse_convenience_barcode(barcode_data)
        except ValueError as error:
            raise NoticeFormatError(number, f"barcode data (バーコード情報): {error}") from None
        if barcode.company_code != company:
            raise NoticeFormatError(number, f"the barcode is for company code {barcode.company_code}, not {company}")
        amount = int(digits(text[83:89], 6, number, "the amount (金額)"))
        if amount != barcode.amount:
            raise NoticeFormatError(number, f"the amount {amount} differs from the barcode's {barcode.amount}")
        transfer_on = text[89:97]
        key = f"{chain}{store}{paid_on:%Y%m%d}{paid_time}{receipt}"
        return NoticeRecord(
            line=number,
            kind=NoticeKind.CANCELLATION if cancel_flag == "1" else self.kind,
            record_key=key,
            reference=f"cvs:{key}",
            invoice_number=barcode.invoice_number,
            amount=amount,
            paid_on=paid_on,
            payment_channel=Channel.CONVENIENCE_STORE,
            details={
                "sequence": sequence,
                "time": paid_time,
                "chain": chain,
                "store": store,
                "receipt": receipt,
                "payable_until": barcode.payable_until.isoformat(),
                "reissue": barcode.reissue,
                "transfer_on": "" if transfer_on == "00000000" else transfer_on,
            },
        )


def header(kind: str, company_code: str, created: str) -> str:
    """A header record (kind "1" 速報, "2" 確報; `created` YYYYMMDD) — for tests, the bench
    and the demo, which write files in this layout."""
    return f"1{kind}{company_code}{created}".ljust(RECORD_LENGTH)


def data(
    sequence: int,
    *,
    barcode: str,
    amount: int,
    paid_on: str,
    time: str = "1200",
    chain: str = "0001",
    store: str = "0000001",
    receipt: int | None = None,
    cancel: bool = False,
    transfer_on: str = "00000000",
) -> str:
    receipt_number = sequence if receipt is None else receipt
    return (
        f"2{sequence:08d}{'1' if cancel else '0'}{paid_on}{time}{chain}{store}{receipt_number % 1_000_000:06d}"
        f"{barcode}{amount:06d}{transfer_on}"
    ).ljust(RECORD_LENGTH)


def trailer(count: int, total: int, cancel_count: int = 0, cancel_total: int = 0) -> str:
    return f"8{count:08d}{total:012d}{cancel_count:08d}{cancel_total:012d}".ljust(RECORD_LENGTH)


def end() -> str:
    return "9".ljust(RECORD_LENGTH)
