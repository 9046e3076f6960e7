"""銀行振込の入金明細: transfers into the municipality's account, with the 納付番号 in the
remitter field (振込依頼人名).

What is a standard and what is ours: the 全銀協 振込入金通知 is a standard fixed-length
format (200-byte records: header, data, trailer, end; 振込依頼人名 in half-width kana);
most banks also offer the same data as a CSV download (入出金明細), in their own column
layout. This importer reads such a CSV in *our* column layout (Shift_JIS as banks
produce it, a header row, columns in any order)::

    勘定日,照会番号,金額,振込依頼人名

The payer is asked to put the 16-digit 納付番号 before their name ("2601200000000123
ｶｻﾏ ﾀﾛｳ"); the first run of 16 digits (half- or full-width) is taken as the number. A
transfer without one goes to the exception queue (unknown number) for staff to match.
The record key is 勘定日 + 照会番号 (the bank's inquiry number of the credit).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import IO

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import Channel
from . import NoticeFormat, NoticeFormatError, NoticeRecord, parse_amount, parse_date, register
from ._csv import rows

COLUMNS = ("勘定日", "照会番号", "金額", "振込依頼人名")
NUMBER = re.compile(r"(?<!\d)(\d{16})(?!\d)")


@register
class BankTransferNotice(NoticeFormat):
    """銀行振込の入金明細（CSV）."""

    name = "bank-transfer"
    label = gettext_lazy("銀行振込の入金明細（CSV）")
    channel = Channel.BANK_TRANSFER

    def records(self, stream: IO[bytes]) -> Iterator[NoticeRecord]:
        for line, row in rows(stream, "cp932", COLUMNS):
            paid_on = parse_date(row["勘定日"].replace("-", "").replace("/", ""), line, "勘定日")
            inquiry = row["照会番号"]
            if not inquiry or len(inquiry) > 40:
                raise NoticeFormatError(line, _("照会番号がないか、40文字を超えています。"))
            remitter = unicodedata.normalize("NFKC", row["振込依頼人名"])
            found = NUMBER.search(remitter)
            key = f"{paid_on:%Y%m%d}-{inquiry}"
            yield NoticeRecord(
                line=line,
                kind=self.kind,
                record_key=key,
                reference=f"bt:{key}",
                invoice_number=found.group(1) if found else "",
                amount=parse_amount(row["金額"], line, "金額"),
                paid_on=paid_on,
                payment_channel=Channel.BANK_TRANSFER,
                details={"remitter": row["振込依頼人名"][:100], "inquiry": inquiry},
            )
