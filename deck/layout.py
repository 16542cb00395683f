"""Place a slide's blocks on a 16:9 page, once, for both the .pptx and the PDF writer.

The page is 960 x 540 points (13.33 x 7.5 in, PowerPoint's widescreen). A projector showing it
at 1920 px wide draws one point as two pixels, so the smallest type here (12 pt) is 24 px.
Every box has its final position and its text already cut to fit; the writers only draw, so
both files show the same pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import reportlab
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from domain.formatting import BAND_COLOURS, RAG_COLOURS
from domain.risk_bands import BANDS, SCALE, band_of
from domain.slides import Block, Slide, full_text, text_colour_on, visible_columns

PAGE_W, PAGE_H = 960.0, 540.0
MARGIN = 28.0
GUTTER = 24.0
TOP = 100.0
BOTTOM = PAGE_H - 26.0
COLUMN_W = (PAGE_W - 2 * MARGIN - GUTTER) / 2
FULL_W = PAGE_W - 2 * MARGIN

TITLE_SIZE, SUBTITLE_SIZE = 30.0, 15.0
HEADING_SIZE, BODY_SIZE, TABLE_SIZE, NOTE_SIZE = 15.0, 13.0, 12.0, 12.0
LEADING = 1.3
TILE_H = 66.0
ROW_H = 21.0
CELL_LINES, CELL_LINE_H = 2, 14.0  # a table cell wraps to two lines at most
GAP = 12.0
MIN_CHART_H = 150.0
INK, MUTED, RULE, TILE_FILL = "#1B1F24", "#5F6B7A", "#D0D5DD", "#F2F4F7"

# A TrueType font so that any text a user typed (accents, dashes, symbols) is drawn; DejaVu
# where the system has it, else the Vera font that ships inside reportlab.
_FONT_FILES = {
    "regular": ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "Vera.ttf"),
    "bold": ("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", "VeraBd.ttf"),
}
FONT, BOLD = "DeckSans", "DeckSans-Bold"


def font_file(weight: str) -> str:
    system, bundled = _FONT_FILES[weight]
    if Path(system).exists():
        return system
    return str(Path(reportlab.__file__).parent / "fonts" / bundled)


def _register_fonts() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, font_file("regular")))
        pdfmetrics.registerFont(TTFont(BOLD, font_file("bold")))


_register_fonts()


def wrap(text: str, size: float, width: float, bold: bool = False) -> list[str]:
    return simpleSplit(text, BOLD if bold else FONT, size, width) or [""]


def text_width(text: str, size: float, bold: bool = False) -> float:
    return pdfmetrics.stringWidth(text, BOLD if bold else FONT, size)


# --- boxes ------------------------------------------------------------------------------
# Coordinates are points from the top-left corner, as PowerPoint counts them.


@dataclass
class TextBox:
    x: float
    y: float
    w: float
    h: float
    lines: list[str]
    size: float
    bold: bool = False
    colour: str = INK
    italic: bool = False


@dataclass
class RectBox:
    x: float
    y: float
    w: float
    h: float
    fill: str
    label: str = ""
    ink: str = "#FFFFFF"
    size: float = BODY_SIZE
    bold: bool = True


@dataclass
class TableBox:
    x: float
    y: float
    w: float
    h: float
    header: list[str]
    rows: list[list[str]]
    fills: list[list[str | None]]
    widths: list[float]
    size: float = TABLE_SIZE
    # Header first; without them every row shares the height alike.
    row_heights: list[float] | None = None

    def heights(self) -> list[float]:
        return self.row_heights or [self.h / (len(self.rows) + 1)] * (len(self.rows) + 1)


@dataclass
class ImageBox:
    x: float
    y: float
    w: float
    h: float
    chart: Block  # the chart block; the writer receives its rendered PNG


@dataclass
class Page:
    title: TextBox | None = None  # apart, so that a template's title placeholder can take it
    boxes: list = field(default_factory=list)
    charts: list[ImageBox] = field(default_factory=list)


def layout(slide: Slide, number: int, total: int, footer: str) -> Page:
    """The page for one slide: title, subtitle, full-width blocks, then two columns."""
    page = Page()
    title = wrap(slide.title, TITLE_SIZE, FULL_W, bold=True)[:1]
    page.title = TextBox(MARGIN, 22, FULL_W, 38, title, TITLE_SIZE, bold=True)
    subtitle = wrap(slide.subtitle, SUBTITLE_SIZE, FULL_W)[:1]
    page.boxes.append(TextBox(MARGIN, 64, FULL_W, 22, subtitle, SUBTITLE_SIZE, colour=MUTED))
    y = TOP
    for block in (b for b in slide.blocks if b.column == "full"):
        y = _place(page, block, MARGIN, y, FULL_W, BOTTOM - y) + GAP
    for x, column in ((MARGIN, "left"), (MARGIN + COLUMN_W + GUTTER, "right")):
        _column(page, [b for b in slide.blocks if b.column == column], x, y)
    page.boxes.append(
        TextBox(
            MARGIN, BOTTOM + 4, FULL_W, 16, [f"{footer}  ·  {number} / {total}"], 10, colour=MUTED
        )
    )
    return page


def _column(page: Page, blocks: list[Block], x: float, top: float) -> None:
    """Stack a column's blocks; charts share the height the other blocks leave."""
    fixed = sum(_natural_height(b, COLUMN_W) + GAP for b in blocks if not _is_chart(b))
    charts = [b for b in blocks if _is_chart(b)]
    spare = BOTTOM - top - fixed - GAP * len(charts)
    chart_h = max(MIN_CHART_H, spare / len(charts)) if charts else 0
    y = top
    for block in blocks:
        height = chart_h if _is_chart(block) else BOTTOM - y
        y = _place(page, block, x, y, COLUMN_W, height) + GAP


def _is_chart(block: Block) -> bool:
    return block.kind == "chart" and block.data is not None and not block.data.empty


def _natural_height(block: Block, width: float) -> float:
    heading = HEADING_SIZE * LEADING + 4 if block.heading and block.kind != "chart" else 0
    more = NOTE_SIZE * LEADING if block.more else 0
    if block.kind == "tiles":
        return TILE_H
    if block.kind == "table" and block.table is not None and len(block.table):
        return heading + sum(_table_cells(block, width)[-1]) + more
    if block.kind == "lines" and block.lines:
        return heading + sum(_line_height(line, width) for line in block.lines) + more
    if block.kind == "text":
        return heading + len(wrap(block.text, BODY_SIZE, width)) * BODY_SIZE * LEADING
    return heading + BODY_SIZE * LEADING  # the words saying it is empty


def _badge_width(badge: str) -> float:
    return max(20.0, text_width(badge, BODY_SIZE, bold=True) + 10) if badge else 0.0


def _line_height(line, width: float) -> float:
    text_w = width - _badge_width(line.badge) - 8
    return len(wrap(line.text, BODY_SIZE, text_w)) * BODY_SIZE * LEADING + 4


def _place(page: Page, block: Block, x: float, y: float, w: float, h: float) -> float:
    """Draw one block from (x, y) within height h; returns the y below it."""
    bottom = y + h
    if block.heading and block.kind != "chart":
        page.boxes.append(
            TextBox(x, y, w, HEADING_SIZE * LEADING, [block.heading], HEADING_SIZE, bold=True)
        )
        y += HEADING_SIZE * LEADING + 4
    if block.kind == "tiles":
        y = _tiles(page, block, x, y, w)
    elif block.kind == "chart" and _is_chart(block) and block.chart == "risk_matrix":
        y = _matrix(page, block, x, y, w, h)
    elif block.kind == "chart" and _is_chart(block):
        page.charts.append(ImageBox(x, y, w, h, block))
        y += h
    elif block.kind == "table" and block.table is not None and len(block.table):
        y = _table(page, block, x, y, w, bottom - y - (NOTE_SIZE * LEADING if block.more else 0))
    elif block.kind == "lines" and block.lines:
        y = _lines(page, block, x, y, w, bottom)
    elif block.kind == "text":
        lines = wrap(block.text, BODY_SIZE, w)
        page.boxes.append(TextBox(x, y, w, len(lines) * BODY_SIZE * LEADING, lines, BODY_SIZE))
        y += len(lines) * BODY_SIZE * LEADING
    else:
        words = block.empty or "Nothing to show."
        page.boxes.append(TextBox(x, y, w, BODY_SIZE * LEADING, [words], BODY_SIZE, italic=True))
        y += BODY_SIZE * LEADING
    if block.more:
        page.boxes.append(
            TextBox(x, y, w, NOTE_SIZE * LEADING, [block.more], NOTE_SIZE, colour=MUTED)
        )
        y += NOTE_SIZE * LEADING
    return y


def _tiles(page: Page, block: Block, x: float, y: float, w: float) -> float:
    n = len(block.tiles)
    tile_w = (w - GAP * (n - 1)) / n
    for i, tile in enumerate(block.tiles):
        tx = x + i * (tile_w + GAP)
        fill = tile.colour or TILE_FILL
        ink = text_colour_on(tile.colour) if tile.colour else INK
        page.boxes.append(RectBox(tx, y, tile_w, TILE_H, fill))
        label = tile.label + (f"  {tile.note}" if tile.note else "")
        page.boxes.append(
            TextBox(
                tx + 8,
                y + 6,
                tile_w - 16,
                18,
                wrap(label, NOTE_SIZE, tile_w - 16)[:1],
                NOTE_SIZE,
                colour=ink,
            )
        )
        size = 24.0
        while size > 14 and text_width(tile.value, size, bold=True) > tile_w - 16:
            size -= 1
        page.boxes.append(
            TextBox(tx + 8, y + 26, tile_w - 16, 34, [tile.value], size, bold=True, colour=ink)
        )
    return y + TILE_H


def _lines(page: Page, block: Block, x: float, y: float, w: float, bottom: float) -> float:
    for line in block.lines:
        height = _line_height(line, w)
        if y + height > bottom:
            break
        badge_w = _badge_width(line.badge)
        if line.badge:
            fill = line.colour or _badge_colour(line.badge)
            page.boxes.append(
                RectBox(
                    x,
                    y + 1,
                    badge_w,
                    BODY_SIZE * LEADING,
                    fill,
                    line.badge,
                    text_colour_on(fill),
                    BODY_SIZE,
                )
            )
        text_x = x + badge_w + (8 if line.badge else 0)
        lines = wrap(line.text, BODY_SIZE, w - badge_w - 8)
        page.boxes.append(TextBox(text_x, y, x + w - text_x, height, lines, BODY_SIZE))
        y += height
    return y


def _matrix(page: Page, block: Block, x: float, y: float, w: float, h: float) -> float:
    """The 5 x 5 risk matrix as a table with cells in their band colour (editable in
    PowerPoint, sharp in the PDF): probability down, impact across, open threats counted."""
    page.boxes.append(
        TextBox(x, y, w, HEADING_SIZE * LEADING, [block.heading], HEADING_SIZE, bold=True)
    )
    y += HEADING_SIZE * LEADING + 4
    counts = block.data.set_index(["probability", "impact"])["risks"]
    bands = {f"band_{k}_from": v for k, v in block.params["bands"].items()}
    header = ["Probability \\ impact", *(str(i) for i in SCALE)]
    rows, fills = [], []
    for p in reversed(SCALE):
        cells = [int(counts.get((p, i), 0)) for i in SCALE]
        rows.append([str(p), *(str(n) if n else "" for n in cells)])
        fills.append([None, *(BAND_COLOURS[band_of(p * i, bands)] for i in SCALE)])
    first = text_width(header[0], TABLE_SIZE, bold=True) + 12
    widths = [first, *[(w - first) / len(SCALE)] * len(SCALE)]
    height = min(h - HEADING_SIZE * LEADING - 4 - NOTE_SIZE * LEADING, ROW_H * 2 * 6)
    page.boxes.append(TableBox(x, y, w, height, header, rows, fills, widths))
    y += height
    legend = "  ".join(f"{b} from {bands[f'band_{b.lower()}_from']}" for b in BANDS[1:])
    page.boxes.append(
        TextBox(
            x, y + 4, w, NOTE_SIZE * LEADING, [f"Score bands: {legend}"], NOTE_SIZE, colour=MUTED
        )
    )
    return y + 4 + NOTE_SIZE * LEADING


def _badge_colour(badge: str) -> str:
    return RAG_COLOURS.get(badge) or BAND_COLOURS.get(badge) or MUTED


def _table(page: Page, block: Block, x: float, y: float, w: float, room: float) -> float:
    """The table with its cells wrapped to two lines, or to one where two do not fit `room`."""
    shown, cells, fills, widths, heights = _table_cells(block, w)
    if sum(heights) > room:
        shown, cells, fills, widths, heights = _table_cells(block, w, lines=1)
    page.boxes.append(
        TableBox(x, y, w, sum(heights), shown, cells, fills, widths, row_heights=heights)
    )
    return y + sum(heights)


def _table_cells(block: Block, w: float, lines: int = CELL_LINES):
    """Header, cell texts (wrapped to at most `lines` lines), fills, column widths and row
    heights (header first) of a table block drawn `w` wide."""
    df = block.table
    shown = visible_columns(df)
    # Cells are wrapped here, so the browser's non-breaking hyphen is not needed (and not
    # every font has it).
    columns = [full_text(df, c).map(lambda v: str(v).replace("\u2011", "-")) for c in shown]
    rows = [list(row) for row in zip(*columns, strict=True)]
    fills = [
        [df[f"_colour_{c}"].iloc[i] if f"_colour_{c}" in df else None for c in shown]
        for i in range(len(df))
    ]
    fills = [[f if isinstance(f, str) else None for f in row] for row in fills]
    wants = [
        max(
            text_width(c, TABLE_SIZE, bold=True),
            *(text_width(r[i], TABLE_SIZE) for r in rows),
        )
        + 12
        for i, c in enumerate(shown)
    ]
    widths = column_widths(wants, w)
    cells = [[_fit(v, width, lines) for v, width in zip(row, widths, strict=True)] for row in rows]
    counts = [max(cell.count("\n") + 1 for cell in row) for row in cells]
    heights = [ROW_H, *(ROW_H + (n - 1) * CELL_LINE_H for n in counts)]
    return shown, cells, fills, widths, heights


def column_widths(wants: list[float], total: float) -> list[float]:
    """Short columns (codes, dates, scores) keep their width; the long ones share the rest."""
    widths = [0.0] * len(wants)
    remaining, left = total, len(wants)
    for i in sorted(range(len(wants)), key=wants.__getitem__):
        widths[i] = min(wants[i], remaining / left)
        remaining, left = remaining - widths[i], left - 1
    # Spare width goes to the widest column.
    widths[max(range(len(wants)), key=wants.__getitem__)] += remaining
    return widths


def _fit(text: str, width: float, lines: int = CELL_LINES) -> str:
    """A cell's text wrapped to the column on at most `lines` lines; only longer text is cut,
    after its last whole word that fits, with an ellipsis."""
    wrapped = wrap(text, TABLE_SIZE, width - 10)
    if len(wrapped) <= lines:
        return "\n".join(wrapped)
    last = " ".join(wrapped[lines - 1 :])
    while " " in last and text_width(last + "…", TABLE_SIZE) > width - 10:
        last = last.rsplit(" ", 1)[0]
    while last and text_width(last + "…", TABLE_SIZE) > width - 10:  # one long word
        last = last[:-1]
    return "\n".join([*wrapped[: lines - 1], last.rstrip() + "…"])
