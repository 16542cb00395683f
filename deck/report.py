"""A stakeholder report for a saved view (the shared filters, or one project): an HTML e-mail
with inline chart images, the review's slides as a PDF, and the link back to the view.

It is the review deck read for that view (`deck.sources`), so the e-mail, its PDF and the
meeting show the same numbers. The HTML keeps to what common mail clients render: tables,
inline styles, images by Content-ID, no scripts and no external files. Every text from the
database is escaped.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass, field
from urllib.parse import urlencode

import altair as alt
import pandas as pd
import vl_convert as vlc

from charts.slides import build
from data_access.core.config import setting
from data_access.core.settings import get_settings
from data_access.meeting import reviews as review_reads
from data_access.portfolio.reads import project_facts
from deck.export import render, to_pdf
from deck.sources import Meeting, assemble, changes_between, which_review
from domain.filters import (
    PortfolioFilter,
    apply_filter,
    describe_filter,
    filter_from_dict,
    filter_query,
)
from domain.formatting import RAG_COLOURS, RAG_LABELS, fmt_date
from domain.health import DIMENSIONS, compute_health, sort_worst_first
from domain.slides import Block, Slide, full_text, text_colour_on, visible_columns

WIDTH = 600
CHART_W, CHART_H = 560, 240
HEALTH_ROWS = 25
INK, MUTED, RULE, BRAND = "#1f2933", "#52606d", "#d9e2ec", "#0072B2"
FONT = "Arial, Helvetica, sans-serif"
# Slides of the deck that the e-mail shows, in this order (project slides come in between).
SECTIONS = {
    "changes": "What changed",
    "milestones": "Overdue milestones",
    "risks": "Top risks",
    "actions": "Decisions and actions",
}


def base_url() -> str:
    """Where people open the app (links in messages): setting PMO_BASE_URL."""
    return (setting("PMO_BASE_URL") or "http://localhost:8501").rstrip("/")


@dataclass
class View:
    """What a subscription or a read-only link shows."""

    scope: str  # "portfolio" or "project"
    project_id: int | None = None
    filters: dict | None = None


@dataclass
class Report:
    scope: str
    title: str
    view_words: str
    today: dt.date
    link: str
    meeting: Meeting
    health: pd.DataFrame
    charts: list[tuple[str, str, bytes]] = field(default_factory=list)  # cid, title, png

    @property
    def project_count(self) -> int:
        return len(self.health)


def load_report(view: View, today: dt.date, url: str | None = None) -> Report:
    """The report of `view` on `today`: the review slides for those projects, changes since
    the last review, and that review's decisions and actions."""
    settings = get_settings(url)
    facts = project_facts(today, high_from=settings["band_high_from"], url=url)
    whole = compute_health(facts, settings, today)
    reviews = review_reads.reviews(url)
    held = reviews[pd.to_datetime(reviews.held_on).dt.date <= today]
    review_id = int(held.id.iloc[0]) if len(held) else None
    review, since, basis = which_review(reviews, review_id, None, today)
    if view.scope == "project":
        project = whole[whole.id == view.project_id]
        if project.empty:
            raise LookupError(f"project {view.project_id} does not exist")
        code = project.code.iloc[0]
        title, view_words = f"{code} {project.name.iloc[0]}", f"Project {code}"
        # The project's own code picks it alone out of the one-row table.
        health, chosen = project, PortfolioFilter(text=code)
        link = f"{base_url()}/project?{urlencode({'project': code})}"
    else:
        chosen = filter_from_dict(view.filters)
        health, view_words = whole, describe_filter(chosen)
        title = "Portfolio report" + (f" · {view_words}" if chosen.active else "")
        query = urlencode(filter_query(chosen), doseq=True)
        link = f"{base_url()}/" + (f"?{query}" if query else "")
    meeting = assemble(
        health,
        changes_between(since, today, settings, basis=basis, url=url),
        today=today,
        review=review,
        settings=settings,
        portfolio_filter=chosen,
        every_project=view.scope == "project",
        url=url,
    )
    kept = health if view.scope == "project" else apply_filter(whole, chosen)
    return Report(view.scope, title, view_words, today, link, meeting, sort_worst_first(kept))


def pdf_of(report: Report) -> bytes:
    laid_out, images = render(report.meeting.slides, report.meeting.footer)
    return to_pdf(laid_out, images, title=report.title)


# --- HTML --------------------------------------------------------------------------------


def _e(value) -> str:
    return html.escape(
        "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    )


def _badge(letter: str) -> str:
    colour = RAG_COLOURS.get(letter, "#999999")
    return (
        f'<span style="display:inline-block;min-width:22px;padding:2px 4px;border-radius:3px;'
        f"background:{colour};color:{text_colour_on(colour)};font-weight:bold;"
        f'text-align:center">{_e(letter)}</span>'
    )


def _heading(text: str) -> str:
    return (
        f'<h2 style="font:bold 18px {FONT};color:{INK};margin:24px 0 8px;'
        f'border-bottom:2px solid {RULE};padding-bottom:4px">{_e(text)}</h2>'
    )


def _table(header: list[str], rows: list[list[str]]) -> str:
    """`rows` hold ready HTML (escaped by the caller)."""
    head = "".join(
        f'<th align="left" style="padding:4px 6px;background:#f0f4f8;font:bold 12px {FONT};'
        f'color:{INK}">{_e(h)}</th>'
        for h in header
    )
    body = "".join(
        "<tr>"
        + "".join(
            f'<td valign="top" style="padding:4px 6px;border-bottom:1px solid {RULE};'
            f'font:13px {FONT};color:{INK}">{cell}</td>'
            for cell in row
        )
        + "</tr>"
        for row in rows
    )
    return (
        f'<table role="presentation" width="100%" cellspacing="0" cellpadding="0" '
        f'style="border-collapse:collapse">{head and "<tr>" + head + "</tr>"}{body}</table>'
    )


def _note(text: str) -> str:
    return f'<p style="font:italic 13px {FONT};color:{MUTED};margin:6px 0">{_e(text)}</p>'


def health_html(health: pd.DataFrame) -> str:
    rows = [
        [_e(r.code), _e(r.name), _e(r.manager), _badge(r.overall_rag)]
        + [_badge(getattr(r, f"{d}_rag")) for d in DIMENSIONS]
        for r in health.head(HEALTH_ROWS).itertuples()
    ]
    header = ["Code", "Project", "Manager", "Overall", *[d.capitalize() for d in DIMENSIONS]]
    more = len(health) - HEALTH_ROWS
    extra = (
        _note(f"and {more:,} more projects, in the attached PDF and the app") if more > 0 else ""
    )
    return _table(header, rows) + extra if rows else _note("No project matches this view.")


def block_html(block: Block, charts: dict[int, str]) -> str:
    """One slide block: a table, lines, tiles or the inline picture of its chart."""
    parts = (
        [
            f'<h3 style="font:bold 14px {FONT};color:{INK};margin:14px 0 6px">'
            f"{_e(block.heading)}</h3>"
        ]
        # A chart's picture carries its own title.
        if block.heading and not (block.kind == "chart" and charts.get(id(block)))
        else []
    )
    if block.kind == "table":
        table = block.table if block.table is not None else pd.DataFrame()
        shown = visible_columns(table)
        table = table.assign(**{c: full_text(table, c) for c in shown})
        if table.empty:
            parts.append(_note(block.empty or "Nothing to show."))
        else:
            rows = []
            for _, r in table.iterrows():
                cells = []
                for c in shown:
                    colour = r.get(f"_colour_{c}")
                    cells.append(_coloured(r[c], colour) if isinstance(colour, str) else _e(r[c]))
                rows.append(cells)
            parts.append(_table(shown, rows))
    elif block.kind == "lines":
        items = "".join(
            f'<li style="margin:2px 0">{_badge(line.badge) + " " if line.badge else ""}'
            f"{_e(line.text)}</li>"
            for line in block.lines
        )
        parts.append(
            f'<ul style="font:13px {FONT};color:{INK};margin:0;padding-left:18px">{items}</ul>'
        )
    elif block.kind == "tiles":
        cells = "".join(
            f'<td align="center" style="padding:6px;border:1px solid {RULE};'
            f"background:{t.colour or '#f0f4f8'};"
            f"color:{text_colour_on(t.colour) if t.colour else INK};"
            f'font:12px {FONT}"><div style="font:bold 20px {FONT}">{_e(t.value)}</div>'
            f"{_e(t.label)}<br>{_e(t.note)}</td>"
            for t in block.tiles
        )
        parts.append(
            f'<table role="presentation" width="100%" cellspacing="4"><tr>{cells}</tr></table>'
        )
    elif block.kind == "chart":
        cid = charts.get(id(block))
        if cid:
            parts.append(
                f'<img src="cid:{cid}" width="{CHART_W}" alt="{_e(block.heading)}" '
                f'style="display:block;max-width:100%;height:auto;border:0">'
            )
        else:
            parts.append(_note(block.empty or "Nothing to show."))
    elif block.kind == "text":
        parts.append(f'<p style="font:13px {FONT};color:{INK}">{_e(block.text)}</p>')
    if block.more:
        parts.append(_note(block.more))
    return "".join(parts)


def _coloured(value, colour: str) -> str:
    return (
        f'<span style="background:{colour};color:{text_colour_on(colour)};padding:1px 4px;'
        f'border-radius:3px">{_e(value)}</span>'
    )


def chart_pngs(slides: list[Slide]) -> dict[int, tuple[str, str, bytes]]:
    """Every chart block with data, drawn as PNG at the e-mail's width (id(block) -> cid...)."""
    found = {}
    for slide in slides:
        for block in slide.blocks:
            if block.kind != "chart" or block.data is None or block.data.empty:
                continue
            # A bar per row needs room for its label at the slides' large type.
            rows = len(block.data) if block.chart == "slip_bars" else 0
            chart = build(
                block.chart,
                block.data,
                block.heading,
                block.params,
                width=CHART_W,
                height=max(CHART_H, 44 * rows + 110),
            )
            chart = chart.properties(autosize=alt.AutoSizeParams(type="fit", contains="padding"))
            png = vlc.vegalite_to_png(chart.to_json(), scale=2.0)
            found[id(block)] = (f"chart{len(found) + 1}@pmo", block.heading, png)
    return found


def _slides_for_email(report: Report) -> list[Slide]:
    by_kind = {s.kind: s for s in report.meeting.slides}
    # A portfolio e-mail stays short: the project-by-project slides are in the PDF.
    project_slides = [
        s for s in report.meeting.slides if s.kind == "project" and report.scope == "project"
    ]
    chosen = [by_kind["summary"], by_kind["changes"], *project_slides]
    return chosen + [by_kind[k] for k in ("milestones", "risks", "actions")]


def email_html(report: Report, *, unsubscribe: str = "", greeting: str = "") -> tuple[str, list]:
    """The message's HTML and its inline images [(cid, title, png)]."""
    slides = _slides_for_email(report)
    drawn = chart_pngs(slides)
    cids = {key: cid for key, (cid, _, _) in drawn.items()}
    sections = []
    for slide in slides:
        title = "Summary" if slide.kind == "summary" else SECTIONS.get(slide.kind, slide.title)
        sections.append(_heading(title))
        if slide.subtitle:
            sections.append(_note(slide.subtitle))
        sections += [block_html(b, cids) for b in slide.blocks]
        if slide.kind == "summary":
            sections += [_heading("Health"), health_html(report.health)]
    button = (
        f'<a href="{_e(report.link)}" style="display:inline-block;background:{BRAND};'
        f"color:#ffffff;padding:8px 14px;border-radius:4px;text-decoration:none;"
        f'font:bold 14px {FONT}">Open this view in the app</a>'
    )
    stop = (
        f'<a href="{_e(unsubscribe)}" style="color:{MUTED}">Unsubscribe from this report</a>'
        if unsubscribe
        else ""
    )
    body = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(report.title)}</title></head>
<body style="margin:0;padding:0;background:#f5f7fa">
<table role="presentation" width="100%" cellspacing="0" cellpadding="0" style="background:#f5f7fa">
<tr><td align="center" style="padding:12px 0">
<table role="presentation" width="{WIDTH}" cellspacing="0" cellpadding="0"
 style="width:100%;max-width:{WIDTH}px;background:#ffffff;border:1px solid {RULE}">
<tr><td style="padding:16px 20px;background:{BRAND};color:#ffffff;font:bold 20px {FONT}">
{_e(report.title)}<div style="font:14px {FONT}">{_e(report.view_words)} ·
{_e(fmt_date(report.today))} · {report.project_count:,} projects</div></td></tr>
<tr><td style="padding:12px 20px;font:14px {FONT};color:{INK}">
{f"<p>{_e(greeting)}</p>" if greeting else ""}
<p>{button}</p>
{"".join(sections)}
<p style="font:13px {FONT};color:{MUTED};margin-top:24px">The review slides for this view
are attached as a PDF.</p>
</td></tr>
<tr><td style="padding:12px 20px;border-top:1px solid {RULE};font:12px {FONT};color:{MUTED}">
Sent by the PMO dashboard. {stop}</td></tr>
</table></td></tr></table></body></html>"""
    return body, list(drawn.values())


def email_text(report: Report, *, unsubscribe: str = "") -> str:
    """The plain-text alternative: the same headlines and links."""
    health = report.health
    counts = health.overall_rag.value_counts()
    lines = [
        report.title,
        f"{report.view_words} · {fmt_date(report.today)}",
        "",
        "Health: " + ", ".join(f"{RAG_LABELS[k]} {int(counts.get(k, 0))}" for k in "RASG"),
        "",
    ]
    lines += [f"{r.overall_rag}  {r.code} {r.name}" for r in health.head(HEALTH_ROWS).itertuples()]
    lines += ["", f"Open this view in the app: {report.link}", "The slides are attached as a PDF."]
    if unsubscribe:
        lines.append(f"Unsubscribe: {unsubscribe}")
    return "\n".join(lines)
