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
    before it — the AI "91" included, as the guideline computes it (the published worked
    examples in `tests/test_codes.py` come out right only that way). The 44 digits are
    also what convenience-store notices (速報・確報) carry, so the reconciliation parses
    them with `parse_convenience_barcode()`.

    The company code is the issuer's 7-digit JAN (GS1) company prefix without its leading
    "4" (or, in the older form, "9"/"5" and a 5-digit prefix); the municipality obtains it
    and sets it as `PaymentSettings.convenience_company_code`.
    Our choices: 再発行区分 0 for the first issue; 印紙フラグ 0, since a local
    government's receipts bear no stamp duty (印紙税法 第5条; public bodies' bill programs
    set it to 0 whatever the amount); the amount is the invoice's amount.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

from madoguchi.japanese.checkdigits import gs1_check_digit

from .models import ITEM_CODES, Invoice, PaymentSettings

#: Application Identifier of the 料金代理収納 barcode.
CONVENIENCE_AI = "91"
CONVENIENCE_LENGTH = 44
#: The 6-digit amount field: convenience stores take nothing above this (most agents
#: stop at 300,000 yen by contract; the barcode itself at 999,999).
CONVENIENCE_MAX_AMOUNT = 999_999


#: The GS1 rule (modulus 10, weights 3 and 1 from the right) that the barcode uses.
mod10_weight3 = gs1_check_digit


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
        raise ValueError(_("コンビニ収納用バーコードは44桁です（%(length)d桁あります）。") % {"length": len(value)})
    if not (value.isascii() and value.isdigit()):
        raise ValueError(_("コンビニ収納用バーコードは数字だけです。"))
    if not value.startswith(CONVENIENCE_AI):
        raise ValueError(_("コンビニ収納用バーコードはアプリケーション識別子 91 で始まります。"))
    if mod10_weight3(value[:-1]) != int(value[-1]):
        raise ValueError(_("コンビニ収納用バーコードのチェックデジットが違います。"))
    free = value[8:29]
    if free[16:] != "00000":
        raise ValueError(_("バーコードの企業任意欄が納付番号（16桁と0が5桁）ではありません。"))
    try:
        payable_until = datetime.datetime.strptime(value[30:36], "%y%m%d").date()
    except ValueError:
        raise ValueError(_("バーコードの支払期限日が日付ではありません。")) from None
    return ConvenienceBarcode(
        company_code=value[2:8],
        invoice_number=free[:16],
        reissue=int(value[29]),
        payable_until=payable_until,
        stamp_flag=int(value[36]),
        amount=int(value[37:43]),
    )


# --- Pay-easy (ペイジー) -------------------------------------------------------------------
#
# At an ATM or in internet banking the payer types three numbers (the Multi-Payment
# Network's 収納機関番号 5 digits, 納付番号 up to 20 digits, 確認番号 up to 6 digits; see
# the Japan Multi-payment Network Management Organization's "Pay-easy" pages). Ours:
# 納付番号 = the invoice number (16 digits, GS1 check digit), 確認番号 = the invoice's six
# digits derived with the municipality's secret (services.confirmation_number).

PAY_EASY_INSTITUTION_LENGTH = 5


@dataclass(frozen=True)
class PayEasyNumbers:
    """ペイジーの番号: what the payer types at the ATM or in internet banking."""

    institution_number: str
    payment_number: str
    confirmation_number: str

    @property
    def payment_number_display(self) -> str:
        """The 納付番号 in groups of four, as bills print it to be typed."""
        return "-".join(self.payment_number[i : i + 4] for i in range(0, len(self.payment_number), 4))


def pay_easy_numbers(invoice: Invoice, settings: PaymentSettings) -> PayEasyNumbers:
    """The invoice's Pay-easy numbers; `ValueError` when the municipality has no
    収納機関番号 (then the bill goes without the Pay-easy block)."""
    institution = settings.pay_easy_institution_number
    if not institution:
        raise ValueError("no Pay-easy institution number (収納機関番号) is set")
    _digits(institution, PAY_EASY_INSTITUTION_LENGTH, "the Pay-easy institution number (収納機関番号)")
    _digits(invoice.number, 16, "the invoice number (納付番号)")
    _digits(invoice.confirmation_number, 6, "the confirmation number (確認番号)")
    return PayEasyNumbers(
        institution_number=institution,
        payment_number=invoice.number,
        confirmation_number=invoice.confirmation_number,
    )


# --- 地方税統一QRコード (eL-QR) ------------------------------------------------------------
#
# Published (総務省「地方税におけるQRコード規格に係る検討会 取りまとめ」2021-06, and the
# municipalities' notices of 2023, e.g. https://oka-tsuyoshi.com/?p=10350 and
# https://www.zenginkyo.or.jp/article/tag-f/19883/): local-tax bills since April 2023 carry
# the eL-QR and, printed beside it, the eL番号 (納付書番号), which is made of the
# 収納機関番号, the 納付番号, the 確認番号 and the 納付区分; the eL-QR is read by the
# 地方税お支払サイト, by smartphone payment apps and by bank counters, and is printed on
# 納付書 that may also carry the convenience-store GS1-128 (GS1 Japan's guideline, 5th
# edition, p. 23, says where).
#
# Not published in anything we could obtain: the byte layout inside the QR symbol
# (地方税共同機構 gives the technical specification to municipalities and vendors
# only). The layout below is therefore OUR ASSUMPTION, built from the published parts:
# fixed-width digits only (QR numeric mode: the densest, smallest symbol), versioned so
# that it can be replaced by the official layout without ambiguity:
#
#     pos  len  field
#       0    2  layout version "01" (ours)
#       2    6  地方公共団体コード (JIS X 0401/0402 + check digit, e.g. 笠間市 082163)
#       8   30  eL番号 = 収納機関番号 (5) + 納付番号 (16) + 確認番号 (6) + 納付区分 (3)
#      38    4  年度 (fiscal year, western)
#      42    2  期別 (instalment, 00 = all/irregular)
#      44   10  納付額 (yen, zero-padded)
#      54    8  納期限 (YYYYMMDD)
#      62    1  check digit, modulus 10 weights 3/1 over the 62 digits before it (ours)
#
# 納付区分 (3 digits, ours): "0" + the item's two-digit code (ITEM_CODES), so that a
# collecting bank can sort tax items without opening the invoice.

EL_QR_VERSION = "01"
EL_QR_LENGTH = 63
EL_NUMBER_LENGTH = 30


@dataclass(frozen=True)
class ElQr:
    """What an eL-QR of madoguchi's layout says."""

    version: str
    local_government_code: str
    institution_number: str
    payment_number: str
    confirmation_number: str
    payment_class: str
    fiscal_year: int
    instalment: int
    amount: int
    due_date: datetime.date

    @property
    def el_number(self) -> str:
        return f"{self.institution_number}{self.payment_number}{self.confirmation_number}{self.payment_class}"


def payment_class(invoice: Invoice) -> str:
    """納付区分 (3 digits): "0" and the item code (our assumption, see above)."""
    return f"0{ITEM_CODES[invoice.item]}"


def el_number(invoice: Invoice, settings: PaymentSettings) -> str:
    """eL番号 (納付書番号): 収納機関番号 + 納付番号 + 確認番号 + 納付区分, 30 digits."""
    numbers = pay_easy_numbers(invoice, settings)
    return f"{numbers.institution_number}{numbers.payment_number}{numbers.confirmation_number}{payment_class(invoice)}"


def format_el_number(value: str) -> str:
    """The eL番号 as printed: its four parts separated by hyphens."""
    return f"{value[:5]}-{value[5:21]}-{value[21:27]}-{value[27:]}"


def el_qr_data(invoice: Invoice, settings: PaymentSettings) -> str:
    """The content of the invoice's eL-QR (tax items only); `ValueError` for other items
    or when the numbers cannot be formed."""
    if not invoice.is_tax:
        raise ValueError("only local-tax invoices carry an eL-QR")
    code = invoice.municipality.code
    _digits(code, 6, "the local government code (地方公共団体コード)")
    if not 0 < invoice.amount < 10**10:
        raise ValueError("the amount does not fit the eL-QR")
    body = (
        f"{EL_QR_VERSION}{code}{el_number(invoice, settings)}{invoice.fiscal_year:04d}"
        f"{min(invoice.instalment, 99):02d}{invoice.amount:010d}{invoice.due_date:%Y%m%d}"
    )
    return body + str(mod10_weight3(body))


def parse_el_qr(data: str) -> ElQr:
    """Read the content of an eL-QR of our layout; `ValueError` saying what is wrong."""
    value = data.strip()
    if len(value) != EL_QR_LENGTH or not (value.isascii() and value.isdigit()):
        raise ValueError(f"an eL-QR of layout {EL_QR_VERSION} has {EL_QR_LENGTH} digits")
    if not value.startswith(EL_QR_VERSION):
        raise ValueError(f"unknown eL-QR layout {value[:2]}")
    if mod10_weight3(value[:-1]) != int(value[-1]):
        raise ValueError("the check digit of the eL-QR is wrong")
    try:
        due_date = datetime.datetime.strptime(value[54:62], "%Y%m%d").date()
    except ValueError:
        raise ValueError("the due date (納期限) of the eL-QR is not a date") from None
    el = value[8:38]
    return ElQr(
        version=value[:2],
        local_government_code=value[2:8],
        institution_number=el[:5],
        payment_number=el[5:21],
        confirmation_number=el[21:27],
        payment_class=el[27:],
        fiscal_year=int(value[38:42]),
        instalment=int(value[42:44]),
        amount=int(value[44:54]),
        due_date=due_date,
    )
