"""The bill (納付書) as an A4 PDF that every channel can read.

The upper part is the notice for the payer (お知らせ): address block for a window
envelope, what is owed and by when, the Pay-easy numbers, the eL-QR and eL番号 of a
local tax, and how to pay. Below the cut line are the three parts of a Japanese 納付書,
side by side:

- 領収証書 (納付者保管): stamped by the bank or store and kept by the payer;
- 納付済通知書 (市区町村保管): returned to the municipality; it carries the
  convenience-store GS1-128 barcode (料金代理収納), which the store scans;
- 原符 (取扱店保管): kept by the bank or store.

Which codes a bill carries depends on what can be paid with it: the barcode only with a
convenience-store company code, an amount the barcode can hold and before the
取扱期限; Pay-easy only with a 収納機関番号; the eL-QR only for local taxes. A partly paid
invoice is printed without machine-readable codes (they would ask for the full amount).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from . import codes
from .models import Invoice, InvoiceStatus, PaymentSettings
from .pdf import (
    BARCODE_QUIET_ZONE,
    GOTHIC,
    MINCHO,
    barcode_width,
    draw_gs1_128,
    draw_qr,
    fiscal_year_text,
    register_fonts,
    wareki,
    yen,
)

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 12 * mm
STRIP_HEIGHT = 100 * mm
PART_WIDTH = (PAGE_WIDTH - 2 * MARGIN) / 3
EL_QR_SIZE = 24 * mm


@dataclass(frozen=True)
class BillCodes:
    """What a bill carries for the machines, each `None` when it cannot carry it."""

    convenience: str | None
    pay_easy: codes.PayEasyNumbers | None
    el_number: str | None
    el_qr: str | None


def bill_codes(invoice: Invoice, settings: PaymentSettings | None) -> BillCodes:
    """The codes this invoice's bill carries today."""
    if settings is None or invoice.status != InvoiceStatus.UNPAID:
        return BillCodes(None, None, None, None)
    convenience = None
    if invoice.payable_until >= timezone.localdate():
        try:
            convenience = codes.convenience_barcode_data(invoice, settings)
        except ValueError:
            convenience = None
    try:
        pay_easy: codes.PayEasyNumbers | None = codes.pay_easy_numbers(invoice, settings)
    except ValueError:
        pay_easy = None
    el_number = el_qr = None
    if invoice.is_tax and pay_easy is not None:
        try:
            el_number = codes.el_number(invoice, settings)
            el_qr = codes.el_qr_data(invoice, settings)
        except ValueError:
            el_number = el_qr = None
    return BillCodes(convenience, pay_easy, el_number, el_qr)


def payment_settings_for(invoice: Invoice) -> PaymentSettings | None:
    return PaymentSettings.objects.filter(municipality_id=invoice.municipality_id).first()


def render_bill(invoice: Invoice, settings: PaymentSettings | None = None) -> bytes:
    """The invoice's 納付書 as PDF bytes (one A4 page)."""
    if settings is None:
        settings = payment_settings_for(invoice)
    register_fonts()
    found = bill_codes(invoice, settings)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    municipality = invoice.municipality.name_ja
    canvas.setTitle(f"{municipality} 納付書 {invoice.number}")
    canvas.setAuthor(municipality)
    canvas.setSubject(f"{invoice.get_item_display()} {fiscal_year_text(invoice.fiscal_year)}")
    _draw_notice(canvas, invoice, found)
    _draw_strip(canvas, invoice, found)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _instalment_text(invoice: Invoice) -> str:
    return f"第{invoice.instalment}期" if invoice.instalment else "全期"


def _text(canvas: Canvas, x: float, y: float, text: str, size: float = 9, font: str = GOTHIC) -> None:
    canvas.setFont(font, size)
    canvas.drawString(x, y, text)


def _right(canvas: Canvas, x: float, y: float, text: str, size: float = 9, font: str = GOTHIC) -> None:
    canvas.setFont(font, size)
    canvas.drawRightString(x, y, text)


def _draw_notice(canvas: Canvas, invoice: Invoice, found: BillCodes) -> None:
    municipality = invoice.municipality.name_ja
    top = PAGE_HEIGHT - MARGIN
    # Title and issuer.
    _text(canvas, MARGIN, top - 6 * mm, f"{invoice.get_item_display()} 納付書", 16, MINCHO)
    _right(canvas, PAGE_WIDTH - MARGIN, top - 4 * mm, municipality, 12, MINCHO)
    _right(canvas, PAGE_WIDTH - MARGIN, top - 9 * mm, f"発行日 {wareki(invoice.issued_on)}", 8)
    # Address block where a window envelope shows it (JIS long envelope no. 3).
    y = top - 22 * mm
    if invoice.payer_postal_code:
        _text(canvas, MARGIN + 4 * mm, y, f"〒{invoice.payer_postal_code}", 10)
        y -= 5 * mm
    if invoice.payer_address:
        _text(canvas, MARGIN + 4 * mm, y, invoice.payer_address[:40], 10)
        y -= 7 * mm
    _text(canvas, MARGIN + 4 * mm, y, f"{invoice.payer_name} 様", 13, MINCHO)
    if invoice.payer_number:
        _text(canvas, MARGIN + 4 * mm, y - 5 * mm, f"宛名番号 {invoice.payer_number}", 8)

    # What is owed.
    rows = [
        ("科目", invoice.get_item_display()),
        ("年度・期別", f"{fiscal_year_text(invoice.fiscal_year)} {_instalment_text(invoice)}"),
        ("内容", invoice.description or "—"),
        ("納付額", yen(invoice.amount)),
        ("納期限", wareki(invoice.due_date)),
        ("取扱期限", f"{wareki(invoice.payable_until)}（コンビニエンスストア・ペイジー）"),
        ("納付番号", invoice.number),
    ]
    if invoice.status == InvoiceStatus.PARTLY_PAID:
        rows.append(("未納額", f"{yen(invoice.balance)}（一部納付済み）"))
    y = top - 50 * mm
    canvas.setLineWidth(0.5)
    for label, value in rows:
        canvas.rect(MARGIN, y - 2.5 * mm, 28 * mm, 8 * mm, stroke=1, fill=0)
        canvas.rect(MARGIN + 28 * mm, y - 2.5 * mm, 92 * mm, 8 * mm, stroke=1, fill=0)
        _text(canvas, MARGIN + 2 * mm, y, label, 9)
        _text(canvas, MARGIN + 30 * mm, y, value[:46], 11 if label == "納付額" else 9)
        y -= 8 * mm

    # Pay-easy and eL blocks on the right.
    box_x = MARGIN + 126 * mm
    box_w = PAGE_WIDTH - MARGIN - box_x
    y = top - 46 * mm
    if found.pay_easy is not None:
        canvas.rect(box_x, y - 24 * mm, box_w, 30 * mm, stroke=1, fill=0)
        _text(canvas, box_x + 2 * mm, y + 1 * mm, "ペイジー（Pay-easy）", 9)
        _text(canvas, box_x + 2 * mm, y - 5 * mm, f"収納機関番号 {found.pay_easy.institution_number}", 9)
        _text(canvas, box_x + 2 * mm, y - 11 * mm, "納付番号", 9)
        _text(canvas, box_x + 2 * mm, y - 16 * mm, found.pay_easy.payment_number_display, 9)
        _text(canvas, box_x + 2 * mm, y - 22 * mm, f"確認番号 {found.pay_easy.confirmation_number}", 9)
        y -= 34 * mm
    if found.el_qr is not None and found.el_number is not None:
        canvas.rect(box_x, y - EL_QR_SIZE - 10 * mm, box_w, EL_QR_SIZE + 16 * mm, stroke=1, fill=0)
        _text(canvas, box_x + 2 * mm, y + 1 * mm, "eL  地方税統一QRコード（eL-QR）", 8)
        draw_qr(canvas, found.el_qr, box_x + (box_w - EL_QR_SIZE) / 2, y - EL_QR_SIZE - 1 * mm, EL_QR_SIZE)
        _text(canvas, box_x + 2 * mm, y - EL_QR_SIZE - 5 * mm, "eL番号（納付書番号）", 7)
        _text(canvas, box_x + 2 * mm, y - EL_QR_SIZE - 9 * mm, codes.format_el_number(found.el_number), 7)

    # How to pay.
    y = top - 122 * mm
    _text(canvas, MARGIN, y, "お支払い方法", 10)
    lines = [
        "・市区町村の窓口、指定金融機関・収納代理金融機関の窓口でお支払いいただけます。",
        "・オンライン（クレジットカード・インターネットバンキング）は「わたしの納付」からお支払いください。",
    ]
    if found.convenience is not None:
        lines.append("・コンビニエンスストアでは、下の納付書をバーコードごとお持ちください（取扱期限まで）。")
    if found.pay_easy is not None:
        lines.append("・ペイジー対応のATM・インターネットバンキングでは、上の番号を入力してください。")
    if found.el_qr is not None:
        lines.append("・eL-QRを読み取ると、地方税お支払サイトやスマートフォン決済アプリで納付できます。")
    if invoice.status == InvoiceStatus.PARTLY_PAID:
        lines.append("・一部が納付済みのため、バーコード等は印字していません。窓口でお支払いください。")
    lines.append("・領収証書は大切に保管してください。")
    for line in lines:
        y -= 5.5 * mm
        _text(canvas, MARGIN + 2 * mm, y, line, 8)


def _draw_strip(canvas: Canvas, invoice: Invoice, found: BillCodes) -> None:
    municipality = invoice.municipality.name_ja
    top = MARGIN + STRIP_HEIGHT
    canvas.saveState()
    canvas.setDash(3, 2)
    canvas.setLineWidth(0.4)
    canvas.line(MARGIN / 2, top + 4 * mm, PAGE_WIDTH - MARGIN / 2, top + 4 * mm)
    for i in (1, 2):
        x = MARGIN + i * PART_WIDTH
        canvas.line(x, MARGIN / 2, x, top + 2 * mm)
    canvas.restoreState()
    _text(canvas, PAGE_WIDTH / 2 - 12 * mm, top + 5 * mm, "－－ きりとり線 －－", 7)

    parts = [
        ("領収証書", "納付者保管"),
        ("納付済通知書", f"{municipality}保管"),
        ("原符", "取扱店保管"),
    ]
    for i, (title, keeper) in enumerate(parts):
        x = MARGIN + i * PART_WIDTH + 3 * mm
        right = MARGIN + (i + 1) * PART_WIDTH - 3 * mm
        y = top - 6 * mm
        _text(canvas, x, y, title, 12, MINCHO)
        _right(canvas, right, y, f"（{keeper}）", 7)
        y -= 7 * mm
        _text(canvas, x, y, municipality, 9)
        y -= 6 * mm
        for label, value in (
            ("科目", invoice.get_item_display()),
            ("年度", f"{fiscal_year_text(invoice.fiscal_year)} {_instalment_text(invoice)}"),
            ("納付番号", invoice.number),
            ("納期限", wareki(invoice.due_date)),
            ("氏名", f"{invoice.payer_name} 様"),
        ):
            _text(canvas, x, y, label, 7)
            _text(canvas, x + 13 * mm, y, value[:22], 8)
            y -= 5 * mm
        y -= 2 * mm
        _text(canvas, x, y, "納付額", 8)
        _right(canvas, right, y, yen(invoice.amount), 13)
        y -= 4 * mm
        canvas.setLineWidth(0.5)
        canvas.line(x, y, right, y)
        if i == 1 and found.convenience is not None:
            _draw_convenience_barcode(canvas, found.convenience, MARGIN + PART_WIDTH, MARGIN + 6 * mm)
        else:
            # The bank's or store's receipt stamp (領収日付印).
            size = 24 * mm
            cx = (x + right) / 2
            canvas.saveState()
            canvas.setLineWidth(0.4)
            canvas.circle(cx, MARGIN + 10 * mm + size / 2, size / 2, stroke=1, fill=0)
            canvas.restoreState()
            _text(canvas, cx - 7 * mm, MARGIN + 10 * mm + size / 2 - 1 * mm, "領収日付印", 7)
    _text(canvas, MARGIN, MARGIN / 2 - 1 * mm, f"{municipality}  納付番号 {invoice.number}", 6)


def _draw_convenience_barcode(canvas: Canvas, data: str, part_x: float, y: float) -> None:
    """The GS1-128 symbol centred in the part, with its human-readable text below it in
    two lines (as the guideline shows it)."""
    width = barcode_width(data)
    x = part_x + (PART_WIDTH - width) / 2
    assert x - part_x >= BARCODE_QUIET_ZONE, "the barcode needs its quiet zone"
    draw_gs1_128(canvas, data, x, y + 14 * mm)
    first = f"({data[:2]}){data[2:8]}-{data[8:29]}"
    second = f"{data[29]}-{data[30:36]}-{data[36]}-{data[37:43]}-{data[43]}"
    _text(canvas, x, y + 9.5 * mm, first, 7)
    _text(canvas, x, y + 6 * mm, second, 7)
    _text(canvas, x, y + 1 * mm, "コンビニエンスストア取扱期限までお支払いいただけます", 6)
