"""Bills (納付書) and receipts (領収証書): the PDF is rendered, rasterised as a printer or a
scanner would see it, and its barcode and QR code are decoded with a real decoder
(zxing-cpp) and compared with the invoice; who may download which document."""

from __future__ import annotations

import datetime

import pypdfium2 as pdfium
import pytest
import zxingcpp
from django.test import Client
from reportlab.lib.units import mm

from madoguchi.audit.models import AuditEntry
from madoguchi.core.models import Municipality
from madoguchi.payments import bills, codes, receipts, services
from madoguchi.payments.models import Channel, Invoice, Item, PaymentSettings
from madoguchi.payments.pdf import BARCODE_QUIET_ZONE, barcode_width, gs1_128_modules
from madoguchi.testing.factories import UserFactory, make_staff
from madoguchi.testing.tenancy import sign_in

from .factories import a_date, make_invoice

pytestmark = pytest.mark.django_db

#: A printer's resolution; the 0.2 mm modules of the GS1-128 symbol are 2.4 pixels here.
DPI = 300


def _settings(municipality: Municipality) -> PaymentSettings:
    return PaymentSettings.objects.create(
        municipality=municipality, convenience_company_code="912345", pay_easy_institution_number="58054"
    )


def _decode(pdf: bytes) -> list[zxingcpp.Barcode]:
    document = pdfium.PdfDocument(pdf)
    assert len(document) == 1
    image = document[0].render(scale=DPI / 72, grayscale=True).to_pil()
    return zxingcpp.read_barcodes(image, text_mode=zxingcpp.TextMode.Plain)


def _text(pdf: bytes) -> str:
    document = pdfium.PdfDocument(pdf)
    return "".join(page.get_textpage().get_text_range() for page in document)


def _of(found: list[zxingcpp.Barcode], fmt: zxingcpp.BarcodeFormat) -> list[zxingcpp.Barcode]:
    return [b for b in found if b.format == fmt]


def _tax_invoice(municipality: Municipality, **kwargs: object) -> Invoice:
    return make_invoice(
        municipality,
        item=Item.FIXED_ASSET_TAX,
        amount=45_600,
        instalment=2,
        payer_postal_code="309-1792",
        payer_address="茨城県笠間市中央三丁目2番1号",
        description="土地・家屋",
        payable_until=a_date(60),
        **kwargs,
    )


def test_tax_bill_barcode_and_qr_decode_to_the_invoice(kasama: Municipality) -> None:
    settings = _settings(kasama)
    invoice = _tax_invoice(kasama)
    found = _decode(bills.render_bill(invoice, settings))

    [barcode] = _of(found, zxingcpp.BarcodeFormat.Code128)
    # "]C1": Code 128 with FNC1 in the first position, i.e. GS1-128.
    assert barcode.symbology_identifier == "]C1"
    assert barcode.content_type == zxingcpp.ContentType.GS1
    assert barcode.text == codes.convenience_barcode_data(invoice, settings)
    parsed = codes.parse_convenience_barcode(barcode.text)
    assert parsed.invoice_number == invoice.number
    assert parsed.amount == invoice.amount
    assert parsed.payable_until == invoice.payable_until
    assert parsed.company_code == settings.convenience_company_code
    assert parsed.reissue == 0

    [qr] = _of(found, zxingcpp.BarcodeFormat.QRCode)
    assert qr.text == codes.el_qr_data(invoice, settings)
    el = codes.parse_el_qr(qr.text)
    assert el.local_government_code == kasama.code
    assert el.institution_number == "58054"
    assert el.payment_number == invoice.number
    assert el.confirmation_number == invoice.confirmation_number
    assert el.amount == invoice.amount
    assert el.due_date == invoice.due_date
    assert el.fiscal_year == invoice.fiscal_year
    assert el.instalment == 2

    text = _text(bills.render_bill(invoice, settings))
    for expected in (
        "笠間市",
        "笠間 太郎 様",
        "固定資産税・都市計画税",
        "第2期",
        "45,600円",
        "領収証書",
        "納付済通知書",
        "原符",
        "収納機関番号 58054",
        f"確認番号 {invoice.confirmation_number}",
        codes.format_el_number(codes.el_number(invoice, settings)),
    ):
        assert expected in text


def test_barcode_fits_the_stores_scanners() -> None:
    data = codes.build_convenience_barcode(
        company_code="912345", invoice_number="2601000000000123", payable_until=datetime.date(2026, 5, 31), amount=1
    )
    modules = gs1_128_modules(data)
    # Start C, FNC1, 22 pairs of digits, check character: 25 symbols of 11 modules + stop (13).
    assert len(modules) == 25 * 11 + 13
    assert modules.startswith("11010011100" + "11110101110")  # START C, FNC1
    assert barcode_width(data) <= 60 * mm
    assert bills.PART_WIDTH - barcode_width(data) >= 2 * BARCODE_QUIET_ZONE


def test_a_fee_has_the_barcode_but_no_el_qr(kasama: Municipality) -> None:
    settings = _settings(kasama)
    invoice = make_invoice(kasama, item=Item.FEE, amount=300)
    found = _decode(bills.render_bill(invoice, settings))
    assert [b.text for b in _of(found, zxingcpp.BarcodeFormat.Code128)] == [
        codes.convenience_barcode_data(invoice, settings)
    ]
    assert _of(found, zxingcpp.BarcodeFormat.QRCode) == []
    assert "eL番号" not in _text(bills.render_bill(invoice, settings))
    with pytest.raises(ValueError, match="local-tax"):
        codes.el_qr_data(invoice, settings)


def test_bill_without_codes_when_they_cannot_be_used(kasama: Municipality) -> None:
    invoice = _tax_invoice(kasama)
    # No settings: nothing to print for the machines, but still a bill for the counter.
    assert _decode(bills.render_bill(invoice, None)) == []
    settings = _settings(kasama)
    # Past the 取扱期限 the stores refuse it: no barcode (Pay-easy and eL-QR stay).
    late = make_invoice(kasama, item=Item.LIGHT_VEHICLE_TAX, due_date=a_date(-30), payable_until=a_date(-1))
    found = _decode(bills.render_bill(late, settings))
    assert _of(found, zxingcpp.BarcodeFormat.Code128) == []
    assert len(_of(found, zxingcpp.BarcodeFormat.QRCode)) == 1
    # Partly paid: the codes would ask for the full amount.
    services.record_payment(invoice, channel=Channel.COUNTER, reference="c-1", amount=10_000, paid_on=a_date())
    invoice.refresh_from_db()
    pdf = bills.render_bill(invoice, settings)
    assert _decode(pdf) == []
    assert "未納額 35,600円" in _text(pdf)
    # Too much for the barcode's six digits.
    big = make_invoice(kasama, item=Item.FIXED_ASSET_TAX, amount=1_234_567)
    found = _decode(bills.render_bill(big, settings))
    assert _of(found, zxingcpp.BarcodeFormat.Code128) == []
    assert codes.parse_el_qr(_of(found, zxingcpp.BarcodeFormat.QRCode)[0].text).amount == 1_234_567


def test_receipt_states_what_was_received(kasama: Municipality) -> None:
    invoice = make_invoice(kasama, item=Item.FACILITY_FEE, amount=2_000, description="体育館 1時間")
    with pytest.raises(ValueError, match="nothing was received"):
        receipts.render_receipt(invoice)
    services.record_payment(
        invoice, channel=Channel.ONLINE_CARD, reference="tx-1", amount=2_000, paid_on=datetime.date(2026, 6, 1)
    )
    invoice.refresh_from_db()
    text = _text(receipts.render_receipt(invoice))
    for expected in (
        "領 収 証 書",
        "笠間 太郎 様",
        "￥2,000－",
        "施設使用料",
        "体育館 1時間",
        "クレジットカード",
        "令和8年6月1日",
    ):
        assert expected in text
    assert invoice.number in text
    assert "笠間市長" in text


# --- downloads ------------------------------------------------------------------------


def _url(slug: str, invoice: Invoice, document: str = "bill") -> str:
    return f"/{slug}/payments/invoices/{invoice.number}/{document}.pdf"


def test_the_payer_downloads_their_bill_and_it_is_audited(kasama: Municipality, client: Client) -> None:
    _settings(kasama)
    payer = UserFactory.create()
    invoice = _tax_invoice(kasama, payer=payer)
    sign_in(client, payer)
    response = client.get(_url("kasama", invoice))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    found = _decode(response.content)
    assert {b.format for b in found} == {zxingcpp.BarcodeFormat.Code128, zxingcpp.BarcodeFormat.QRCode}
    entry = AuditEntry.objects.filter(object_id=str(invoice.pk), action="view").get()
    assert entry.personal_data
    assert entry.actor_id == payer.pk
    assert entry.subject_id == payer.pk
    assert entry.extra == {"document": "bill"}
    assert entry.municipality_id == kasama.pk


def test_others_get_404_and_nothing_is_audited(kasama: Municipality, mito: Municipality, client: Client) -> None:
    payer = UserFactory.create()
    invoice = _tax_invoice(kasama, payer=payer)
    services.record_payment(invoice, channel=Channel.COUNTER, reference="c-1", amount=1_000, paid_on=a_date())
    reads = AuditEntry.objects.filter(object_id=str(invoice.pk), action="view")

    sign_in(client, UserFactory.create())  # another resident
    assert client.get(_url("kasama", invoice)).status_code == 404
    assert client.get(_url("kasama", invoice, "receipt")).status_code == 404

    sign_in(client, make_staff(mito))  # staff of another municipality
    assert client.get(_url("kasama", invoice)).status_code == 404
    assert client.get(_url("mito", invoice)).status_code == 404  # Mito has no such invoice

    sign_in(client, payer)  # the payer, at the wrong municipality
    assert client.get(_url("mito", invoice)).status_code == 404
    assert client.get(f"/kasama/payments/invoices/{invoice.number}0/bill.pdf").status_code == 404

    client.logout()
    response = client.get(_url("kasama", invoice))
    assert response.status_code == 302
    assert "/accounts/" in response["Location"]
    assert not reads.exists()


def test_staff_download_any_bill_of_their_municipality(kasama: Municipality, client: Client) -> None:
    invoice = make_invoice(kasama, item=Item.FEE, amount=300)  # no account: issued on paper
    staff = make_staff(kasama)
    sign_in(client, staff)
    response = client.get(_url("kasama", invoice))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    entry = AuditEntry.objects.filter(object_id=str(invoice.pk), action="view").get()
    assert entry.actor_id == staff.pk
    assert entry.personal_data


def test_receipt_only_once_something_was_paid_and_bill_only_while_open(kasama: Municipality, client: Client) -> None:
    payer = UserFactory.create()
    invoice = make_invoice(kasama, amount=5_000, payer=payer)
    sign_in(client, payer)
    assert client.get(_url("kasama", invoice, "receipt")).status_code == 404
    services.record_payment(invoice, channel=Channel.ONLINE_CARD, reference="tx-9", amount=5_000, paid_on=a_date())
    response = client.get(_url("kasama", invoice, "receipt"))
    assert response.status_code == 200
    assert "￥5,000－" in _text(response.content)
    assert AuditEntry.objects.filter(object_id=str(invoice.pk), action="view", extra={"document": "receipt"}).exists()
    # Paid: no bill to pay it twice with.
    assert client.get(_url("kasama", invoice)).status_code == 404
    # A cancelled invoice has no bill either.
    other = make_invoice(kasama, amount=5_000, payer=payer)
    services.cancel_invoice(other, reason="誤発行")
    assert client.get(_url("kasama", other)).status_code == 404
    assert client.post(_url("kasama", invoice, "receipt")).status_code == 405
