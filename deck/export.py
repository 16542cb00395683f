"""Write the review slides as a PowerPoint file and as a PDF with the same pages.

Charts are rendered to PNG with vl-convert from the same Altair builders the browser uses;
text and tables stay text (searchable, editable in PowerPoint). Both writers draw the boxes of
`deck.layout`, one page per slide, so the two files always have the same page count.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

import vl_convert as vlc
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.util import Pt
from reportlab.lib.colors import HexColor
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from charts.slides import build
from deck.layout import (
    BOLD,
    FONT,
    INK,
    LEADING,
    PAGE_H,
    PAGE_W,
    RULE,
    TILE_FILL,
    ImageBox,
    Page,
    RectBox,
    TableBox,
    TextBox,
    layout,
)
from domain.slides import Slide, text_colour_on

PNG_SCALE = 2.0
PX_PER_PT = 96 / 72  # Vega draws in CSS pixels


def pages(slides: list[Slide], footer: str) -> list[Page]:
    return [layout(s, i + 1, len(slides), footer) for i, s in enumerate(slides)]


def chart_png(box: ImageBox) -> bytes:
    """The block's chart drawn to fill the box (axes and title included), light theme."""
    block = box.chart
    chart = build(
        block.chart,
        block.data,
        block.heading,
        block.params,
        width=int(box.w * PX_PER_PT),
        height=int(box.h * PX_PER_PT),
    )
    return vlc.vegalite_to_png(chart.to_json(), scale=PNG_SCALE)


def render(slides: list[Slide], footer: str) -> tuple[list[Page], dict[int, bytes]]:
    """Lay the slides out and render every chart once, for both writers."""
    laid_out = pages(slides, footer)
    images = {id(box): chart_png(box) for page in laid_out for box in page.charts}
    return laid_out, images


# --- PowerPoint -------------------------------------------------------------------------


def _rgb(colour: str) -> RGBColor:
    return RGBColor.from_string(colour.lstrip("#").upper())


def to_pptx(laid_out: list[Page], images: dict[int, bytes]) -> bytes:
    deck = Presentation()
    deck.slide_width, deck.slide_height = Pt(PAGE_W), Pt(PAGE_H)
    blank = deck.slide_layouts[6]
    for page in laid_out:
        slide = deck.slides.add_slide(blank)
        for box in page.boxes:
            _pptx_box(slide, box)
        for box in page.charts:
            slide.shapes.add_picture(
                io.BytesIO(images[id(box)]), Pt(box.x), Pt(box.y), Pt(box.w), Pt(box.h)
            )
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def _pptx_box(slide, box) -> None:
    if isinstance(box, TextBox):
        _pptx_text(
            slide,
            box.x,
            box.y,
            box.w,
            box.h,
            "\n".join(box.lines),
            box.size,
            bold=box.bold,
            colour=box.colour,
            italic=box.italic,
        )
    elif isinstance(box, RectBox):
        shape = slide.shapes.add_shape(
            MSO_SHAPE.RECTANGLE, Pt(box.x), Pt(box.y), Pt(box.w), Pt(box.h)
        )
        shape.fill.solid()
        shape.fill.fore_color.rgb = _rgb(box.fill)
        shape.line.fill.background()
        frame = shape.text_frame
        frame.margin_left = frame.margin_right = frame.margin_top = frame.margin_bottom = 0
        frame.text = box.label
        if box.label:
            run = frame.paragraphs[0].runs[0]
            run.font.size, run.font.bold = Pt(box.size), box.bold
            run.font.color.rgb = _rgb(box.ink)
            frame.paragraphs[0].alignment = PP_ALIGN.CENTER
    elif isinstance(box, TableBox):
        _pptx_table(slide, box)


def _pptx_text(slide, x, y, w, h, text, size, *, bold=False, colour=INK, italic=False) -> None:
    frame = slide.shapes.add_textbox(Pt(x), Pt(y), Pt(w), Pt(h)).text_frame
    frame.word_wrap = True
    frame.margin_left = frame.margin_right = frame.margin_top = frame.margin_bottom = 0
    frame.vertical_anchor = MSO_ANCHOR.TOP
    for i, line in enumerate(text.split("\n")):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.line_spacing = LEADING * 0.85
        run = paragraph.add_run()
        run.text = line
        run.font.size, run.font.bold, run.font.italic = Pt(size), bold, italic
        run.font.color.rgb = _rgb(colour)


def _pptx_table(slide, box: TableBox) -> None:
    rows, cols = len(box.rows) + 1, len(box.header)
    shape = slide.shapes.add_table(rows, cols, Pt(box.x), Pt(box.y), Pt(box.w), Pt(box.h))
    table = shape.table
    for c, width in enumerate(box.widths):
        table.columns[c].width = Pt(width)
    cells = [(0, c, text, TILE_FILL, True) for c, text in enumerate(box.header)]
    for r, (row, fills) in enumerate(zip(box.rows, box.fills, strict=True), start=1):
        pairs = enumerate(zip(row, fills, strict=True))
        cells += [(r, c, text, fill, False) for c, (text, fill) in pairs]
    for r, c, text, fill, bold in cells:
        cell = table.cell(r, c)
        cell.margin_left = cell.margin_right = Pt(5)
        cell.margin_top = cell.margin_bottom = Pt(2)
        cell.fill.solid()
        cell.fill.fore_color.rgb = _rgb(fill or "#FFFFFF")
        cell.text = text
        run = cell.text_frame.paragraphs[0].runs[0] if text else None
        if run is not None:
            run.font.size, run.font.bold = Pt(box.size), bold
            run.font.color.rgb = _rgb(text_colour_on(fill) if fill and r else INK)


# --- PDF --------------------------------------------------------------------------------


def to_pdf(
    laid_out: list[Page], images: dict[int, bytes], title: str = "Portfolio review"
) -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(PAGE_W, PAGE_H))
    canvas.setTitle(title)
    for page in laid_out:
        for box in page.boxes:
            _pdf_box(canvas, box)
        for box in page.charts:
            _pdf_image(canvas, box, images[id(box)])
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def _y(top: float, height: float = 0) -> float:
    """reportlab counts from the bottom of the page."""
    return PAGE_H - top - height


def _pdf_box(canvas: Canvas, box) -> None:
    if isinstance(box, TextBox):
        _pdf_lines(canvas, box.x, box.y, box.lines, box.size, box.bold, box.colour)
    elif isinstance(box, RectBox):
        canvas.setFillColor(HexColor(box.fill))
        canvas.rect(box.x, _y(box.y, box.h), box.w, box.h, stroke=0, fill=1)
        if box.label:
            canvas.setFillColor(HexColor(box.ink))
            canvas.setFont(BOLD if box.bold else FONT, box.size)
            canvas.drawCentredString(
                box.x + box.w / 2, _y(box.y + box.h / 2 + box.size * 0.35), box.label
            )
    elif isinstance(box, TableBox):
        _pdf_table(canvas, box)


def _pdf_lines(canvas, x, y, lines: Iterable[str], size, bold=False, colour=INK) -> None:
    canvas.setFillColor(HexColor(colour))
    canvas.setFont(BOLD if bold else FONT, size)
    for i, line in enumerate(lines):
        canvas.drawString(x, _y(y + size + i * size * LEADING), line)


def _pdf_table(canvas: Canvas, box: TableBox) -> None:
    row_h = box.h / (len(box.rows) + 1)
    rows = [
        (box.header, [TILE_FILL] * len(box.header), True),
        *((row, fills, False) for row, fills in zip(box.rows, box.fills, strict=True)),
    ]
    for r, (row, fills, bold) in enumerate(rows):
        top = box.y + r * row_h
        x = box.x
        for text, fill, width in zip(row, fills, box.widths, strict=True):
            if fill:
                canvas.setFillColor(HexColor(fill))
                canvas.rect(x, _y(top, row_h), width, row_h, stroke=0, fill=1)
            ink = text_colour_on(fill) if fill and not bold else INK
            canvas.setFillColor(HexColor(ink))
            canvas.setFont(BOLD if bold else FONT, box.size)
            canvas.drawString(x + 5, _y(top + row_h / 2 + box.size * 0.35), text)
            x += width
        canvas.setStrokeColor(HexColor(RULE))
        canvas.line(box.x, _y(top + row_h), box.x + box.w, _y(top + row_h))


def _pdf_image(canvas: Canvas, box: ImageBox, png: bytes) -> None:
    canvas.drawImage(
        ImageReader(io.BytesIO(png)),
        box.x,
        _y(box.y, box.h),
        box.w,
        box.h,
        preserveAspectRatio=True,
        anchor="nw",
    )


def export(slides: list[Slide], footer: str) -> tuple[bytes, bytes]:
    """The .pptx and the PDF of the same slides, charts rendered once."""
    laid_out, images = render(slides, footer)
    return to_pptx(laid_out, images), to_pdf(laid_out, images)
