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
    # GS1 General Specifications, 7.9.1 (EAN-13 / GTIN examples).
    assert codes.mod10_weight3("629104150021") == 3
    assert codes.mod10_weight3("400638133393") == 1
    # ITF-14 example "1456995111617" → 6 (http://www.barcode-net.com/chisiki/modulus10_3.html).
    assert codes.mod10_weight3("1456995111617") == 6
    with pytest.raises(ValueError, match="digits only"):
        codes.mod10_weight3("12a4")


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
        (lambda d: d[:-1], "44 digits"),
        (lambda d: d[:-1] + str((int(d[-1]) + 1) % 10), "check digit"),
        (lambda d: "92" + d[2:], "91"),
        (lambda d: d[:10] + "x" + d[11:], "digits only"),
        (lambda d: d[:30] + "261332" + d[36:-1] + str(codes.mod10_weight3(d[:30] + "261332" + d[36:-1])), "date"),
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
