"""ペイジー（マルチペイメントネットワーク）の収納通知.

What is a standard and what is ours: the numbers are the Pay-easy standard — the
5-digit 収納機関番号 the network assigns, the 納付番号 (up to 20 digits; ours are 16) and
the 確認番号 the payer types at the ATM or in internet banking. The network's own
notification formats (速報・確報 between the 収納機関 and 日本マルチペイメントネットワーク
運営機構 / its 収納代行) are specified to members only; this importer reads the CSV that
a 収納代行 or the designated bank typically provides, in *our* column layout (UTF-8, a
header row, columns in any order)::

    収納機関番号,納付番号,確認番号,金額,収納日,金融機関コード,取引番号

`取引番号` is the network's number of the payment and the record key.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import Channel
from . import NoticeFormat, NoticeFormatError, NoticeRecord, digits, parse_amount, parse_date, register
from ._csv import rows

COLUMNS = ("収納機関番号", "納付番号", "確認番号", "金額", "収納日", "金融機関コード", "取引番号")


@register
class PayEasyNotice(NoticeFormat):
    """ペイジーの収納通知（CSV）."""

    name = "pay-easy"
    label = gettext_lazy("ペイジーの収納通知（CSV）")
    channel = Channel.PAY_EASY

    def records(self, stream: IO[bytes]) -> Iterator[NoticeRecord]:
        expected = self.settings.pay_easy_institution_number if self.settings else ""
        for line, row in rows(stream, "utf-8-sig", COLUMNS):
            institution = digits(row["収納機関番号"], 5, line, "収納機関番号")
            if expected and institution != expected:
                raise NoticeFormatError(
                    line,
                    _("収納機関番号 %(found)s はこの団体の番号（%(expected)s）ではありません。")
                    % {"found": institution, "expected": expected},
                )
            number = row["納付番号"]
            if not (number.isascii() and number.isdigit() and 1 <= len(number) <= 20):
                raise NoticeFormatError(line, _("納付番号は20桁までの数字です（%(value)s）。") % {"value": number})
            confirmation = digits(row["確認番号"], 6, line, "確認番号")
            key = row["取引番号"]
            if not key or len(key) > 60:
                raise NoticeFormatError(line, _("取引番号がないか、60文字を超えています。"))
            bank = row["金融機関コード"]
            if bank:
                digits(bank, 4, line, "金融機関コード")
            yield NoticeRecord(
                line=line,
                kind=self.kind,
                record_key=key,
                reference=f"pe:{key}",
                invoice_number=number,
                amount=parse_amount(row["金額"], line, "金額"),
                paid_on=parse_date(row["収納日"].replace("-", "").replace("/", ""), line, "収納日"),
                payment_channel=Channel.PAY_EASY,
                details={"institution": institution, "confirmation_number": confirmation, "bank": bank},
            )
