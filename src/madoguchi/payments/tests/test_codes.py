"""The codes printed on bills: the convenience-store GS1-128 data, Pay-easy numbers and
the eL-QR content."""

from __future__ import annotations

import datetime

import pytest

from madoguchi.core.models import Municipality
from madoguchi.payments import codes
from madoguchi.payments.models import Item, PaymentSettings

from .factories import make_invoice


def test_mod10_weight3_matches_gs1_examples() -> None:
    # GS1's check digit examples (EAN-13 6291041500213, 4006381333931).
    assert codes.mod10_weight3("629104150021") == 3
    assert codes.mod10_weight3("400638133393") == 1
    # ITF-14 example "1456995111617" → 6 (http://www.barcode-net.com/chisiki/modulus10_3.html).
    assert codes.mod10_weight3("1456995111617") == 6
    with pytest.raises(ValueError, match="digits only"):
        codes.mod10_weight3("12a4")


# Two worked examples of the 料金代理収納 barcode (GS1 Japan's placeholder company codes
# 912345 and 942386), quoted with their check digit "3" in the bill printing program of
# Kyoto Prefecture's school-loan repayments (Java class servletpack.KNJE.KNJTE054, ALP
# Okinawa, in a public repository of the code index): 43 digits from the AI "91" to the
# amount. Both give 3 only when the AI is part of the computation (without it: 1), which
# is how the guideline defines it.
PUBLISHED_CONVENIENCE_EXAMPLES = [
    ("9191234501234567890123456789010103310123000", 3),
    ("9194238617895391785393569273010307311031290", 3),
]


@pytest.mark.parametrize(("first43", "check"), PUBLISHED_CONVENIENCE_EXAMPLES)
def test_convenience_check_digit_matches_published_examples(first43: str, check: int) -> None:
    assert len(first43) == 43
    assert codes.mod10_weight3(first43) == check
    assert codes.mod10_weight3(first43[2:]) != check  # the AI counts
    # Our parser accepts the check digit; only the free field is not one of ours.
    with pytest.raises(ValueError, match="企業任意欄"):
        codes.parse_convenience_barcode(first43 + str(check))
    with pytest.raises(ValueError, match="チェックデジット"):
        codes.parse_convenience_barcode(first43 + str((check + 1) % 10))


def test_build_and_parse_round_trip() -> None:
    data = codes.build_convenience_barcode(
        company_code="912345",
        invoice_number="2601000000000123",
        payable_until=datetime.date(2026, 5, 31),
        amount=12_300,
    )
    assert len(data) == 44
    assert data.startswith("91912345" + "2601000000000123" + "00000" + "0" + "260531" + "0" + "012300")
    assert codes.mod10_weight3(data[:-1]) == int(data[-1])
    parsed = codes.parse_convenience_barcode(data)
    assert parsed == codes.ConvenienceBarcode(
        company_code="912345",
        invoice_number="2601000000000123",
        reissue=0,
        payable_until=datetime.date(2026, 5, 31),
        stamp_flag=0,
        amount=12_300,
    )
    # What a scanner with symbology identifiers, or a printed human-readable line, gives.
    assert codes.parse_convenience_barcode("]C1" + data) == parsed
    assert codes.parse_convenience_barcode(f"(91){data[2:]}") == parsed


@pytest.mark.parametrize(
    ("mangle", "message"),
    [
        (lambda d: d[:-1], "44桁"),
        (lambda d: d[:-1] + str((int(d[-1]) + 1) % 10), "チェックデジット"),
        (lambda d: "92" + d[2:], "91"),
        (lambda d: d[:10] + "x" + d[11:], "数字だけ"),
        (lambda d: d[:30] + "261332" + d[36:-1] + str(codes.mod10_weight3(d[:30] + "261332" + d[36:-1])), "日付"),
    ],
)
def test_parse_refuses_wrong_data_with_a_clear_message(mangle: object, message: str) -> None:
    data = codes.build_convenience_barcode(
        company_code="912345",
        invoice_number="2601000000000123",
        payable_until=datetime.date(2026, 5, 31),
        amount=12_300,
    )
    with pytest.raises(ValueError, match=message):
        codes.parse_convenience_barcode(mangle(data))  # type: ignore[operator]


def test_amount_must_fit_six_digits() -> None:
    with pytest.raises(ValueError, match="999,999"):
        codes.build_convenience_barcode(
            company_code="912345",
            invoice_number="2601000000000123",
            payable_until=datetime.date(2026, 5, 31),
            amount=1_000_000,
        )


@pytest.mark.django_db
def test_convenience_barcode_data_of_an_invoice(kasama: Municipality) -> None:
    settings = PaymentSettings.objects.create(municipality=kasama, convenience_company_code="912345")
    invoice = make_invoice(kasama, amount=45_600, item=Item.FIXED_ASSET_TAX, payable_until=datetime.date(2026, 7, 31))
    data = codes.convenience_barcode_data(invoice, settings)
    parsed = codes.parse_convenience_barcode(data)
    assert parsed.invoice_number == invoice.number
    assert parsed.amount == 45_600
    assert parsed.payable_until == datetime.date(2026, 7, 31)
    assert parsed.company_code == "912345"
    settings.convenience_company_code = ""
    with pytest.raises(ValueError, match="company code"):
        codes.convenience_barcode_data(invoice, settings)


def test_mod10_weight3_matches_more_published_examples() -> None:
    # JAN "4912345" + 67890 → 4912345678904, https://www.barcode-net.com/chisiki/modulus10_3.html
    assert codes.mod10_weight3("491234567890") == 4


@pytest.mark.django_db
def test_pay_easy_numbers(kasama: Municipality) -> None:
    settings = PaymentSettings.objects.create(municipality=kasama, pay_easy_institution_number="58054")
    invoice = make_invoice(kasama)
    numbers = codes.pay_easy_numbers(invoice, settings)
    assert numbers.institution_number == "58054"
    assert numbers.payment_number == invoice.number
    assert numbers.confirmation_number == invoice.confirmation_number
    assert numbers.payment_number_display.replace("-", "") == invoice.number
    assert numbers.payment_number_display.count("-") == 3
    settings.pay_easy_institution_number = "5805"
    with pytest.raises(ValueError, match="5 digits"):
        codes.pay_easy_numbers(invoice, settings)
    settings.pay_easy_institution_number = ""
    with pytest.raises(ValueError, match="no Pay-easy"):
        codes.pay_easy_numbers(invoice, settings)


@pytest.mark.django_db
def test_el_qr_round_trip_and_refusals(kasama: Municipality) -> None:
    settings = PaymentSettings.objects.create(municipality=kasama, pay_easy_institution_number="58054")
    invoice = make_invoice(
        kasama, item=Item.MUNICIPAL_INHABITANT_TAX, amount=123_400, instalment=3, due_date=datetime.date(2026, 10, 31)
    )
    el_number = codes.el_number(invoice, settings)
    assert el_number == f"58054{invoice.number}{invoice.confirmation_number}001"
    assert codes.format_el_number(el_number) == f"58054-{invoice.number}-{invoice.confirmation_number}-001"
    data = codes.el_qr_data(invoice, settings)
    assert len(data) == codes.EL_QR_LENGTH
    parsed = codes.parse_el_qr(data)
    assert parsed.el_number == el_number
    assert parsed.local_government_code == "082163"
    assert (parsed.fiscal_year, parsed.instalment, parsed.amount) == (invoice.fiscal_year, 3, 123_400)
    assert parsed.due_date == datetime.date(2026, 10, 31)
    wrong = data[:-1] + str((int(data[-1]) + 1) % 10)
    with pytest.raises(ValueError, match="check digit"):
        codes.parse_el_qr(wrong)
    with pytest.raises(ValueError, match="63 digits"):
        codes.parse_el_qr(data[:-1])
    body = "02" + data[2:-1]
    with pytest.raises(ValueError, match="layout"):
        codes.parse_el_qr(body + str(codes.mod10_weight3(body)))
