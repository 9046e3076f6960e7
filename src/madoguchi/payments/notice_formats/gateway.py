"""オンライン決済の精算明細: the online gateway's settlement list (CSV).

What is a standard and what is ours: none is a standard; every gateway has its own
settlement report. This is *our* layout, the one the sandbox gateway's list follows
(UTF-8, a header row, columns in any order)::

    取引ID,納付番号,決済方法,金額,決済日時,状態

`決済方法` is `card` or `bank`; only rows with `状態` = `captured` are payments (refunds
go through the gateway's refund flow of the online payment part). The 取引ID is both the
record key and the payment's reference, the gateway's payment ID that the online part
records too, so a payment already confirmed by a notification is not applied twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import Channel
from . import NoticeFormat, NoticeFormatError, NoticeRecord, parse_amount, parse_date, register
from ._csv import rows

COLUMNS = ("取引ID", "納付番号", "決済方法", "金額", "決済日時", "状態")
METHODS = {"card": Channel.ONLINE_CARD, "bank": Channel.ONLINE_BANKING}


@register
class GatewaySettlement(NoticeFormat):
    """オンライン決済の精算明細（CSV）."""

    name = "gateway"
    label = gettext_lazy("オンライン決済の精算明細（CSV）")
    channel = Channel.ONLINE_CARD

    def records(self, stream: IO[bytes]) -> Iterator[NoticeRecord]:
        for line, row in rows(stream, "utf-8-sig", COLUMNS):
            if row["状態"] != "captured":
                continue
            method = METHODS.get(row["決済方法"])
            if method is None:
                raise NoticeFormatError(
                    line, _("決済方法は card か bank です（%(value)s）。") % {"value": row["決済方法"]}
                )
            key = row["取引ID"]
            if not key or len(key) > 90:
                raise NoticeFormatError(line, _("取引IDがないか、90文字を超えています。"))
            number = row["納付番号"]
            if not (number.isascii() and number.isdigit() and len(number) == 16):
                raise NoticeFormatError(line, _("納付番号は16桁の数字です（%(value)s）。") % {"value": number})
            yield NoticeRecord(
                line=line,
                kind=self.kind,
                record_key=key,
                reference=key,
                invoice_number=number,
                amount=parse_amount(row["金額"], line, "金額"),
                paid_on=parse_date(row["決済日時"][:10], line, "決済日時", "%Y-%m-%d"),
                payment_channel=method,
                details={"method": row["決済方法"]},
            )
