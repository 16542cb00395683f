"""The exported deck: one .pptx slide and one PDF page per browser slide, charts as pictures."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pypdf import PdfReader

from data_access.core.db import read_df, session_scope
from data_access.core.writes import SYSTEM
from data_access.updates import commands
from deck.export import export
from deck.sources import load_meeting
from domain.filters import PortfolioFilter
from domain.formatting import fmt_date
from tests.conftest import DEMO_TODAY

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = "<img src=x onerror=alert(1)> & **not bold**"


def _chart_kinds(slide) -> list[str]:
    """The charts a slide draws (a chart block with no data says so in words instead)."""
    return [
        b.chart
        for b in slide.blocks
        if b.kind == "chart" and b.data is not None and not b.data.empty
    ]


@pytest.fixture
def program_meeting(demo_db_url):
    """The deck of one program (fewer project slides, so fewer charts to render)."""
    first_active = read_df(
        "SELECT p.id, pg.name FROM project p JOIN program pg ON pg.id = p.program_id "
        "WHERE p.status = 'active' ORDER BY p.code LIMIT 1",
        url=demo_db_url,
    ).iloc[0]
    pid, program = int(first_active.id), first_active["name"]
    # User text goes into the deck as text, never as markup.
    with session_scope(demo_db_url) as session:
        commands.submit_status_report(
            {
                "project_id": pid,
                "report_date": DEMO_TODAY,
                "override_rag": "R",  # a red project gets its own slide
                "override_reason": "Supplier failed",
                "summary": HOSTILE,
            },
            session=session,
            actor=SYSTEM,
        )
    shown = load_meeting(
        DEMO_TODAY, portfolio_filter=PortfolioFilter(program=(program,)), url=demo_db_url
    )
    return shown, program


def test_pptx_has_editable_charts_and_the_pdf_the_same_pages(program_meeting):
    shown, _ = program_meeting
    pptx, pdf = export(shown.slides, shown.footer)

    deck = Presentation(io.BytesIO(pptx))
    assert len(deck.slides) == len(shown.slides)
    for slide, page in zip(shown.slides, deck.slides, strict=True):
        kinds = _chart_kinds(slide)
        charts = [sh for sh in page.shapes if sh.has_chart]
        tables = [sh for sh in page.shapes if sh.has_table]
        # Every chart of a kind PowerPoint has is a chart with its data; the matrix a table.
        assert len(charts) == sum(k != "risk_matrix" for k in kinds), slide.title
        assert not [sh for sh in page.shapes if sh.shape_type == MSO_SHAPE_TYPE.PICTURE]
        for chart in (sh.chart for sh in charts):
            assert chart.plots and all(len(list(s.values)) for s in chart.plots[0].series)
        if "risk_matrix" in kinds:
            assert any(len(t.table.rows) == 6 and len(t.table.columns) == 6 for t in tables)
    health = next(sh.chart for sh in deck.slides[0].shapes if sh.has_chart)
    summary = next(b for b in shown.slides[0].blocks if b.chart == "health_bars")
    assert list(health.plots[0].series[0].values) == summary.data.projects.tolist()

    texts = [
        "\n".join(sh.text_frame.text for sh in slide.shapes if sh.has_text_frame)
        for slide in deck.slides
    ]
    for slide, text in zip(shown.slides, texts, strict=True):
        assert slide.title in text
    assert any(HOSTILE in t for t in texts)

    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == len(shown.slides)
    pdf_text = [page.extract_text() for page in reader.pages]
    for slide, text in zip(shown.slides, pdf_text, strict=True):
        assert slide.title.split(" · ")[0] in text
    assert any("onerror=alert(1)" in t for t in pdf_text)
    # In the PDF the charts are pictures (the matrix is drawn as a table).
    images = [len(page.images) for page in reader.pages]
    assert images == [sum(k != "risk_matrix" for k in _chart_kinds(s)) for s in shown.slides]


def test_command_line_export_for_a_scheduled_job(program_meeting, demo_db_url, tmp_path):
    shown, program = program_meeting
    out, pdf = tmp_path / "deck.pptx", tmp_path / "deck.pdf"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "deck",
            "--url",
            demo_db_url,
            "--today",
            DEMO_TODAY.isoformat(),
            "--since",
            (DEMO_TODAY - dt.timedelta(days=28)).isoformat(),
            "--program",
            program,
            "--out",
            str(out),
            "--pdf",
            str(pdf),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    slides = len(Presentation(str(out)).slides)
    assert slides == len(shown.slides)
    assert len(PdfReader(str(pdf)).pages) == slides
    assert f"{out}: {slides} slides" in run.stdout
    titles = [
        "\n".join(sh.text_frame.text for sh in s.shapes if sh.has_text_frame)
        for s in Presentation(str(out)).slides
    ]
    assert f"What changed since {fmt_date(DEMO_TODAY - dt.timedelta(days=28))}" in titles[1]


def test_command_line_needs_an_output(tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "deck"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 2
    assert "give --out and/or --pdf" in run.stderr
