"""The codes printed on a bill (納付書) so that every channel can read it.

Convenience stores (コンビニ収納, 料金代理収納)
    A GS1-128 barcode: FNC1, Application Identifier (91) and 42 more digits, laid out by
    the 標準料金代理収納ガイドライン of GS1 Japan (一般財団法人流通システム開発センター)::

        91                 AI (2)                       ┐
        MMMMMM             請求書発行企業コード (6)      │
        NNNNNNNNNNNNNNNN   自由使用欄 (21): our 16-digit │ 44 digits, the string
        00000              納付番号 and 5 zeros         │ `convenience_barcode_data()`
        R                  再発行区分 (1)                │ returns and a scanner reports
        YYMMDD             支払期限日 (6)                │ after the symbology identifier
        S                  印紙フラグ (1)                │ "]C1"
        AAAAAA             支払金額 (6)                  │
        C                  チェックデジット (1)          ┘

    The check digit is modulus 10 with weights 3 and 1 from the right over the 43 digits
    before it — the AI "91" included, as the guideline (and every published example, see
    the tests) computes it. The 44 digits are also what convenience-store notices
    (速報・確報) carry, so the reconciliation parses them with `parse_convenience_barcode()`.

    The company code is the issuer's 7-digit JAN (GS1) company prefix without its leading
    "4" (or, in the older form, "9"/"5" and a 5-digit prefix); the municipality obtains it
    and sets it as `PaymentSettings.convenience_company_code`.
    Our assumptions: 再発行区分 0 for the first issue, 印紙フラグ 0 (a local government's
    receipts bear no stamp duty, 印紙税法 第5条 非課税), the amount is the invoice's amount.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Invoice, PaymentSettings

#: Application Identifier of the 料金代理収納 barcode.
CONVENIENCE_AI = "91"
CONVENIENCE_LENGTH = 44
#: The 6-digit amount field: convenience stores take nothing above this (most agents
#: stop at 300,000 yen by contract; the barcode itself at 999,999).
CONVENIENCE_MAX_AMOUNT = 999_999


def mod10_weight3(digits: str) -> int:
    """Modulus 10, weights 3 and 1 alternating from the rightmost digit (weight 3) — the
    GS1 check digit, used by the 料金代理収納 barcode."""
    if not (digits.isascii() and digits.isdigit()):
        raise ValueError("check digits are computed over digits only")
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return (10 - total % 10) % 10


@dataclass(frozen=True)
class ConvenienceBarcode:
    """What a 料金代理収納 barcode says."""

    company_code: str
    invoice_number: str
    reissue: int
    payable_until: datetime.date
    stamp_flag: int
    amount: int


def _digits(value: str, length: int, what: str) -> str:
    if len(value) != length or not (value.isascii() and value.isdigit()):
        raise ValueError(f"{what} must be {length} digits")
    return value


def build_convenience_barcode(
    *,
    company_code: str,
    invoice_number: str,
    payable_until: datetime.date,
    amount: int,
    reissue: int = 0,
    stamp_flag: int = 0,
) -> str:
    """The 44 digits (starting with "91", ending with the check digit) from their parts."""
    _digits(company_code, 6, "the convenience-store company code (収納企業コード)")
    _digits(invoice_number, 16, "the invoice number (納付番号)")
    if not 0 <= reissue <= 9:
        raise ValueError("the reissue flag (再発行区分) is one digit")
    if stamp_flag not in (0, 1):
        raise ValueError("the stamp flag (印紙フラグ) is 0 or 1")
    if not 0 < amount <= CONVENIENCE_MAX_AMOUNT:
        raise ValueError(f"convenience stores take amounts from 1 to {CONVENIENCE_MAX_AMOUNT:,} yen")
    body = f"{CONVENIENCE_AI}{company_code}{invoice_number}00000{reissue}{payable_until:%y%m%d}{stamp_flag}{amount:06d}"
    return body + str(mod10_weight3(body))


def convenience_barcode_data(invoice: Invoice, settings: PaymentSettings, *, reissue: int = 0) -> str:
    """The 44 digits of the invoice's 料金代理収納 GS1-128 barcode ("91" first).

    Raises `ValueError` when the municipality has no company code or the amount does not
    fit the barcode (the bill then goes without one)."""
    if not settings.convenience_company_code:
        raise ValueError("no convenience-store company code (収納企業コード) is set")
    return build_convenience_barcode(
        company_code=settings.convenience_company_code,
        invoice_number=invoice.number,
        payable_until=invoice.payable_until,
        amount=invoice.amount,
        reissue=reissue,
    )


def parse_convenience_barcode(data: str) -> ConvenienceBarcode:
    """Read the 44 digits of a 料金代理収納 barcode (as a scanner or a notice gives them;
    a leading "]C1" symbology identifier or "(91)" is tolerated). Raises `ValueError`
    saying what is wrong."""
    value = data.strip()
    if value.startswith("]C1"):
        value = value[3:]
    if value.startswith("(91)"):
        value = "91" + value[4:]
    if len(value) != CONVENIENCE_LENGTH:
        raise ValueError(f"a convenience-store barcode has 44 digits, not {len(value)}")
    if not (value.isascii() and value.isdigit()):
        raise ValueError("a convenience-store barcode has digits only")
    if not value.startswith(CONVENIENCE_AI):
        raise ValueError("a convenience-store barcode starts with the application identifier 91")
    if mod10_weight3(value[:-1]) != int(value[-1]):
        raise ValueError("the check digit of the convenience-store barcode is wrong")
    free = value[8:29]
    if free[16:] != "00000":
        raise ValueError("the free field does not hold a madoguchi invoice number (16 digits and 5 zeros)")
    try:
        payable_until = datetime.datetime.strptime(value[30:36], "%y%m%d").date()
    except ValueError:
        raise ValueError("the payment deadline (支払期限日) of the barcode is not a date") from None
    return ConvenienceBarcode(
        company_code=value[2:8],
        invoice_number=free[:16],
        reissue=int(value[29]),
        payable_until=payable_until,
        stamp_flag=int(value[36]),
        amount=int(value[37:43]),
    )
