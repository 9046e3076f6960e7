"""Paper forms (申請書の様式): an A4 PDF to print and fill in by hand, drawn from a
procedure's form definition, for procedures without an uploaded PDF (and for those
only accepted on paper).

The form follows the definition: a title block with the municipality, the department
and an office-use box; each step as a section; each field with its label (Japanese, the
English below in small type), a box or lines to write in sized to the field (a date
with the eras to circle, a postal code with 〒), choices as boxes to tick, conditions
written out ("「必要な方」で「その他」の場合"), help texts; and the fee lines. Paper forms
are Japanese documents whatever the page's language: the English is there to help.

The fonts are the Adobe-Japan1 CID fonts payments uses (`payments.pdf.register_fonts`),
not embedded, so that no font file is needed on the server.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from madoguchi.payments.pdf import GOTHIC, MINCHO, register_fonts, yen

from . import formdef
from .models import Availability, FormVersion, Procedure

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 15 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
BOTTOM = 18 * mm
LABEL_SIZE = 9.5
SMALL_SIZE = 7.5
LINE = 5.2 * mm  # one handwritten line
GREY = (0.45, 0.45, 0.45)
SHADE = (0.9, 0.9, 0.9)

#: Rows to write in, by field type (a textarea gets more).
ROWS = {"textarea": 4, "address": 2}
#: Boxes drawn narrower than the full width, as a fraction of it.
NARROW = {"integer": 0.25, "postal_code": 0.4, "phone": 0.5, "kana": 1.0, "date": 0.8, "email": 0.8}
ERAS = "明治・大正・昭和・平成・令和・西暦"
#: Field types whose online help the paper box makes unnecessary.
PAPER_EXPLAINS = frozenset({"date", "postal_code"})


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Lines of at most `width` points. Japanese breaks between any two characters; a
    line of Latin text breaks at its last space when there is one."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        current = ""
        for char in paragraph:
            if stringWidth(current + char, font, size) <= width:
                current += char
                continue
            cut = current.rfind(" ")
            if char != " " and cut > len(current) // 2 and current[cut + 1 :].isascii():
                lines.append(current[:cut])
                current = current[cut + 1 :] + char
            else:
                lines.append(current)
                current = char.lstrip()
        lines.append(current)
    return lines


def _option_text(f: formdef.Field, value: Any) -> str:
    return f.option_text(value) if f.options else str(value)


def describe_condition(condition: Any, definition: formdef.FormDefinition) -> str:
    """A condition as a person reads it on paper, to be followed by 場合: 「送付先」で
    「その他の住所」の."""
    if not isinstance(condition, Mapping):
        return ""
    if "all" in condition:
        return "、かつ".join(describe_condition(c, definition) for c in condition["all"])
    if "any" in condition:
        return "、または".join(describe_condition(c, definition) for c in condition["any"])
    if "not" in condition:
        return f"（{describe_condition(condition['not'], definition)}場合）以外の"
    key = str(condition.get("field", ""))
    try:
        f = definition.field(key)
    except KeyError:
        return ""
    label = f"「{f.label.get('ja', key)}」"
    if "equals" in condition:
        return f"{label}で「{_option_text(f, condition['equals'])}」の"
    if "not_equals" in condition:
        return f"{label}で「{_option_text(f, condition['not_equals'])}」以外の"
    if "in" in condition:
        return f"{label}で" + "か".join(f"「{_option_text(f, v)}」" for v in condition["in"]) + "の"
    if "contains" in condition:
        return f"{label}で「{_option_text(f, condition['contains'])}」を選んだ"
    if "filled" in condition:
        return f"{label}を記入した" if condition["filled"] else f"{label}が空欄の"
    return ""


class PaperForm:
    """Draws one form; `y` is where the next thing goes, top down."""

    def __init__(self, procedure: Procedure, definition: formdef.FormDefinition | None) -> None:
        self.procedure = procedure
        self.definition = definition
        self.buffer = io.BytesIO()
        self.canvas = Canvas(self.buffer, pagesize=A4, pageCompression=1)
        self.page = 1
        self.y = PAGE_HEIGHT - MARGIN

    # --- primitives ----------------------------------------------------------------

    def text(self, x: float, text: str, *, font: str = GOTHIC, size: float = LABEL_SIZE, grey: bool = False) -> None:
        self.canvas.setFillColorRGB(*(GREY if grey else (0, 0, 0)))
        self.canvas.setFont(font, size)
        self.canvas.drawString(x, self.y, text)
        self.canvas.setFillColorRGB(0, 0, 0)

    def paragraph(
        self, text: str, *, font: str = MINCHO, size: float = SMALL_SIZE + 0.5, indent: float = 0, grey: bool = False
    ) -> None:
        for line in wrap(text, font, size, CONTENT_WIDTH - indent):
            self.need(size + 2)
            self.y -= size + 2
            self.text(MARGIN + indent, line, font=font, size=size, grey=grey)

    def need(self, height: float) -> None:
        """Start a new page unless `height` fits above the bottom margin."""
        if self.y - height >= BOTTOM:
            return
        self.footer()
        self.canvas.showPage()
        self.page += 1
        self.y = PAGE_HEIGHT - MARGIN
        self.text(MARGIN, f"{self.procedure.name_ja}（続き）", size=SMALL_SIZE, grey=True)
        self.y -= 4 * mm

    def footer(self) -> None:
        municipality = self.procedure.municipality
        saved = self.y
        self.y = BOTTOM - 8 * mm
        contact = f"{municipality.name_ja} {self.procedure.department.name_ja}"
        if municipality.phone:
            contact += f"  TEL {municipality.phone}"
        self.text(MARGIN, contact, size=SMALL_SIZE, grey=True)
        number = f"{self.page}"
        self.canvas.setFont(GOTHIC, SMALL_SIZE)
        self.canvas.drawRightString(PAGE_WIDTH - MARGIN, self.y, number)
        self.y = saved

    def box(self, x: float, height: float, width: float) -> None:
        self.canvas.setLineWidth(0.6)
        self.canvas.rect(x, self.y - height, width, height, stroke=1, fill=0)

    def checkbox(self, x: float, size: float = 3.2 * mm) -> None:
        self.canvas.setLineWidth(0.6)
        self.canvas.rect(x, self.y - 0.6 * mm, size, size, stroke=1, fill=0)

    # --- parts ---------------------------------------------------------------------

    def title_block(self) -> None:
        procedure = self.procedure
        municipality = procedure.municipality
        self.canvas.setTitle(f"{municipality.name_ja} {procedure.name_ja}")
        self.canvas.setAuthor(municipality.name_ja)
        self.canvas.setSubject(procedure.name_en or procedure.name_ja)
        self.y -= 4 * mm
        self.text(MARGIN, f"{municipality.name_ja}長 あて", size=LABEL_SIZE)
        # Office use only: 受付番号 and 受付印.
        office_width = 55 * mm
        office_x = PAGE_WIDTH - MARGIN - office_width
        top = self.y + 4 * mm
        self.canvas.setLineWidth(0.6)
        self.canvas.rect(office_x, top - 22 * mm, office_width, 22 * mm)
        self.canvas.line(office_x, top - 5 * mm, office_x + office_width, top - 5 * mm)
        self.canvas.setFont(GOTHIC, SMALL_SIZE)
        self.canvas.drawString(office_x + 2 * mm, top - 3.6 * mm, "市使用欄　受付番号・受付印")
        self.y -= 12 * mm
        for line in wrap(procedure.name_ja, GOTHIC, 16, CONTENT_WIDTH - office_width - 5 * mm):
            self.text(MARGIN, line, size=16)
            self.y -= 7 * mm
        if procedure.name_en:
            self.text(MARGIN, procedure.name_en, size=SMALL_SIZE, grey=True)
            self.y -= 5 * mm
        self.y = min(self.y, top - 26 * mm)
        self.text(MARGIN, f"担当: {procedure.department.name_ja}", size=SMALL_SIZE + 1)
        if procedure.code:
            self.canvas.setFont(GOTHIC, SMALL_SIZE)
            self.canvas.drawRightString(PAGE_WIDTH - MARGIN, self.y, f"手続番号 {procedure.code}")
        self.y -= 2 * mm
        self.paragraph("記入日　　　　年　　月　　日", font=GOTHIC, size=LABEL_SIZE)
        if procedure.summary_ja:
            self.y -= 1 * mm
            self.paragraph(procedure.summary_ja)
        if procedure.availability == Availability.PAPER_ONLY:
            self.paragraph("この手続はオンラインでは受け付けていません。記入して窓口にお持ちください。", font=GOTHIC)
        else:
            self.paragraph(
                "この手続はオンラインでも申請できます。郵送・窓口の場合はこの用紙に記入してください。", grey=True
            )
        self.paragraph("※の項目は必ず記入してください。□は該当するものにレ印を付けてください。", grey=True)
        self.y -= 3 * mm

    def section(self, step: formdef.Step) -> None:
        self.need(12 * mm)
        self.y -= 7 * mm
        self.canvas.setFillColorRGB(*SHADE)
        self.canvas.rect(MARGIN, self.y - 1.8 * mm, CONTENT_WIDTH, 6.5 * mm, stroke=0, fill=1)
        self.canvas.setFillColorRGB(0, 0, 0)
        heading = step.title.get("ja", "")
        self.text(MARGIN + 2 * mm, heading, size=11)
        if step.title.get("en"):
            self.text(MARGIN + 4 * mm + stringWidth(heading, GOTHIC, 11), step.title["en"], size=SMALL_SIZE, grey=True)
        self.y -= 2 * mm
        if step.show_if is not None and self.definition is not None:
            self.paragraph(f"（{describe_condition(step.show_if, self.definition)}場合に記入）", grey=True)
        if step.intro:
            self.paragraph(step.intro.get("ja", ""))

    def field(self, f: formdef.Field) -> None:
        assert self.definition is not None
        self.need(14 * mm)
        self.y -= 6 * mm
        mark = "※" if f.required else ""
        label = mark + f.label.get("ja", f.key)
        self.text(MARGIN, label)
        if f.label.get("en"):
            self.text(MARGIN + stringWidth(label, GOTHIC, LABEL_SIZE) + 3 * mm, f.label["en"], size=6.5, grey=True)
        condition = f.show_if if f.show_if is not None else f.required_if
        if condition is not None:
            self.paragraph(f"（{describe_condition(condition, self.definition)}場合に記入）", grey=True)
        # The help of the Japanese toolkit fields explains the online input (和暦 or 西暦,
        # the address filled in from the postal code): on paper the box says it.
        if f.help and f.type not in PAPER_EXPLAINS:
            self.paragraph(f.help.get("ja", ""), grey=True)
        if f.type == "notice":
            return
        if f.type in formdef.CHOICE_TYPES:
            self.choices(f)
        elif f.type == "boolean":
            self.y -= 5 * mm
            self.checkbox(MARGIN + 2 * mm)
            self.text(MARGIN + 7 * mm, "はい（確認しました）", size=LABEL_SIZE - 1)
        elif f.type == "file":
            self.y -= 5 * mm
            self.checkbox(MARGIN + 2 * mm)
            self.text(MARGIN + 7 * mm, "添付書類として同封・提示します", size=LABEL_SIZE - 1)
        else:
            self.write_in(f)

    def write_in(self, f: formdef.Field) -> None:
        rows = ROWS.get(f.type, 1)
        height = rows * LINE + 2 * mm
        width = CONTENT_WIDTH * NARROW.get(f.type, 1.0)
        self.need(height + 2 * mm)
        self.y -= 1.5 * mm
        self.box(MARGIN, height, width)
        for row in range(1, rows):
            y = self.y - row * LINE - 1 * mm
            self.canvas.setDash(1, 2)
            self.canvas.line(MARGIN + 2 * mm, y, MARGIN + width - 2 * mm, y)
            self.canvas.setDash()
        inside = self.y - LINE + 0.5 * mm
        self.canvas.setFont(MINCHO, LABEL_SIZE - 1)
        self.canvas.setFillColorRGB(*GREY)
        if f.type == "date":
            self.canvas.drawString(MARGIN + 2 * mm, inside, ERAS + "　　　　年　　　月　　　日")
        elif f.type == "postal_code":
            self.canvas.drawString(MARGIN + 2 * mm, inside, "〒　　　　－")
        elif f.type == "phone":
            self.canvas.drawString(MARGIN + width * 0.3, inside, "－　　　　　－")
        elif f.type == "integer":
            unit = f"（{f.min}〜{f.max}）" if f.min is not None and f.max is not None else ""
            self.canvas.drawRightString(MARGIN + width - 2 * mm, inside, unit)
        self.canvas.setFillColorRGB(0, 0, 0)
        self.y -= height

    def choices(self, f: formdef.Field) -> None:
        if f.type == "multichoice":
            self.paragraph("（あてはまるものすべてにレ印）", grey=True)
        x = MARGIN + 2 * mm
        self.y -= 5.5 * mm
        for option in f.options:
            text = option.label.get("ja", option.value)
            width = 5 * mm + stringWidth(text, GOTHIC, LABEL_SIZE - 1) + 5 * mm
            if x + width > MARGIN + CONTENT_WIDTH and x > MARGIN + 2 * mm:
                self.need(6 * mm)
                x = MARGIN + 2 * mm
                self.y -= 5.5 * mm
            self.checkbox(x)
            self.canvas.setFont(GOTHIC, LABEL_SIZE - 1)
            self.canvas.drawString(x + 4.5 * mm, self.y, text)
            x += width

    def fee(self) -> None:
        assert self.definition is not None
        procedure = self.procedure
        if not self.definition.fee_lines and not procedure.fee_note_ja:
            return
        self.need(14 * mm)
        self.y -= 7 * mm
        self.canvas.setFillColorRGB(*SHADE)
        self.canvas.rect(MARGIN, self.y - 1.8 * mm, CONTENT_WIDTH, 6.5 * mm, stroke=0, fill=1)
        self.canvas.setFillColorRGB(0, 0, 0)
        self.text(MARGIN + 2 * mm, "手数料", size=11)
        self.text(MARGIN + 16 * mm, "Fee", size=SMALL_SIZE, grey=True)
        self.y -= 2 * mm
        for line in self.definition.fee_lines:
            per = ""
            if line.quantity_field and self.definition.has_field(line.quantity_field):
                per = f"　×「{self.definition.field(line.quantity_field).label.get('ja', '')}」"
            condition = describe_condition(line.when, self.definition) if line.when is not None else ""
            text = f"{line.label.get('ja', '')}　{yen(line.amount)}{per}"
            if condition:
                text += f"（{condition}場合）"
            self.paragraph(text, font=GOTHIC, size=LABEL_SIZE - 0.5)
        if procedure.fee_note_ja:
            self.paragraph(procedure.fee_note_ja, grey=True)
        if self.definition.fee_lines:
            self.need(10 * mm)
            self.y -= 8 * mm
            self.text(MARGIN, "合計", size=LABEL_SIZE)
            self.y += 4.5 * mm
            self.box(MARGIN + 12 * mm, 7 * mm, 45 * mm)
            self.y -= 4.5 * mm
            self.canvas.setFont(GOTHIC, LABEL_SIZE)
            self.canvas.drawRightString(MARGIN + 55 * mm, self.y, "円")

    def attachments(self) -> None:
        if not self.procedure.attachments_ja:
            return
        self.need(12 * mm)
        self.y -= 5 * mm
        self.paragraph("添付書類", font=GOTHIC, size=LABEL_SIZE)
        self.paragraph(self.procedure.attachments_ja)

    def render(self) -> bytes:
        register_fonts()
        self.title_block()
        if self.definition is None:
            self.paragraph("この手続の様式はまだ公開されていません。担当課にお問い合わせください。")
        else:
            for step in self.definition.steps:
                self.section(step)
                for f in step.fields:
                    self.field(f)
            self.fee()
        self.attachments()
        self.footer()
        self.canvas.showPage()
        self.canvas.save()
        return self.buffer.getvalue()


def render_paper_form(procedure: Procedure, version: FormVersion | None = None) -> bytes:
    """The A4 PDF of a procedure's form as defined in `version` (default: the published
    version residents see now)."""
    version = version if version is not None else procedure.current_version()
    definition = formdef.parse(version.definition) if version is not None else None
    return PaperForm(procedure, definition).render()
