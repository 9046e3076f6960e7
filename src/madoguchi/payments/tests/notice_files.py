"""Notice files in each format, written for tests (and the browser test) the way the
channels write them."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable
from dataclasses import dataclass

from madoguchi.payments.codes import build_convenience_barcode
from madoguchi.payments.models import Invoice
from madoguchi.payments.notice_formats import convenience

COMPANY_CODE = "912345"


@dataclass
class CvsPayment:
    invoice: Invoice
    amount: int | None = None
    receipt: int = 1
    cancel: bool = False
    paid_on: str = "20261120"
    number: str | None = None


def convenience_file(payments: Iterable[CvsPayment], *, kind: str = "1", company: str = COMPANY_CODE) -> bytes:
    lines = [convenience.header(kind, company, "20261120")]
    count = total = cancel_count = cancel_total = 0
    for sequence, p in enumerate(payments, start=1):
        amount = p.amount if p.amount is not None else p.invoice.amount
        barcode = build_convenience_barcode(
            company_code=company,
            invoice_number=p.number or p.invoice.number,
            payable_until=p.invoice.payable_until,
            amount=amount,
        )
        lines.append(
            convenience.data(
                sequence, barcode=barcode, amount=amount, paid_on=p.paid_on, receipt=p.receipt, cancel=p.cancel
            )
        )
        if p.cancel:
            cancel_count += 1
            cancel_total += amount
        else:
            count += 1
            total += amount
    lines += [convenience.trailer(count, total, cancel_count, cancel_total), convenience.end()]
    return ("\r\n".join(lines) + "\r\n").encode("ascii")


def pay_easy_file(rows: Iterable[tuple[Invoice, int, str, str]], institution: str = "12345") -> bytes:
    """rows: (invoice, amount, confirmation number, transaction number)."""
    out = ["収納機関番号,納付番号,確認番号,金額,収納日,金融機関コード,取引番号"]
    for invoice, amount, confirmation, key in rows:
        out.append(f"{institution},{invoice.number},{confirmation},{amount},2026-11-20,0005,{key}")
    return ("\n".join(out) + "\n").encode("utf-8")


def bank_file(rows: Iterable[tuple[str, int, str]]) -> bytes:
    """rows: (inquiry number, amount, remitter)."""
    out = ["勘定日,照会番号,金額,振込依頼人名"]
    for inquiry, amount, remitter in rows:
        out.append(f"2026/11/20,{inquiry},{amount},{remitter}")
    return ("\r\n".join(out) + "\r\n").encode("cp932")


def gateway_file(rows: Iterable[tuple[str, Invoice, int, str]]) -> bytes:
    """rows: (transaction id, invoice, amount, status)."""
    out = ["取引ID,納付番号,決済方法,金額,決済日時,状態"]
    for key, invoice, amount, status in rows:
        out.append(f"{key},{invoice.number},card,{amount},2026-11-20T10:00:00+09:00,{status}")
    return ("\n".join(out) + "\n").encode("utf-8")


def stream(data: bytes) -> io.BytesIO:
    return io.BytesIO(data)


def day(value: str) -> datetime.date:
    return datetime.date.fromisoformat(value)
