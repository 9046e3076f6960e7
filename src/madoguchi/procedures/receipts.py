"""The receipt of a submission (受付票) as an A4 PDF.

It says what the municipality received, from whom and when: the procedure, the
submission number (受付番号), the date and time, the applicant, every answer as the
applicant gave it (`formdef.summarize`), the fee, and a QR code of the applicant's page
of the submission, where its status can be followed. Fonts and drawing helpers are those
of the payments PDFs (`payments.pdf`).
"""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import override
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from madoguchi.core.tenancy import municipality_scope
from madoguchi.payments.pdf import GOTHIC, MINCHO, draw_qr, register_fonts, wareki, yen

from . import formdef
from .models import Submission
from .services.common import definition_of

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
LABEL_WIDTH = 50 * mm
LINE = 5.2 * mm
QR_SIZE = 28 * mm


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Break `text` into lines that fit `width` (character by character: Japanese has
    no spaces to break at)."""
    lines: list[str] = []
    for paragraph in (text or "").splitlines() or [""]:
        current = ""
        for char in paragraph:
            if stringWidth(current + char, font, size) > width:
                lines.append(current)
                current = char
            else:
                current += char
        lines.append(current)
    return lines


class _Writer:
    """Rows of (label, value) down the page, continuing on a new page when full."""

    def __init__(self, canvas: Canvas, title: str) -> None:
        self.canvas = canvas
        self.title = title
        self.y = PAGE_HEIGHT - MARGIN
        self.page = 1

    def new_page(self) -> None:
        self.canvas.setFont(GOTHIC, 7)
        self.canvas.drawRightString(PAGE_WIDTH - MARGIN, MARGIN / 2, f"{self.page}")
        self.canvas.showPage()
        self.page += 1
        self.y = PAGE_HEIGHT - MARGIN
        self.canvas.setFont(GOTHIC, 8)
        self.canvas.drawString(MARGIN, self.y, f"{self.title}（続き）")
        self.y -= 8 * mm

    def need(self, height: float) -> None:
        if self.y - height < MARGIN + 10 * mm:
            self.new_page()

    def heading(self, text: str) -> None:
        self.need(12 * mm)
        self.y -= 4 * mm
        self.canvas.setFont(GOTHIC, 11)
        self.canvas.drawString(MARGIN, self.y, text)
        self.y -= 2 * mm
        self.canvas.setLineWidth(0.8)
        self.canvas.line(MARGIN, self.y, PAGE_WIDTH - MARGIN, self.y)
        self.y -= LINE

    def row(self, label: str, value: str) -> None:
        value_width = PAGE_WIDTH - 2 * MARGIN - LABEL_WIDTH - 4 * mm
        labels = _wrap(label, GOTHIC, 8.5, LABEL_WIDTH - 3 * mm)
        values = _wrap(value or "—", GOTHIC, 9.5, value_width)
        height = max(len(labels), len(values)) * LINE
        self.need(height)
        self.canvas.setFont(GOTHIC, 8.5)
        for i, line in enumerate(labels):
            self.canvas.drawString(MARGIN + 1 * mm, self.y - i * LINE, line)
        self.canvas.setFont(GOTHIC, 9.5)
        for i, line in enumerate(values):
            self.canvas.drawString(MARGIN + LABEL_WIDTH, self.y - i * LINE, line)
        self.y -= height
        self.canvas.setLineWidth(0.3)
        self.canvas.line(MARGIN, self.y + LINE - 1.5 * mm, PAGE_WIDTH - MARGIN, self.y + LINE - 1.5 * mm)


def render_receipt(submission: Submission, *, status_url: str) -> bytes:
    """The 受付票 of a submitted submission as PDF bytes; `status_url` (absolute) goes in
    the QR code. `ValueError` for a draft (it has no number yet)."""
    if submission.is_draft or not submission.number:
        raise ValueError("a draft has no receipt")
    register_fonts()
    with municipality_scope(submission.municipality_id):
        definition = definition_of(submission)
        procedure = submission.procedure
        department = submission.department
    municipality = submission.municipality.name_ja
    submitted_at = timezone.localtime(submission.submitted_at or submission.created_at)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    title = f"{municipality} 受付票 {submission.number}"
    canvas.setTitle(title)
    canvas.setAuthor(municipality)
    canvas.setSubject(procedure.name_ja)
    top = PAGE_HEIGHT - MARGIN

    canvas.setFont(GOTHIC, 9)
    canvas.drawString(MARGIN, top, municipality)
    canvas.drawRightString(PAGE_WIDTH - MARGIN, top, f"発行日 {wareki(timezone.localdate())}")
    canvas.setFont(MINCHO, 20)
    canvas.drawCentredString(PAGE_WIDTH / 2, top - 12 * mm, "受 付 票")
    canvas.setFont(GOTHIC, 10)
    canvas.drawCentredString(PAGE_WIDTH / 2, top - 19 * mm, "電子申請・届出を次のとおり受け付けました。")

    # The QR code of the applicant's page, top right, beside the main facts.
    qr_x = PAGE_WIDTH - MARGIN - QR_SIZE
    qr_y = top - 26 * mm - QR_SIZE
    draw_qr(canvas, status_url, qr_x, qr_y, QR_SIZE)
    canvas.setFont(GOTHIC, 6.5)
    canvas.drawCentredString(qr_x + QR_SIZE / 2, qr_y - 3 * mm, "申請の状況はこちら")

    y = top - 30 * mm
    facts = [
        ("受付番号", submission.number),
        ("手続", procedure.name_ja),
        ("受付日時", f"{wareki(submitted_at.date())} {submitted_at:%H:%M}"),
        ("申請者", submission.applicant_name or "—"),
        ("担当部署", department.name_ja + (f"（電話 {department.phone}）" if department.phone else "")),
    ]
    if submission.due_on:
        facts.append(("処理の目安", f"{wareki(submission.due_on)}まで"))
    for label, value in facts:
        canvas.setFont(GOTHIC, 8.5)
        canvas.drawString(MARGIN, y, label)
        canvas.setFont(GOTHIC, 11 if label == "受付番号" else 9.5)
        width = qr_x - MARGIN - 32 * mm
        canvas.drawString(MARGIN + 28 * mm, y, _wrap(value, GOTHIC, 9.5, width)[0])
        y -= 7 * mm

    writer = _Writer(canvas, title)
    writer.y = min(y, qr_y - 8 * mm)
    writer.heading("申請の内容")
    # A receipt is an official document in Japanese, whatever the page language was.
    with override("ja"):
        sections = formdef.summarize(definition, submission.data)
    for step, rows in sections:
        writer.need(3 * LINE)
        writer.canvas.setFont(GOTHIC, 9.5)
        writer.canvas.drawString(MARGIN, writer.y, f"■ {formdef.localized(step.title, 'ja')}")
        writer.y -= LINE
        for f, value in rows:
            writer.row(formdef.localized(f.label, "ja"), value)
        writer.y -= 2 * mm

    writer.heading("手数料")
    fee = definition.fee(submission.data)
    if fee.items:
        for item in fee.items:
            writer.row(item.label, f"{yen(item.unit_amount)} × {item.quantity} = {yen(item.amount)}")
    writer.row("合計", yen(submission.fee_amount))

    writer.need(16 * mm)
    writer.y -= 6 * mm
    canvas.setFont(GOTHIC, 7.5)
    canvas.drawString(
        MARGIN,
        writer.y,
        "この受付票は、申請を受け付けたことを示すもので、許可・交付などの決定を示すものではありません。",
    )
    writer.y -= 4 * mm
    canvas.drawString(MARGIN, writer.y, "お問い合わせの際は、受付番号をお知らせください。")
    canvas.setFont(GOTHIC, 7)
    canvas.drawRightString(PAGE_WIDTH - MARGIN, MARGIN / 2, f"{writer.page}")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
