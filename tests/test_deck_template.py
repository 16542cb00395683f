"""The review deck on the organisation's own PowerPoint template, checked as a PMO would: the file
is opened with python-pptx and rendered with LibreOffice (headless, to PDF, then PNG pages).

The sample corporate template is made here with python-pptx: a 16:9 master with a coloured band,
the organisation's name, a serif theme font and a sample slide that must not reach the deck.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from dataclasses import replace
from html import escape as _html_escape
from html import unescape
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE, PP_PLACEHOLDER
from pptx.util import Emu, Pt
from pypdf import PdfReader

from data_access.core.db import read_df, session_scope
from data_access.core.writes import SYSTEM, Actor, ConflictError, PermissionDenied
from data_access.demo.loader import load_demo
from data_access.meeting import deck_template as templates
from deck import template
from deck.export import export, render
from deck.layout import LEADING, PAGE_H, PAGE_W, TABLE_SIZE, _fit, family_fonts, text_width, wrap
from deck.report import block_html
from deck.sources import load_meeting
from domain.formatting import RAG_COLOURS
from domain.slides import Block, clip
from tests.conftest import DEMO_TODAY

ADMIN = SYSTEM
VIEWER = Actor(None, "Vic Viewer", "viewer")
ORG = "ACME Corporation · Internal"
THEME_FONT = "DejaVu Serif"


def corporate_template(width_pt: float = PAGE_W, height_pt: float = PAGE_H) -> bytes:
    deck = Presentation()
    deck.slide_width, deck.slide_height = Pt(width_pt), Pt(height_pt)
    # python-pptx draws shapes on slides only: draw them on the sample slide, then move them
    # to the master, as a template's designer places a band and a name on every page.
    sample = deck.slides.add_slide(deck.slide_layouts[0])
    sample.shapes.title.text = "Sample slide, not ours"
    band = sample.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, 0, deck.slide_width, Pt(14))
    band.fill.solid()
    band.fill.fore_color.rgb = RGBColor(0x5B, 0x2A, 0x86)
    mark = sample.shapes.add_textbox(Pt(width_pt - 260), Pt(height_pt - 22), Pt(240), Pt(18))
    mark.text_frame.text = ORG
    for shape in (band, mark):
        deck.slide_master.shapes._spTree.append(shape._element)
    out = io.BytesIO()
    deck.save(out)
    return _with_theme_font(out.getvalue(), THEME_FONT)


def _with_theme_font(content: bytes, font: str) -> bytes:
    """The theme's heading and body fonts set to `font`, as a corporate template sets its own."""
    source, out = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("ppt/theme/theme"):
                text = data.decode("utf-8")
                for kind in ("majorFont", "minorFont"):
                    start = text.index(f"<a:{kind}><a:latin typeface=")
                    end = text.index("/>", start)
                    text = text[:start] + f'<a:{kind}><a:latin typeface="{font}"' + text[end:]
                data = text.encode("utf-8")
            target.writestr(item, data)
    return out.getvalue()


def as_potx(content: bytes) -> bytes:
    source, out = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(template.PPTX_MAIN.encode(), template.POTX_MAIN.encode())
            target.writestr(item, data)
    return out.getvalue()


@pytest.fixture(scope="module")
def meeting(demo_sqlite_path):
    return load_meeting(DEMO_TODAY, url=f"sqlite:///{demo_sqlite_path}")


# --- checking an upload -----------------------------------------------------------------


def test_a_16_9_template_is_accepted_as_pptx_and_potx():
    content = corporate_template()
    for kind, data in (("pptx", content), ("potx", as_potx(content))):
        info = template.check(data)
        assert info.used == "Title Only", kind
        assert "Title Slide" in info.layouts
        assert (info.width_cm, info.height_cm) == (33.87, 19.05)


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (corporate_template(720, 540), "not 16:9"),  # a 4:3 master
        (b"code,name\nPRJ-1,Billing\n", "not a PowerPoint"),
        (corporate_template()[:5000], "not a PowerPoint"),  # cut short: a damaged zip
    ],
    ids=["four-by-three", "csv", "truncated"],
)
def test_a_file_that_cannot_serve_is_refused_with_the_reason(content, says):
    with pytest.raises(template.TemplateError, match=says):
        template.check(content)


# --- the deck on the template -----------------------------------------------------------


def _inside(shape, deck) -> bool:
    return (
        shape.left >= 0
        and shape.top >= 0
        and shape.left + shape.width <= deck.slide_width
        and shape.top + shape.height <= deck.slide_height
    )


@pytest.mark.parametrize("size", [(PAGE_W, PAGE_H), (720.0, 405.0)], ids=["widescreen", "small"])
def test_the_deck_is_built_on_the_template(meeting, size):
    pptx, _ = export(meeting.slides, meeting.footer, as_potx(corporate_template(*size)))
    deck = Presentation(io.BytesIO(pptx))
    assert Emu(deck.slide_width).pt == pytest.approx(size[0])
    assert len(deck.slides) == len(meeting.slides)  # the template's sample slide left out
    for slide, page in zip(meeting.slides, deck.slides, strict=True):
        assert page.slide_layout.name == "Title Only"
        assert page.shapes.title.text == slide.title  # in the template's own title placeholder
        assert all(_inside(shape, deck) for shape in page.shapes), slide.title
    master_text = [s.text_frame.text for s in deck.slide_master.shapes if s.has_text_frame]
    assert ORG in master_text
    assert not any("Sample slide" in s.shapes.title.text for s in deck.slides)


def test_every_shape_fits_the_slide_without_a_template(meeting):
    pptx, _ = export(meeting.slides, meeting.footer)
    deck = Presentation(io.BytesIO(pptx))
    for slide in deck.slides:
        assert all(_inside(shape, deck) for shape in slide.shapes)


def test_pdf_charts_are_drawn_whole_in_their_picture(meeting):
    """A chart drawn wider or taller than its picture would touch the picture's edge (Vega keeps
    a padding inside it): no pixel on the border may be ink."""
    laid_out, images = render(meeting.slides, meeting.footer)
    assert images
    for page in laid_out:
        for box in page.charts:
            picture = Image.open(io.BytesIO(images[id(box)])).convert("L")
            width, height = picture.size
            border = [picture.getpixel((x, y)) for x in range(width) for y in (0, height - 1)]
            border += [picture.getpixel((x, y)) for y in range(height) for x in (0, width - 1)]
            assert min(border) > 200, (box.chart.chart, box.chart.heading)


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (./pmo.sh test installs it)")
def test_libreoffice_renders_every_page_of_the_template_deck(meeting, tmp_path):
    pptx, _ = export(meeting.slides, meeting.footer, corporate_template())
    _as_pngs(_libreoffice_pdf(pptx, tmp_path), tmp_path / "page")
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == len(meeting.slides)
    artifacts = Path("test-artifacts/deck")
    artifacts.mkdir(parents=True, exist_ok=True)
    for page in pages[:4]:
        shutil.copy(page, artifacts / f"template-{page.name}")
    # The master's band is on every page, so the template was used.
    for page in pages:
        top = Image.open(page).convert("RGB").getpixel((10, 2))
        assert top[2] > top[1] + 40, page.name


# --- storing it -------------------------------------------------------------------------


def test_upload_replace_and_default_look(db_url):
    content = corporate_template()
    assert templates.active_template(db_url) is None
    with session_scope(db_url) as s:
        first = templates.upload_template(
            "acme.potx", content, expected_active=None, session=s, actor=ADMIN
        )
    assert templates.active_template(db_url)["content"] == content
    # Someone who saw no template yet cannot replace the one just uploaded unknowingly.
    with pytest.raises(ConflictError), session_scope(db_url) as s:
        templates.upload_template("old.pptx", content, expected_active=None, session=s, actor=ADMIN)
    with pytest.raises(PermissionDenied), session_scope(db_url) as s:
        templates.use_default_look(expected_active=first, session=s, actor=VIEWER)
    with session_scope(db_url) as s:
        templates.use_default_look(expected_active=first, session=s, actor=ADMIN)
    assert templates.active_template(db_url) is None
    audit = read_df(
        "SELECT action, after FROM audit_log WHERE entity = 'deck_template' ORDER BY id", url=db_url
    )
    assert audit.action.tolist() == ["create", "refused", "update"]
    assert "content" not in str(audit.after.iloc[0])  # the file's facts, not its bytes


# --- words that fit -----------------------------------------------------------------------


def test_a_table_cell_wraps_its_words_and_cuts_only_what_two_lines_cannot_hold():
    title = "Data-centre migration slips past the supplier's cut-over window in March"
    assert _fit("Vendor late", 150) == "Vendor late"
    two = _fit(title, 300)
    assert two.count("\n") == 1 and two.replace("\n", " ") == title  # whole, on two lines
    long = _fit(" ".join([title] * 4), 300)
    first, second = long.split("\n")
    # Cut after a whole word: what is shown is the text's beginning, word for word.
    shown = f"{first} {second.removesuffix('…')}".split()
    assert second.endswith("…") and shown == " ".join([title] * 4).split()[: len(shown)]
    assert all(text_width(line, TABLE_SIZE) <= 290 for line in (first, second))


RISK = "Data-centre migration slips past the supplier's cut-over window in March"


def _with_risks(project):
    """The project's slide with a risk whose title the screen shortens, scored "20 Critical"."""
    risks = pd.DataFrame(
        {
            "Risk": [clip(RISK, 40), "Licence costs rise"],
            "Score": ["20\u00a0Critical", "9\u00a0Medium"],
            "Owner": ["Yusuf Weber", "Ines Ivanova"],
            "_full_Risk": [RISK, "Licence costs rise"],
        }
    )
    return replace(
        project,
        blocks=[b for b in project.blocks if b.heading != "Top risks"]
        + [Block("table", "Top risks", "right", table=risks)],
    )


def test_the_deck_says_risk_titles_whole_where_the_screen_shortens_them(meeting):
    """The slide on screen shortens a risk title to 40 characters; the deck wraps it on two
    lines in the table (PowerPoint and PDF), and the e-mail report says it whole."""
    title = RISK
    slide = _with_risks(next(s for s in meeting.slides if s.kind == "project"))
    pptx, pdf = export([slide], meeting.footer)
    [table] = [s.table for s in Presentation(io.BytesIO(pptx)).slides[0].shapes if s.has_table]
    cell = table.cell(1, 0).text
    assert "\n" in cell and cell.replace("\n", " ") == title
    assert table.cell(2, 0).text == "Licence costs rise"
    text = " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    assert title in text
    html = block_html(slide.blocks[-1], {})
    assert _html_escape(title) in html and _html_escape(clip(title, 40)) not in html


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (./pmo.sh test installs it)")
def test_a_bar_changed_in_the_chart_data_moves_on_the_slide(meeting, tmp_path):
    """As a PMO lead does before the board: open the deck, change a bar's value in the chart's
    data, and the slide follows: the bar grows and its label says the new value."""
    slide = next(s for s in meeting.slides if any(b.chart == "health_bars" for b in s.blocks))
    pptx, _ = export([slide], meeting.footer)
    deck = Presentation(io.BytesIO(pptx))
    chart = next(s.chart for s in deck.slides[0].shapes if s.has_chart)
    plot = chart.plots[0]
    values = list(plot.series[0].values)
    edited = CategoryChartData(number_format="0")
    edited.categories = list(plot.categories)
    edited.add_series(plot.series[0].name, [values[0] + 40, *values[1:]])
    chart.replace_data(edited)  # what PowerPoint's "Edit data" writes into the workbook
    out = io.BytesIO()
    deck.save(out)
    red = tuple(int(RAG_COLOURS["R"][i : i + 2], 16) for i in (1, 3, 5))
    before, text_before = _rendered(pptx, tmp_path / "before")
    after, text_after = _rendered(out.getvalue(), tmp_path / "after")
    assert _pixels(after, red) > 1.5 * _pixels(before, red)
    # The bars' labels, in order, as the rendered page reads.
    labels = "\n".join(str(int(v)) for v in [values[0] + 40, *values[1:]])
    assert f"\n{labels}\n" in text_after and f"\n{labels}\n" not in text_before


def _rendered(pptx: bytes, folder: Path) -> tuple[Image.Image, str]:
    """A one-slide deck as LibreOffice draws it: the picture and the text of the page."""
    folder.mkdir()
    pdf = _libreoffice_pdf(pptx, folder)
    _as_pngs(pdf, folder / "p", "-singlefile")
    return Image.open(folder / "p.png").convert("RGB"), PdfReader(pdf).pages[0].extract_text()


def _libreoffice_pdf(pptx: bytes, folder: Path) -> Path:
    source = folder / "deck.pptx"
    source.write_bytes(pptx)
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{folder}/lo", "--convert-to",
         "pdf", "--outdir", str(folder), str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    return folder / "deck.pdf"


def _as_pngs(pdf: Path, prefix: Path, *options: str) -> None:
    subprocess.run(["pdftoppm", "-r", "50", "-png", *options, pdf, prefix], check=True, timeout=120)


def _pixels(picture: Image.Image, rgb: tuple[int, ...]) -> int:
    """How many pixels are drawn in (about) colour `rgb`."""
    distance = np.abs(np.asarray(picture, dtype=int) - np.array(rgb)).max(axis=2)
    return int((distance < 30).sum())


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (./pmo.sh test installs it)")
def test_the_review_deck_of_a_large_portfolio_fits_and_renders(tmp_path):
    """Tier L (5,000 projects: about 80 slides) on the corporate template: every shape on its
    slide, every page drawn by LibreOffice with the template's band, the PDF page for page."""
    url = f"sqlite:///{tmp_path}/l.db"
    load_demo("L", url, today=DEMO_TODAY)
    review = load_meeting(DEMO_TODAY, url=url)
    pptx, pdf = export(review.slides, review.footer, corporate_template())
    deck = Presentation(io.BytesIO(pptx))
    assert len(deck.slides) == len(review.slides) > 50
    for slide, page in zip(review.slides, deck.slides, strict=True):
        assert all(_inside(shape, deck) for shape in page.shapes), slide.title
    assert len(PdfReader(io.BytesIO(pdf)).pages) == len(review.slides)
    _as_pngs(_libreoffice_pdf(pptx, tmp_path), tmp_path / "page")
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == len(review.slides)
    for page in pages:
        top = Image.open(page).convert("RGB").getpixel((10, 2))
        assert top[2] > top[1] + 40, page.name
    artifacts = Path("test-artifacts/deck")
    artifacts.mkdir(parents=True, exist_ok=True)
    for page in pages[:3]:
        shutil.copy(page, artifacts / f"tier-l-{page.name}")


# --- the template's frame and fonts ------------------------------------------------------

LONG_UPDATE = (
    "Critical path slipped by three weeks when the supplier missed the cut-over window; the "
    "recovery plan moves data migration ahead of user training, adds a second test cycle and "
    "is under review with the sponsor, who decides on the extra budget next Tuesday."
)


def _theme_lines(text: str, size: float, width: float, bold: bool) -> int:
    """Lines `text` takes `width` wide, measured with the template's theme font."""
    return len(wrap(text, size, width, bold, family_fonts(THEME_FONT)))


def _words(pdf: Path) -> list[tuple[str, float, float, float]]:
    """The first page's words as LibreOffice drew them: (word, left, top, bottom) in points."""
    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", "1", "-l", "1", str(pdf), "-"],
        capture_output=True, text=True, check=True, timeout=60,
    ).stdout  # fmt: skip
    found = re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>', html
    )
    return [(unescape(w), float(x), float(top), float(bottom)) for x, top, bottom, w in found]


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (./pmo.sh test installs it)")
def test_the_content_keeps_to_the_template_frame_in_its_theme_font(meeting, tmp_path):
    """On the corporate template (44 pt title placeholder, DejaVu Serif, a mark at the foot),
    as LibreOffice draws it: a long title stays in its placeholder above the content, a long
    update keeps above the next heading, "20 Critical" stays on one line and the risk table
    above the footer and the organisation's mark."""
    project = _with_risks(next(s for s in meeting.slides if s.kind == "project"))
    slide = replace(
        project,
        title=f"{project.title} — regional data-centre consolidation and cloud migration programme",
        blocks=[
            replace(b, text=LONG_UPDATE) if b.heading.startswith("Latest update") else b
            for b in project.blocks
        ],
    )
    pptx, _ = export([slide], meeting.footer, corporate_template())
    deck = Presentation(io.BytesIO(pptx))
    [page] = deck.slides
    title, others = page.shapes.title, [s for s in page.shapes if not s.is_placeholder]
    run = title.text_frame.paragraphs[0].runs[0]
    inset_x, inset_y = Emu(title.text_frame.margin_left).pt, Emu(title.text_frame.margin_top).pt
    room = Emu(title.height).pt - 2 * inset_y
    lines = _theme_lines(title.text, run.font.size.pt, Emu(title.width).pt - 2 * inset_x, False)
    # (a) The title's lines fit its placeholder, and the content starts below it.
    assert lines * run.font.size.pt * 1.2 <= room
    assert min(s.top for s in others) >= title.top + title.height
    # (b) Every text box holds its text in the theme font; every cell its lines.
    for shape in (s for s in others if s.has_text_frame and s.text_frame.text):
        paragraphs = shape.text_frame.paragraphs
        font = paragraphs[0].runs[0].font
        width, size = Emu(shape.width).pt, font.size.pt
        needed = sum(_theme_lines(p.text, size, width, bool(font.bold)) for p in paragraphs)
        assert needed * size * LEADING <= Emu(shape.height).pt + 0.5, shape.text_frame.text
    [table] = [s for s in others if s.has_table]
    for row in list(table.table.rows)[1:]:
        for cell, column in zip(row.cells, table.table.columns, strict=True):
            width = Emu(column.width).pt - 10  # the cell's margins
            assert all(
                _theme_lines(p.text, TABLE_SIZE, width, False) == 1
                for p in cell.text_frame.paragraphs
            ), cell.text
    # (c) The rows end above the template's footer placeholders and marks.
    layout = page.slide_layout
    footers = [p for p in layout.placeholders if p.placeholder_format.type == PP_PLACEHOLDER.FOOTER]
    mark = next(
        s for s in deck.slide_master.shapes if s.has_text_frame and s.text_frame.text == ORG
    )
    table_bottom = table.top + sum(row.height for row in table.table.rows)
    assert table_bottom <= min(s.top for s in [*footers, mark])

    pdf = _libreoffice_pdf(pptx, tmp_path)
    _as_pngs(pdf, tmp_path / "frame", "-singlefile")
    artifacts = Path("test-artifacts/deck")
    artifacts.mkdir(parents=True, exist_ok=True)
    shutil.copy(tmp_path / "frame.png", artifacts / "template-frame.png")
    words = _words(pdf)

    def where(word: str) -> list[tuple[str, float, float, float]]:
        return [w for w in words if w[0] == word]

    # (a) The title's last word above the subtitle's first.
    [(_, _, _, title_end)] = where("programme")
    first_of_subtitle = slide.subtitle.split()[0]
    assert title_end <= min(top for _, _, top, _ in where(first_of_subtitle))
    # (b) The update's last word above the next heading; "20 Critical" on one line.
    [(_, _, _, update_end)] = where("Tuesday.")
    assert update_end <= min(top for _, _, top, _ in where("Decisions"))
    [score] = [i for i, w in enumerate(words[:-1]) if (w[0], words[i + 1][0]) == ("20", "Critical")]
    assert words[score][2] == pytest.approx(words[score + 1][2], abs=1)
    # (c) Every word but the mark's above the mark.
    mark_top = min(top for _, _, top, _ in where("ACME"))
    assert max(bottom for w, _, _, bottom in words if w not in ORG.split()) <= mark_top
