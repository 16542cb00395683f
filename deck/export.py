"""Write the review slides as a PowerPoint file and as a PDF with the same pages.

In the .pptx, charts are native PowerPoint charts with their data (deck.native) and the risk
matrix a table, so they can be edited before the deck is sent; in the PDF, charts are PNGs drawn
by vl-convert from the same Altair builders the browser uses, at the size they are shown.
Text and tables stay text (searchable, editable). Both writers draw the boxes of
`deck.layout`, one page per slide, so the two files always have the same page count.
"""

from __future__ import annotations

import io
from dataclasses import replace

import vl_convert as vlc
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.util import Pt
from reportlab.lib.colors import HexColor
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from charts.slides import build
from deck.layout import (
    CELL_LINE_H,
    INK,
    LEADING,
    OUR_FRAME,
    PAGE_H,
    PAGE_W,
    RULE,
    TILE_FILL,
    Fonts,
    Frame,
    ImageBox,
    Page,
    RectBox,
    TableBox,
    TextBox,
    layout,
)
from deck.native import WRITERS as NATIVE
from deck.template import frame, start_deck, title_placeholder
from domain.slides import Slide, text_colour_on

PNG_SCALE = 2.0
PX_PER_PT = 96 / 72  # Vega draws in CSS pixels


def pages(slides: list[Slide], footer: str, page_frame: Frame = OUR_FRAME) -> list[Page]:
    return [layout(s, i + 1, len(slides), footer, page_frame) for i, s in enumerate(slides)]


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


def render(
    slides: list[Slide], footer: str, template: bytes | None = None
) -> tuple[list[Page], dict[int, bytes]]:
    """Lay the slides out (in the template's frame, if one is given) and render every chart
    once, for both writers."""
    laid_out = pages(slides, footer, frame(template, PAGE_W) if template else OUR_FRAME)
    images = {id(box): chart_png(box) for page in laid_out for box in page.charts}
    return laid_out, images


# --- PowerPoint -------------------------------------------------------------------------


def _rgb(colour: str) -> RGBColor:
    return RGBColor.from_string(colour.lstrip("#").upper())


def _scaled(box, scale: float):
    """A box in the template's points (a 16:9 template smaller than 960 x 540 pt)."""
    if scale == 1.0:
        return box
    changes = {k: getattr(box, k) * scale for k in ("x", "y", "w", "h")}
    if hasattr(box, "size"):
        changes["size"] = box.size * scale
    if isinstance(box, TableBox):
        changes["widths"] = [w * scale for w in box.widths]
        changes["row_heights"] = [h * scale for h in box.heights()]
    return replace(box, **changes)


def to_pptx(laid_out: list[Page], images: dict[int, bytes], template: bytes | None = None) -> bytes:
    """The deck on the organisation's template (deck.template) or on the default look."""
    deck, layout, scale = start_deck(template, PAGE_W, PAGE_H)
    for page in laid_out:
        slide = deck.slides.add_slide(layout)
        placeholder = title_placeholder(slide)
        if placeholder is not None:  # the template's own title: its font, colour and place
            # One paragraph the placeholder wraps, at the size the layout found to fit it.
            placeholder.text_frame.text = " ".join(page.title.lines)
            placeholder.text_frame.paragraphs[0].runs[0].font.size = Pt(page.title.size * scale)
        else:
            _pptx_box(slide, _scaled(page.title, scale))
        for box in page.boxes:
            _pptx_box(slide, _scaled(box, scale))
        for box in page.charts:
            native = NATIVE.get(box.chart.chart)
            if native:
                native(slide, _scaled(box, scale))
            else:  # a chart kind PowerPoint has no form for
                at = _scaled(box, scale)
                slide.shapes.add_picture(
                    io.BytesIO(images[id(box)]), Pt(at.x), Pt(at.y), Pt(at.w), Pt(at.h)
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
        if colour != INK:  # plain text takes the template's text colour
            run.font.color.rgb = _rgb(colour)


def _pptx_table(slide, box: TableBox) -> None:
    rows, cols = len(box.rows) + 1, len(box.header)
    shape = slide.shapes.add_table(rows, cols, Pt(box.x), Pt(box.y), Pt(box.w), Pt(box.h))
    table = shape.table
    for c, width in enumerate(box.widths):
        table.columns[c].width = Pt(width)
    for r, height in enumerate(box.heights()):
        table.rows[r].height = Pt(height)
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
        cell.text = text  # a wrapped cell's lines become paragraphs
        for paragraph in cell.text_frame.paragraphs:
            for run in paragraph.runs:
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
        _pdf_box(canvas, page.title, page.title_fonts)
        for box in page.boxes:
            _pdf_box(canvas, box, page.fonts)
        for box in page.charts:
            _pdf_image(canvas, box, images[id(box)])
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def _y(top: float, height: float = 0) -> float:
    """reportlab counts from the bottom of the page."""
    return PAGE_H - top - height


def _pdf_box(canvas: Canvas, box, fonts: Fonts) -> None:
    """The box drawn in the fonts the layout measured it with."""
    if isinstance(box, TextBox):
        _pdf_lines(canvas, box, fonts)
    elif isinstance(box, RectBox):
        canvas.setFillColor(HexColor(box.fill))
        canvas.rect(box.x, _y(box.y, box.h), box.w, box.h, stroke=0, fill=1)
        if box.label:
            canvas.setFillColor(HexColor(box.ink))
            canvas.setFont(fonts.name(box.bold), box.size)
            canvas.drawCentredString(
                box.x + box.w / 2, _y(box.y + box.h / 2 + box.size * 0.35), box.label
            )
    elif isinstance(box, TableBox):
        _pdf_table(canvas, box, fonts)


def _pdf_lines(canvas, box: TextBox, fonts: Fonts) -> None:
    canvas.setFillColor(HexColor(box.colour))
    canvas.setFont(fonts.name(box.bold), box.size)
    for i, line in enumerate(box.lines):
        canvas.drawString(box.x, _y(box.y + box.size + i * box.size * LEADING), line)


def _pdf_table(canvas: Canvas, box: TableBox, fonts: Fonts) -> None:
    rows = [
        (box.header, [TILE_FILL] * len(box.header), True),
        *((row, fills, False) for row, fills in zip(box.rows, box.fills, strict=True)),
    ]
    top = box.y
    for (row, fills, bold), row_h in zip(rows, box.heights(), strict=True):
        x = box.x
        for text, fill, width in zip(row, fills, box.widths, strict=True):
            if fill:
                canvas.setFillColor(HexColor(fill))
                canvas.rect(x, _y(top, row_h), width, row_h, stroke=0, fill=1)
            ink = text_colour_on(fill) if fill and not bold else INK
            canvas.setFillColor(HexColor(ink))
            canvas.setFont(fonts.name(bold), box.size)
            lines = text.split("\n")
            # The lines centred in the row, as PowerPoint's table draws them.
            first = top + row_h / 2 - (len(lines) - 1) * CELL_LINE_H / 2 + box.size * 0.35
            for i, line in enumerate(lines):
                canvas.drawString(x + 5, _y(first + i * CELL_LINE_H), line)
            x += width
        top += row_h
        canvas.setStrokeColor(HexColor(RULE))
        canvas.line(box.x, _y(top), box.x + box.w, _y(top))


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


def export(slides: list[Slide], footer: str, template: bytes | None = None) -> tuple[bytes, bytes]:
    """The .pptx (on the organisation's template, if one was uploaded) and the PDF of the same
    slides, charts rendered once."""
    laid_out, images = render(slides, footer, template)
    return to_pptx(laid_out, images, template), to_pdf(laid_out, images)
