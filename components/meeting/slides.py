"""Draw one review slide (domain/slides.py) with Streamlit elements, in large type.

User text (project names, summaries, decisions) is always escaped Markdown, never HTML. The
only HTML is the presentation style sheet, which sets layout and type size.
"""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from charts.slides import INK, build
from domain.formatting import BAND_COLOURS, RAG_COLOURS
from domain.slides import Block, Slide, text_colour_on

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
CHART_HEIGHTS = {
    "green_trend": 440,
    "health_bars": 420,
    "milestone_timeline": 440,
    "slip_bars": 640,
    "risk_matrix": 640,
}
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")

# Full screen for the room: no sidebar or header, the whole width, type at least 24 px.
PRESENTATION_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
header[data-testid="stHeader"], [data-testid="stToolbar"] { display: none !important; }
html { font-size: 24px !important; }
[data-testid="stMainBlockContainer"] { max-width: 100% !important; padding: 1.2rem 2.4rem 0.6rem; }
.st-key-slide [data-testid="stVerticalBlock"] { gap: 0.45rem; }
.st-key-slide h1 { font-size: 2.1rem; padding: 0; }
.st-key-slide h3 { font-size: 1.2rem; padding: 0.5rem 0 0.3rem 0; }
.st-key-slide p, .st-key-slide li, .st-key-slide td, .st-key-slide th { font-size: 1rem; }
.st-key-slide p { margin-bottom: 0.35rem; }
.st-key-slide [data-testid="stMetricValue"], .st-key-slide [data-testid="stMetricValue"] * {
  font-size: 2.2rem; line-height: 1.2; }
.st-key-slide [data-testid="stMetricLabel"] p { font-size: 1rem; }
.st-key-slide_subtitle p { font-size: 1.05rem; opacity: 0.75; }
.st-key-slide_pageup, .st-key-slide_pagedown { display: none; }
.st-key-slide_nav p, .st-key-slide_status p { font-size: 1rem; }
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
            width="container",
            height=CHART_HEIGHTS.get(block.chart, 360),
        )
        st.altair_chart(chart, width="stretch")
    if block.more:
        st.caption(md(block.more))


def styled(table: pd.DataFrame):
    """The visible columns, with the cell colours the `_colour_<column>` columns give."""
    shown = [c for c in table.columns if not c.startswith("_")]

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
