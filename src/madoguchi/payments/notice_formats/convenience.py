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

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..codes import parse_convenience_barcode
from ..models import Channel, NoticeKind
from . import NoticeFormat, NoticeFormatError, NoticeRecord, digits, lines, parse_date, register

RECORD_LENGTH = 120
KINDS = {"1": NoticeKind.PRELIMINARY, "2": NoticeKind.FINAL}


@register
class ConvenienceNotice(NoticeFormat):
    """コンビニ収納の速報・確報（固定長120バイト）."""

    name = "convenience"
    label = gettext_lazy("コンビニ収納の速報・確報（固定長）")
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
                raise NoticeFormatError(number, _("空の行があります。"))
            if len(text) != RECORD_LENGTH:
                raise NoticeFormatError(
                    number,
                    _("レコードは%(expected)s文字のはずが、%(found)s文字です。")
                    % {"expected": RECORD_LENGTH, "found": len(text)},
                )
            record_type = text[0]
            if end_seen:
                raise NoticeFormatError(number, _("エンドレコード（9）の後にレコードがあります。"))
            if record_type == "1":
                if header_seen:
                    raise NoticeFormatError(number, _("ヘッダーレコード（1）が二つあります。"))
                header_seen = True
                if text[1] not in KINDS:
                    raise NoticeFormatError(number, _("種別は 1 か 2 です（%(value)s）。") % {"value": text[1]})
                self.kind = KINDS[text[1]]
                company = digits(text[2:8], 6, number, "収納企業コード")
                if expected_company and company != expected_company:
                    raise NoticeFormatError(
                        number,
                        _("収納企業コード %(found)s のファイルです（この団体は %(expected)s）。")
                        % {"found": company, "expected": expected_company},
                    )
                expected_company = company
                parse_date(text[8:16], number, "作成日")
            elif record_type == "2":
                if not header_seen or trailer_seen:
                    raise NoticeFormatError(number, _("データレコード（2）がヘッダーとトレーラーの間にありません。"))
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
                    raise NoticeFormatError(number, _("トレーラーレコード（8）の位置が違うか、二つあります。"))
                trailer_seen = True
                declared = (
                    int(digits(text[1:9], 8, number, "件数")),
                    int(digits(text[9:21], 12, number, "合計金額")),
                    int(digits(text[21:29], 8, number, "取消件数")),
                    int(digits(text[29:41], 12, number, "取消金額")),
                )
                if declared != (count, total, cancel_count, cancel_total):
                    raise NoticeFormatError(
                        number,
                        _("トレーラーの件数・金額（%(declared)s）がデータレコードの集計（%(counted)s）と合いません。")
                        % {
                            "declared": f"{declared[0]} / {declared[1]} / {declared[2]} / {declared[3]}",
                            "counted": f"{count} / {total} / {cancel_count} / {cancel_total}",
                        },
                    )
            elif record_type == "9":
                if not trailer_seen:
                    raise NoticeFormatError(number, _("トレーラーレコード（8）の前にエンドレコード（9）があります。"))
                end_seen = True
            else:
                raise NoticeFormatError(
                    number, _("データ区分は 1・2・8・9 のいずれかです（%(value)s）。") % {"value": record_type}
                )
        if not end_seen:
            raise NoticeFormatError(
                last_line + 1, _("トレーラーレコード（8）とエンドレコード（9）がないままファイルが終わっています。")
            )

    def _data(self, text: str, number: int, company: str) -> NoticeRecord:
        sequence = digits(text[1:9], 8, number, "通番")
        cancel_flag = text[9]
        if cancel_flag not in ("0", "1"):
            raise NoticeFormatError(number, _("取消区分は 0 か 1 です（%(value)s）。") % {"value": cancel_flag})
        if cancel_flag == "1" and self.kind != NoticeKind.PRELIMINARY:
            raise NoticeFormatError(number, _("取消は速報にだけあります。"))
        paid_on = parse_date(text[10:18], number, "収納日")
        paid_time = digits(text[18:22], 4, number, "収納時刻")
        chain = digits(text[22:26], 4, number, "本部コード")
        store = digits(text[26:33], 7, number, "店舗コード")
        receipt = digits(text[33:39], 6, number, "受付番号")
        barcode_data = text[39:83]
        try:
            barcode = parse_convenience_barcode(barcode_data)
        except ValueError as error:
            raise NoticeFormatError(
                number, _("バーコード情報が正しくありません（%(error)s）。") % {"error": error}
            ) from None
        if barcode.company_code != company:
            raise NoticeFormatError(
                number,
                _("バーコードの収納企業コード %(found)s がヘッダーの %(expected)s と違います。")
                % {"found": barcode.company_code, "expected": company},
            )
        amount = int(digits(text[83:89], 6, number, "金額"))
        if amount != barcode.amount:
            raise NoticeFormatError(
                number,
                _("金額 %(amount)s がバーコードの金額 %(barcode)s と違います。")
                % {"amount": amount, "barcode": barcode.amount},
            )
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
