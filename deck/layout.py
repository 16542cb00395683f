"""Place a slide's blocks on a 16:9 page, once, for both the .pptx and the PDF writer.

The page is 960 x 540 points (13.33 x 7.5 in, PowerPoint's widescreen). A projector showing it
at 1920 px wide draws one point as two pixels, so the smallest type here (12 pt) is 24 px.
Every box has its final position and its text already cut to fit; the writers only draw, so
both files show the same pages.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import reportlab
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from domain.formatting import BAND_COLOURS, RAG_COLOURS
from domain.risk_bands import BANDS, SCALE, band_of
from domain.slides import Block, Slide, full_text, text_colour_on, visible_columns

PAGE_W, PAGE_H = 960.0, 540.0
MARGIN = 28.0
GUTTER = 24.0
FOOTER_H = 26.0  # our footer line, above the page's bottom edge or the template's marks
FOOTER_GAP = 4.0  # between the content's bottom and our footer line
COLUMN_W = (PAGE_W - 2 * MARGIN - GUTTER) / 2
FULL_W = PAGE_W - 2 * MARGIN

TITLE_SIZE, SUBTITLE_SIZE = 30.0, 15.0
TITLE_MIN = 20.0  # a template's title is made smaller down to this size before it is cut
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


@dataclass(frozen=True)
class Fonts:
    """The reportlab names of a family's regular and bold faces: text is measured with the
    font it is drawn with, ours or a template's theme font."""

    regular: str = FONT
    bold: str = BOLD

    def name(self, bold: bool) -> str:
        return self.bold if bold else self.regular


OURS = Fonts()


def _system_font(pattern: str) -> tuple[str, int] | None:
    """The font file (and its index in a collection) fontconfig draws `pattern` with, as
    LibreOffice finds it; None where fontconfig is not installed."""
    try:
        found = subprocess.run(
            ["fc-match", "-f", "%{file}\n%{index}", pattern],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.split("\n")
    except (OSError, subprocess.SubprocessError):
        return None
    if len(found) != 2 or not found[0] or not Path(found[0]).is_file():
        return None
    return found[0], int(found[1] or 0)


@cache
def family_fonts(family: str) -> Fonts:
    """The fonts of a theme's font family, or ours where the system cannot resolve it (no
    fontconfig, no such file, outlines reportlab cannot measure)."""
    faces = [_system_font(family), _system_font(f"{family}:bold")]
    if not family or None in faces:
        return OURS
    names = Fonts(f"Theme-{family}", f"Theme-{family}-Bold")
    try:
        for name, (path, index) in zip((names.regular, names.bold), faces, strict=True):
            pdfmetrics.registerFont(TTFont(name, path, subfontIndex=index))
    except (TTFError, OSError):
        return OURS
    return names


def wrap(
    text: str, size: float, width: float, bold: bool = False, fonts: Fonts = OURS
) -> list[str]:
    return simpleSplit(text, fonts.name(bold), size, width) or [""]


def text_width(text: str, size: float, bold: bool = False, fonts: Fonts = OURS) -> float:
    return pdfmetrics.stringWidth(text, fonts.name(bold), size)


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


@dataclass(frozen=True)
class Frame:
    """Where a page's title goes, how low its content may reach and the fonts that draw it:
    ours, or those of the organisation's template (deck.template.frame), in the deck's points."""

    title_x: float = MARGIN
    title_y: float = 22.0
    title_w: float = FULL_W
    title_h: float = 38.0
    title_size: float = TITLE_SIZE
    title_min: float = TITLE_SIZE  # our own title is cut, never made smaller
    title_bold: bool = True
    title_inset_x: float = 0.0  # the title box's inner margins, each side
    title_inset_y: float = 0.0
    title_leading: float = 1.2
    title_fonts: Fonts = OURS
    fonts: Fonts = OURS
    foot: float = PAGE_H  # the top of the template's footer and marks


OUR_FRAME = Frame()


@dataclass
class Page:
    title: TextBox | None = None  # apart, so that a template's title placeholder can take it
    boxes: list = field(default_factory=list)
    charts: list[ImageBox] = field(default_factory=list)
    fonts: Fonts = OURS  # the text's; the title's are title_fonts
    title_fonts: Fonts = OURS
    bottom: float = PAGE_H - FOOTER_H  # how low the content reaches


def layout(slide: Slide, number: int, total: int, footer: str, frame: Frame = OUR_FRAME) -> Page:
    """The page for one slide: title, subtitle, full-width blocks, then two columns, below the
    frame's title and above its footer."""
    page = Page(fonts=frame.fonts, title_fonts=frame.title_fonts, bottom=frame.foot - FOOTER_H)
    page.title = title_box(slide.title, frame)
    below_title = frame.title_y + frame.title_h + 4
    subtitle = wrap(slide.subtitle, SUBTITLE_SIZE, FULL_W, fonts=frame.fonts)[:1]
    page.boxes.append(
        TextBox(MARGIN, below_title, FULL_W, 22, subtitle, SUBTITLE_SIZE, colour=MUTED)
    )
    y = below_title + 36
    for block in (b for b in slide.blocks if b.column == "full"):
        y = _place(page, block, MARGIN, y, FULL_W, page.bottom - y) + GAP
    for x, column in ((MARGIN, "left"), (MARGIN + COLUMN_W + GUTTER, "right")):
        _column(page, [b for b in slide.blocks if b.column == column], x, y)
    page.boxes.append(
        TextBox(
            MARGIN,
            page.bottom + FOOTER_GAP,
            FULL_W,
            16,
            [f"{footer}  ·  {number} / {total}"],
            10,
            colour=MUTED,
        )
    )
    return page


def title_box(title: str, frame: Frame) -> TextBox:
    """The title in the frame's title box: at the frame's size, or smaller (down to
    `title_min`) where its lines would not fit the box's height; what the smallest size
    cannot hold is cut after a whole word."""
    width = frame.title_w - 2 * frame.title_inset_x
    room = frame.title_h - 2 * frame.title_inset_y
    size = frame.title_size
    while size > frame.title_min and (
        len(wrap(title, size, width, frame.title_bold, frame.title_fonts))
        * size
        * frame.title_leading
        > room
    ):
        size -= 1
    lines = max(1, int(room // (size * frame.title_leading)))
    return TextBox(
        frame.title_x,
        frame.title_y,
        frame.title_w,
        frame.title_h,
        _cut(title, size, width, lines, frame.title_bold, frame.title_fonts),
        size,
        bold=frame.title_bold,
    )


def _column(page: Page, blocks: list[Block], x: float, top: float) -> None:
    """Stack a column's blocks; charts share the height the other blocks leave."""
    fixed = sum(_natural_height(b, COLUMN_W, page.fonts) + GAP for b in blocks if not _is_chart(b))
    charts = [b for b in blocks if _is_chart(b)]
    spare = page.bottom - top - fixed - GAP * len(charts)
    chart_h = max(MIN_CHART_H, spare / len(charts)) if charts else 0
    least = [chart_h if _is_chart(b) else _least_height(b, COLUMN_W, page.fonts) for b in blocks]
    y = top
    for i, block in enumerate(blocks):
        # A block leaves the blocks below it room for at least their heading and first line.
        below = sum(least[i + 1 :]) + GAP * (len(blocks) - i - 1)
        height = chart_h if _is_chart(block) else page.bottom - y - below
        y = _place(page, block, x, y, COLUMN_W, height) + GAP


def _is_chart(block: Block) -> bool:
    return block.kind == "chart" and block.data is not None and not block.data.empty


def _natural_height(block: Block, width: float, fonts: Fonts) -> float:
    heading = HEADING_SIZE * LEADING + 4 if block.heading and block.kind != "chart" else 0
    more = NOTE_SIZE * LEADING if block.more else 0
    if block.kind == "tiles":
        return TILE_H
    if block.kind == "table" and block.table is not None and len(block.table):
        return heading + sum(_table_cells(block, width, fonts=fonts)[-1]) + more
    if block.kind == "lines" and block.lines:
        return heading + sum(_line_height(line, width, fonts) for line in block.lines) + more
    if block.kind == "text":
        return heading + len(wrap(block.text, BODY_SIZE, width, fonts=fonts)) * BODY_SIZE * LEADING
    return heading + BODY_SIZE * LEADING  # the words saying it is empty


def _least_height(block: Block, width: float, fonts: Fonts) -> float:
    """The height of a block showing only its heading and first row or line (and its note)."""
    heading = HEADING_SIZE * LEADING + 4 if block.heading else 0
    more = NOTE_SIZE * LEADING
    if block.kind == "table" and block.table is not None and len(block.table):
        return heading + 2 * ROW_H + more
    if block.kind == "lines" and block.lines:
        return heading + _line_height(block.lines[0], width, fonts) + more
    return _natural_height(block, width, fonts)


def _badge_width(badge: str, fonts: Fonts) -> float:
    return max(20.0, text_width(badge, BODY_SIZE, True, fonts) + 10) if badge else 0.0


def _line_height(line, width: float, fonts: Fonts) -> float:
    text_w = width - _badge_width(line.badge, fonts) - 8
    return len(wrap(line.text, BODY_SIZE, text_w, fonts=fonts)) * BODY_SIZE * LEADING + 4


def _place(page: Page, block: Block, x: float, y: float, w: float, h: float) -> float:
    """Draw one block from (x, y) within height h; returns the y below it."""
    bottom, more, left_out = y + h, block.more, 0
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
        room = bottom - y - (NOTE_SIZE * LEADING if more else 0)
        y, left_out = _table(page, block, x, y, w, room)
    elif block.kind == "lines" and block.lines:
        y, left_out = _lines(page, block, x, y, w, bottom)
    elif block.kind == "text":
        lines = wrap(block.text, BODY_SIZE, w, fonts=page.fonts)
        page.boxes.append(TextBox(x, y, w, len(lines) * BODY_SIZE * LEADING, lines, BODY_SIZE))
        y += len(lines) * BODY_SIZE * LEADING
    else:
        words = block.empty or "Nothing to show."
        page.boxes.append(TextBox(x, y, w, BODY_SIZE * LEADING, [words], BODY_SIZE, italic=True))
        y += BODY_SIZE * LEADING
    if left_out:
        note = f"{left_out:,} more not shown here"
        more = f"{more} ({note})" if more else f"and {note}"
    if more:
        page.boxes.append(TextBox(x, y, w, NOTE_SIZE * LEADING, [more], NOTE_SIZE, colour=MUTED))
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
                wrap(label, NOTE_SIZE, tile_w - 16, fonts=page.fonts)[:1],
                NOTE_SIZE,
                colour=ink,
            )
        )
        size = 24.0
        while size > 14 and text_width(tile.value, size, True, page.fonts) > tile_w - 16:
            size -= 1
        page.boxes.append(
            TextBox(tx + 8, y + 26, tile_w - 16, 34, [tile.value], size, bold=True, colour=ink)
        )
    return y + TILE_H


def _fitting(heights: list[float], room: float, noted: bool) -> int:
    """How many of the items (their heights, in order) fit `room`; where some do not, room is
    kept for the note saying how many are left out, unless the block has a note already."""
    if sum(heights) <= room:
        return len(heights)
    room -= 0 if noted else NOTE_SIZE * LEADING
    shown, total = 0, 0.0
    while shown < len(heights) and total + heights[shown] <= room:
        total, shown = total + heights[shown], shown + 1
    return shown


def _lines(
    page: Page, block: Block, x: float, y: float, w: float, bottom: float
) -> tuple[float, int]:
    """The lines that fit above `bottom` (the y below them, lines left out)."""
    heights = [_line_height(line, w, page.fonts) for line in block.lines]
    shown = _fitting(heights, bottom - y, bool(block.more))
    for line, height in zip(block.lines[:shown], heights, strict=False):
        badge_w = _badge_width(line.badge, page.fonts)
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
        lines = wrap(line.text, BODY_SIZE, w - badge_w - 8, fonts=page.fonts)
        page.boxes.append(TextBox(text_x, y, x + w - text_x, height, lines, BODY_SIZE))
        y += height
    return y, len(block.lines) - shown


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
    first = text_width(header[0], TABLE_SIZE, True, page.fonts) + 12
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


def _table(
    page: Page, block: Block, x: float, y: float, w: float, room: float
) -> tuple[float, int]:
    """The table with its cells wrapped to two lines, or to one where two do not fit `room`;
    the last rows left out where one line does not fit either (the y below it, rows left out)."""
    shown, cells, fills, widths, heights = _table_cells(block, w, fonts=page.fonts)
    if sum(heights) > room:
        shown, cells, fills, widths, heights = _table_cells(block, w, 1, page.fonts)
    # Rows may reach down to the footer line; below it, they are left out (one is kept).
    kept = max(1, _fitting(heights[1:], room + FOOTER_GAP - heights[0], bool(block.more)))
    cells, fills, heights = cells[:kept], fills[:kept], heights[: kept + 1]
    page.boxes.append(
        TableBox(x, y, w, sum(heights), shown, cells, fills, widths, row_heights=heights)
    )
    return y + sum(heights), len(block.table) - len(cells)


def _table_cells(block: Block, w: float, lines: int = CELL_LINES, fonts: Fonts = OURS):
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
            text_width(c, TABLE_SIZE, True, fonts),
            *(text_width(r[i], TABLE_SIZE, fonts=fonts) for r in rows),
        )
        + 12
        for i, c in enumerate(shown)
    ]
    widths = column_widths(wants, w)
    cells = [
        [_fit(v, width, lines, fonts) for v, width in zip(row, widths, strict=True)] for row in rows
    ]
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


def _fit(text: str, width: float, lines: int = CELL_LINES, fonts: Fonts = OURS) -> str:
    """A cell's text wrapped to the column (less its margins) on at most `lines` lines."""
    return "\n".join(_cut(text, TABLE_SIZE, width - 10, lines, fonts=fonts))


def _cut(
    text: str, size: float, width: float, lines: int, bold: bool = False, fonts: Fonts = OURS
) -> list[str]:
    """The text wrapped to `width` on at most `lines` lines; only longer text is cut, after
    its last whole word that fits, with an ellipsis."""
    wrapped = wrap(text, size, width, bold, fonts)
    if len(wrapped) <= lines:
        return wrapped

    def too_wide(words: str) -> bool:
        return text_width(words + "…", size, bold, fonts) > width

    last = " ".join(wrapped[lines - 1 :])
    while " " in last and too_wide(last):
        last = last.rsplit(" ", 1)[0]
    while last and too_wide(last):  # one long word
        last = last[:-1]
    return [*wrapped[: lines - 1], last.rstrip() + "…"]
