"""The receipt (領収証書) as an A4 PDF, for an invoice on which money was received.

It states what was received, when and through which channel, for which invoice, issued
in the municipality's name. A local government's receipts bear no stamp duty (印紙税法
第5条・別表第二: 国・地方公共団体が作成した文書は非課税), which it says.
"""

from __future__ import annotations

import io

from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from madoguchi.core.tenancy import municipality_scope

from .models import Invoice, Payment
from .pdf import GOTHIC, MINCHO, fiscal_year_text, register_fonts, wareki, yen

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 20 * mm
MAX_ROWS = 20


def has_receipt(invoice: Invoice) -> bool:
    """A receipt exists once something was received on the invoice."""
    return invoice.paid_amount > 0


def received_payments(invoice: Invoice) -> list[Payment]:
    with municipality_scope(invoice.municipality_id):
        return list(Payment.objects.filter(invoice=invoice).order_by("paid_on", "id"))


def render_receipt(invoice: Invoice) -> bytes:
    """The invoice's 領収証書 as PDF bytes. `ValueError` when nothing was received."""
    if not has_receipt(invoice):
        raise ValueError("nothing was received on this invoice")
    register_fonts()
    payments = received_payments(invoice)
    municipality = invoice.municipality.name_ja
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(f"{municipality} 領収証書 {invoice.number}")
    canvas.setAuthor(municipality)
    top = PAGE_HEIGHT - MARGIN

    canvas.setFont(MINCHO, 22)
    canvas.drawCentredString(PAGE_WIDTH / 2, top - 10 * mm, "領 収 証 書")
    canvas.setFont(GOTHIC, 9)
    canvas.drawRightString(PAGE_WIDTH - MARGIN, top, f"発行日 {wareki(timezone.localdate())}")
    canvas.drawRightString(PAGE_WIDTH - MARGIN, top - 5 * mm, f"納付番号 {invoice.number}")

    y = top - 30 * mm
    canvas.setFont(MINCHO, 14)
    canvas.drawString(MARGIN, y, f"{invoice.payer_name} 様")
    canvas.setLineWidth(0.6)
    canvas.line(MARGIN, y - 2 * mm, MARGIN + 100 * mm, y - 2 * mm)

    y -= 18 * mm
    canvas.setFont(GOTHIC, 11)
    canvas.drawString(MARGIN, y, "領収金額")
    canvas.setFont(MINCHO, 20)
    canvas.drawString(MARGIN + 30 * mm, y - 1 * mm, f"￥{invoice.paid_amount:,}－")
    canvas.line(MARGIN + 28 * mm, y - 3 * mm, MARGIN + 110 * mm, y - 3 * mm)
    y -= 10 * mm
    canvas.setFont(GOTHIC, 10)
    canvas.drawString(MARGIN, y, "上記の金額を領収しました。")

    y -= 14 * mm
    rows = [
        ("科目", invoice.get_item_display()),
        (
            "年度・期別",
            f"{fiscal_year_text(invoice.fiscal_year)} {f'第{invoice.instalment}期' if invoice.instalment else '全期'}",
        ),
        ("内容", invoice.description or "—"),
        ("請求額", yen(invoice.amount)),
        ("納期限", wareki(invoice.due_date)),
        ("状態", str(invoice.get_status_display())),
    ]
    if invoice.refunded_amount:
        rows.append(("還付済額", yen(invoice.refunded_amount)))
    for label, value in rows:
        canvas.rect(MARGIN, y - 2.5 * mm, 30 * mm, 8 * mm, stroke=1, fill=0)
        canvas.rect(MARGIN + 30 * mm, y - 2.5 * mm, PAGE_WIDTH - 2 * MARGIN - 30 * mm, 8 * mm, stroke=1, fill=0)
        canvas.setFont(GOTHIC, 9)
        canvas.drawString(MARGIN + 2 * mm, y, label)
        canvas.drawString(MARGIN + 32 * mm, y, value[:60])
        y -= 8 * mm

    y -= 8 * mm
    canvas.setFont(GOTHIC, 10)
    canvas.drawString(MARGIN, y, "収納の内訳")
    y -= 7 * mm
    canvas.setFont(GOTHIC, 8)
    canvas.drawString(MARGIN + 2 * mm, y, "収納日")
    canvas.drawString(MARGIN + 40 * mm, y, "収納チャネル")
    canvas.drawRightString(PAGE_WIDTH - MARGIN - 2 * mm, y, "金額")
    canvas.line(MARGIN, y - 2 * mm, PAGE_WIDTH - MARGIN, y - 2 * mm)
    for payment in payments[:MAX_ROWS]:
        y -= 6 * mm
        canvas.setFont(GOTHIC, 9)
        canvas.drawString(MARGIN + 2 * mm, y, wareki(payment.paid_on))
        canvas.drawString(MARGIN + 40 * mm, y, str(payment.get_channel_display()))
        canvas.drawRightString(PAGE_WIDTH - MARGIN - 2 * mm, y, yen(payment.amount))
    if len(payments) > MAX_ROWS:
        y -= 6 * mm
        canvas.drawString(MARGIN + 2 * mm, y, f"ほか {len(payments) - MAX_ROWS} 件")

    # Issuer.
    y = MARGIN + 30 * mm
    canvas.setFont(MINCHO, 14)
    canvas.drawRightString(PAGE_WIDTH - MARGIN, y, f"{municipality}長")
    canvas.setFont(GOTHIC, 7)
    canvas.drawString(
        MARGIN, MARGIN + 8 * mm, "地方公共団体が作成する受取書のため、印紙税は非課税です（印紙税法第5条）。"
    )
    canvas.drawString(MARGIN, MARGIN + 4 * mm, "この領収証書は、収納の記録に基づいて電子的に発行したものです。")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
