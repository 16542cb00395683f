"""Draw one review slide (domain/slides.py) with Streamlit elements, in large type.

User text (project names, summaries, decisions) is always escaped Markdown, never HTML. The
only HTML is the presentation style sheet, which sets layout and type size.
"""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from charts.slides import INK, build
from charts.specs import vega_lite
from domain.formatting import BAND_COLOURS, RAG_COLOURS
from domain.slides import Block, Slide, text_colour_on, visible_columns

# Streamlit's named colours are the theme's (Okabe-Ito, see .streamlit/config.toml).
_NAMED = {
    RAG_COLOURS["R"]: "red",
    RAG_COLOURS["A"]: "orange",
    RAG_COLOURS["G"]: "green",
    RAG_COLOURS["S"]: "gray",
    RAG_COLOURS["C"]: "blue",
    BAND_COLOURS["Medium"]: "yellow",
}
_BADGE_COLOURS = {**RAG_COLOURS, **BAND_COLOURS}
DARK_INK = "#F3F4F6"  # the dark theme's text colour (.streamlit/config.toml)
# A slide is laid out in rem, and the root font size follows the window (PRESENTATION_CSS):
# the same slide at 1280x720 and at 3840x2160 is the same picture, scaled. Charts are drawn at
# a design size (1 rem = 24 px) and scaled to the column's width.
DESIGN_REM = 24
CHART_SIZES = {  # width, height in rem: a half-slide column
    "green_trend": (36, 17),
    "health_bars": (36, 13),
    "milestone_timeline": (36, 17),
    "slip_bars": (36, 22),
    "risk_matrix": (36, 24),
}
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")

# Full screen for the room: no sidebar, header or demo-accounts banner (shown on every other
# page), the whole width. 1 rem is 2.5 % of the window's height (27 px at 1080 px), or 1.55 %
# of its width on a squarer screen (4:3), so a slide keeps its proportions from a 1280x720
# laptop to a 4K projector and never scrolls; the slides' contents (domain/slides.py) are
# limited to what that page holds.
PRESENTATION_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
header[data-testid="stHeader"], [data-testid="stToolbar"],
.st-key-demo_accounts_banner { display: none !important; }
html { font-size: min(2.5vh, 1.55vw) !important; }
:root { --zoom: 1 !important; }
[data-testid="stMainBlockContainer"] {
  max-width: 100% !important; padding: 0.8rem 2rem 0 !important; }
[data-testid="stMainBlockContainer"] > div > [data-testid="stVerticalBlock"] { gap: 0.3rem; }
.st-key-slide [data-testid="stVerticalBlock"] { gap: 0.35rem; }
.st-key-slide [data-testid="stHorizontalBlock"] { gap: 1.5rem; flex-wrap: nowrap !important; }
.st-key-slide [data-testid="stColumn"] { min-width: 0 !important; }
.st-key-slide h1 { font-size: 2rem; padding: 0; line-height: 1.2; }
.st-key-slide h3 { font-size: 1.15rem; padding: 0.5rem 0 0.2rem 0; line-height: 1.3; }
.st-key-slide p, .st-key-slide li, .st-key-slide td, .st-key-slide th { font-size: 1rem; }
.st-key-slide p { margin-bottom: 0.25rem; line-height: 1.4; }
.st-key-slide td, .st-key-slide th { padding: 0.15rem 0.4rem; line-height: 1.3; }
.st-key-slide [data-testid="stMetricValue"], .st-key-slide [data-testid="stMetricValue"] * {
  font-size: 2rem; line-height: 1.2; }
.st-key-slide [data-testid="stMetricLabel"] p { font-size: 0.9rem; }
.st-key-slide [data-testid="stMetric"] { padding: 0.3rem 0.6rem; }
.st-key-slide [data-testid="stElementContainer"]:has([data-testid="stVegaLiteChart"]),
.st-key-slide [data-testid="stFullScreenFrame"],
.st-key-slide [data-testid="stFullScreenFrame"] > div,
.st-key-slide [data-testid="stVegaLiteChart"], .st-key-slide .vega-embed { width: 100% !important; }
.st-key-slide [data-testid="stVegaLiteChart"] svg.marks {
  width: 100% !important; height: auto !important; }
.st-key-slide_subtitle p { font-size: 1rem; opacity: 0.75; }
.st-key-slide_pageup, .st-key-slide_pagedown { display: none; }
.st-key-slide_nav { gap: 0.5rem; }
.st-key-slide_nav p, .st-key-slide_status p { font-size: 0.75rem; margin: 0; }
.st-key-slide_nav button { min-height: 0; padding: 0.1rem 0.5rem; }
.st-key-slide_status { gap: 1rem; }
</style>
"""


def md(text) -> str:
    """Escape every Markdown character so that user text shows exactly as typed."""
    return _PUNCTUATION.sub(r"\\\1", " ".join(str(text or "").split()))


def _badge(label: str, colour: str | None) -> str:
    name = _NAMED.get(colour or _BADGE_COLOURS.get(label, ""), "blue")
    return f":{name}-badge[**{md(label)}**]"


def render_slide(slide: Slide) -> None:
    with st.container(key="slide"):
        st.markdown(f"# {md(slide.title)}")
        with st.container(key="slide_subtitle"):
            st.markdown(md(slide.subtitle))
        for block in (b for b in slide.blocks if b.column == "full"):
            _block(block)
        left, right = st.columns(2, gap="large")
        for column, name in ((left, "left"), (right, "right")):
            with column:
                for block in (b for b in slide.blocks if b.column == name):
                    _block(block)


def _block(block: Block) -> None:
    if block.heading and block.kind != "chart":
        st.markdown(f"### {md(block.heading)}")
    has_rows = {
        "tiles": bool(block.tiles),
        "lines": bool(block.lines),
        "text": bool(block.text),
        "table": block.table is not None and not block.table.empty,
        "chart": block.data is not None and not block.data.empty,
    }[block.kind]
    if not has_rows:
        if block.kind == "chart":
            st.markdown(f"### {md(block.heading)}")
        st.markdown(f"*{md(block.empty or 'Nothing to show.')}*")
    elif block.kind == "tiles":
        for column, tile in zip(st.columns(len(block.tiles)), block.tiles, strict=True):
            label = (
                f"{_badge(tile.label[0], tile.colour)} {md(tile.label)}"
                if tile.colour
                else md(tile.label)
            )
            column.metric(
                label,
                tile.value,
                tile.note or None,
                delta_color="off",
                delta_arrow="off",
                border=True,
            )
    elif block.kind == "lines":
        st.markdown(
            "\n\n".join(
                (f"{_badge(line.badge, line.colour)} " if line.badge else "") + md(line.text)
                for line in block.lines
            )
        )
    elif block.kind == "text":
        st.markdown(md(block.text))
    elif block.kind == "table":
        st.table(styled(block.table), hide_index=True, border="horizontal")
    else:
        chart = build(
            block.chart,
            block.data,
            block.heading,
            block.params,
            ink=DARK_INK if st.context.theme.type == "dark" else INK,
            **_design_size(block.chart),
        )
        st.vega_lite_chart(vega_lite(chart, fit=False), width="content")
    if block.more:
        st.caption(md(block.more))


def _design_size(chart: str) -> dict[str, int]:
    width, height = CHART_SIZES.get(chart, (36, 14))
    return {"width": width * DESIGN_REM, "height": height * DESIGN_REM}


def styled(table: pd.DataFrame):
    """The visible columns, with the cell colours the `_colour_<column>` columns give."""
    shown = visible_columns(table)

    def colours(row: pd.Series) -> list[str]:
        styles = []
        for column in shown:
            fill = table.at[row.name, f"_colour_{column}"] if f"_colour_{column}" in table else None
            styles.append(
                f"background-color: {fill}; color: {text_colour_on(fill)}; font-weight: 700"
                if isinstance(fill, str)
                else ""
            )
        return styles

    return table[shown].style.apply(colours, axis=1)
