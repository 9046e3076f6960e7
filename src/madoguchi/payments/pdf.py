"""Drawing helpers shared by the bill (納付書) and the receipt (領収証書) PDFs: Japanese
fonts, the GS1-128 barcode and the QR code drawn as vectors (so that they stay sharp at
any printer resolution), and the wareki dates official documents carry."""

from __future__ import annotations

import datetime

import segno
from barcode import Gs1_128
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from madoguchi.japanese.wareki import WarekiError, format_wareki

#: The Adobe-Japan1 CID fonts every PDF reader has (not embedded: a bill stays small, and
#: no font file is needed on the server).
GOTHIC = "HeiseiKakuGo-W5"
MINCHO = "HeiseiMin-W3"

#: Module width of the GS1-128 symbol. The 料金代理収納 guideline wants the symbol within
#: 60 mm (the stores' scanners): 288 modules × 0.2 mm = 57.6 mm, and at least 10 modules
#: of quiet zone on either side.
BARCODE_MODULE = 0.2 * mm
BARCODE_HEIGHT = 11 * mm
BARCODE_QUIET_ZONE = 10 * BARCODE_MODULE


def register_fonts() -> None:
    registered = set(pdfmetrics.getRegisteredFontNames())
    for name in (GOTHIC, MINCHO):
        if name not in registered:
            pdfmetrics.registerFont(UnicodeCIDFont(name))


def gs1_128_modules(data: str) -> str:
    """The symbol's modules ("1" bar, "0" space) for the GS1-128 `data` (the AI's digits
    first, no brackets): start C, FNC1, the digits in code set C, the symbol check
    character and the stop pattern."""
    built: list[str] = Gs1_128(data).build()
    return built[0]


def barcode_width(data: str) -> float:
    return len(gs1_128_modules(data)) * BARCODE_MODULE


def draw_gs1_128(canvas: Canvas, data: str, x: float, y: float, *, height: float = BARCODE_HEIGHT) -> float:
    """Draw the symbol with its lower left corner at (x, y); returns its width."""
    modules = gs1_128_modules(data)
    canvas.saveState()
    canvas.setFillColorRGB(0, 0, 0)
    start = None
    for i, module in enumerate(modules + "0"):
        if module == "1" and start is None:
            start = i
        elif module == "0" and start is not None:
            canvas.rect(x + start * BARCODE_MODULE, y, (i - start) * BARCODE_MODULE, height, stroke=0, fill=1)
            start = None
    canvas.restoreState()
    return len(modules) * BARCODE_MODULE


def draw_qr(canvas: Canvas, data: str, x: float, y: float, size: float) -> None:
    """Draw a QR code (error correction M, numeric data in numeric mode) in a square of
    `size` with its lower left corner at (x, y), quiet zone of 4 modules included."""
    qr = segno.make_qr(data, error="m", boost_error=False)
    rows = [list(row) for row in qr.matrix_iter(scale=1, border=4)]
    module = size / len(rows)
    canvas.saveState()
    canvas.setFillColorRGB(0, 0, 0)
    for r, row in enumerate(rows):
        top = y + size - (r + 1) * module
        c = 0
        while c < len(row):
            if row[c]:
                run = c
                while run < len(row) and row[run]:
                    run += 1
                # Bars slightly overlapping avoid hairline gaps between modules.
                canvas.rect(x + c * module, top, (run - c) * module, module * 1.01, stroke=0, fill=1)
                c = run
            else:
                c += 1
    canvas.restoreState()


def wareki(day: datetime.date) -> str:
    try:
        return format_wareki(day)
    except WarekiError:
        return f"{day.year}年{day.month}月{day.day}日"


def fiscal_year_text(fiscal_year: int) -> str:
    """年度 as official documents write it: 令和8年度."""
    try:
        return format_wareki(datetime.date(fiscal_year, 4, 1), "year") + "度"
    except WarekiError:
        return f"{fiscal_year}年度"


def yen(amount: int) -> str:
    return f"{amount:,}円"
