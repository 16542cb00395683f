"""The review's slides as plain data, drawn alike by the browser and by the deck export.

A slide is a title, a subtitle and blocks placed in a left, right or full-width column. A
block is tiles (big numbers), lines (a letter badge and a sentence), a table (display strings;
`_colour_<column>` columns give a cell's background) or a chart (the name of a builder in
`charts.slides` and the data it receives). Nothing here draws: the same list becomes the
browser's slides and the .pptx/.pdf pages, so both always have the same slides.

Order of the deck: portfolio summary, what changed since the last review, one slide per red
then amber project (worst first, biggest budget first), milestones due or slipped, top risks,
decisions and actions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from domain.changes import Changes, counts
from domain.formatting import (
    BAND_COLOURS,
    RAG_COLOURS,
    RAG_LABELS,
    RAG_ORDER,
    fmt_date,
    fmt_money,
)
from domain.health import DIMENSIONS, sort_worst_first
from domain.intake import benefits_summary

# More red/amber projects than this are not walked through one by one; the summary says how
# many were left out, and the shared filters narrow the deck to a program or department.
MAX_PROJECT_SLIDES = 30
TABLE_ROWS = 8
# The "what changed" slide's health table is shorter: the gate decisions
# (domain.gate_slides.add_gate_decisions) share the slide with it.
CHANGES_ROWS = 4
TEXT_CHARS = 260
WHY_CHARS = 140  # two lines in a slide's half column
# A project slide's left column holds six reasons, the latest update and these items.
UPDATE_CHARS = 200
PROJECT_ITEMS = 3
# White text is too faint on the light status colours (amber, yellow, grey): dark text there.
DARK_TEXT_ON = {BAND_COLOURS["Medium"], RAG_COLOURS["A"], RAG_COLOURS["S"]}


@dataclass
class Tile:
    label: str
    value: str
    note: str = ""
    colour: str | None = None


@dataclass
class Line:
    text: str
    badge: str = ""  # a RAG letter or a band name, printed in the colour it names
    colour: str | None = None


@dataclass
class Block:
    kind: str  # "tiles", "lines", "text", "table", "chart"
    heading: str = ""
    column: str = "full"  # "left", "right" or "full"
    tiles: list[Tile] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    text: str = ""
    table: pd.DataFrame | None = None
    chart: str = ""
    data: pd.DataFrame | None = None
    params: dict[str, Any] = field(default_factory=dict)
    more: str = ""  # "and 12 more": what the block leaves out
    empty: str = ""  # said instead of an empty table or chart


@dataclass
class Slide:
    kind: str
    title: str
    subtitle: str = ""
    project_id: int | None = None
    blocks: list[Block] = field(default_factory=list)


@dataclass
class ProjectInputs:
    """What the slides of the presented projects show: each project's own slide and its
    path to green (data_access.meeting and data_access.recovery reads of those projects)."""

    today: dt.date
    settings: dict
    milestones: pd.DataFrame
    risks: pd.DataFrame
    decisions: pd.DataFrame
    actions: pd.DataFrame
    # Their recovery state, the history of their back-to-green date, their open recovery
    # actions and their escalations (open ones and those answered in this review).
    recovery: pd.DataFrame
    green_history: pd.DataFrame
    recovery_actions: pd.DataFrame
    escalations: pd.DataFrame
    _split: dict = field(default_factory=dict, repr=False)

    def of(self, name: str, project_id: int) -> pd.DataFrame:
        """The project's rows of input `name`. Each input is split by project once: filtering
        it again for each of thirty projects cost more than the rest of their slides."""
        if name not in self._split:
            table = getattr(self, name)
            groups = table.groupby("project_id", sort=False) if len(table) else ()
            self._split[name] = (table.iloc[0:0], {int(k): rows for k, rows in groups})
        empty, by_project = self._split[name]
        return by_project.get(int(project_id), empty)


@dataclass
class MeetingInputs:
    """Everything the slides show, already restricted to the filtered projects."""

    today: dt.date
    health: pd.DataFrame  # domain.health.compute_health output
    changes: Changes
    due_milestones: pd.DataFrame
    top_risks: pd.DataFrame
    matrix: pd.DataFrame
    decisions: pd.DataFrame
    actions: pd.DataFrame
    settings: dict
    # The presented projects' inputs; None when their slides are built apart (build_slides).
    projects: ProjectInputs | None
    review: dict | None = None  # id, title, held_on of the review in progress
    horizon_days: int = 28
    # A slide for every project, not only red and amber ones (one project's status report).
    every_project: bool = False
    escalations: pd.DataFrame = field(default_factory=pd.DataFrame)
    # Planned benefits of approved projects with their latest realised value
    # (data_access.intake.reads.benefits); no slide when there are none.
    benefits: pd.DataFrame | None = None


def plain(value: Any) -> str:
    """A text cell as a string; missing values (None, NaN) as an empty string."""
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def clip(text: Any, limit: int = TEXT_CHARS) -> str:
    """Plain text cut at a word boundary to fit a slide, with an ellipsis when cut."""
    text = " ".join(plain(text).split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0] + "…"


_THRESHOLD_WORDS = (" above ", " below ", " from ")


def _split_outside_brackets(text: str, separators: tuple[str, ...]) -> str:
    """`text` up to the first separator that is not inside parentheses (separator's first
    character kept: the full stop of a sentence), or the whole text."""
    depth = 0
    for i, char in enumerate(text):
        depth += (char == "(") - (char == ")")
        if depth == 0 and any(text.startswith(sep, i) for sep in separators):
            return text[: i + 1].rstrip(":;")
    return text


def short_reason(text: Any, limit: int = WHY_CHARS) -> str:
    """A health reason said shorter instead of cut mid-sentence: the whole reason if it fits,
    else its first sentence, else that sentence's first clause with the rule it was judged by
    (the parenthesis naming the thresholds), and only then cut at a word (free text typed in
    an override's reason)."""
    text = " ".join(plain(text).split())
    if len(text) <= limit:
        return text
    sentence = _split_outside_brackets(text, (". ",))
    if len(sentence) <= limit:
        return sentence
    clause = _split_outside_brackets(sentence, (": ", "; "))
    if len(clause) < limit // 3:  # "Override": a label, not a clause that says something
        return clip(sentence, limit)
    rules = [
        part.split(")")[0]
        for part in sentence.split("(")[1:]
        if any(word in part.split(")")[0] for word in _THRESHOLD_WORDS)
    ]
    if rules and f"({rules[0]})" not in clause:
        with_rule = f"{clause.rstrip('.')} ({rules[0]})"
        if len(with_rule) <= limit:
            return with_rule
    return clip(clause, limit)


def keep_together(text: str) -> str:
    """No break inside a short cell (a code, a date, "12 d late"): non-breaking spaces and
    hyphens."""
    return text.replace(" ", "\u00a0").replace("-", "\u2011")


def text_colour_on(colour: str | None) -> str:
    return "#1B1F24" if colour in DARK_TEXT_ON else "#FFFFFF"


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _more(total: int, shown: int, what: str) -> str:
    return f"and {total - shown:,} more {what}" if total > shown else ""


def _table(
    df: pd.DataFrame,
    heading: str,
    column: str,
    *,
    empty: str,
    total: int | None = None,
    what="",
    rows: int = TABLE_ROWS,
) -> Block:
    shown = df.head(rows)
    total = len(df) if total is None else total
    return Block(
        "table",
        heading,
        column,
        table=shown.reset_index(drop=True),
        more=_more(total, len(shown), what),
        empty=empty,
    )


def _project_label(code: pd.Series, name: pd.Series, limit: int = 34) -> pd.Series:
    return code + " " + name.map(lambda n: clip(n, limit))


# --- slides -----------------------------------------------------------------------------


def build_slides(
    inputs: MeetingInputs, per_project: Mapping[int, list[Slide]] | None = None
) -> list[Slide]:
    """The deck. The presented projects' slides are `per_project`'s (by project id) when
    given, else built from `inputs.projects`."""
    red_amber = red_amber_projects(inputs.health)
    slides = [_summary(inputs, red_amber), _changes(inputs)]
    presented = red_amber if not inputs.every_project else presented_projects(inputs.health, True)
    for row in presented.head(MAX_PROJECT_SLIDES).itertuples():
        if per_project is not None:
            slides += per_project[row.id]
        else:
            slides += project_slides(inputs.projects, row)
    if len(inputs.escalations) and (inputs.escalations.status == "open").any():
        slides.append(_escalations(inputs))
    slides += [_milestones(inputs), _risks(inputs)]
    if inputs.benefits is not None and not inputs.benefits.empty:
        slides.append(_benefits(inputs.benefits))
    slides.append(_actions(inputs))
    return slides


def project_slides(inputs: ProjectInputs, p) -> list[Slide]:
    """A presented project's slide and, when it has a plan or an escalation, its path to
    green; `p` is its row of the health table."""
    return [_project(inputs, p), *_path_to_green(inputs, p)]


def presented_projects(health: pd.DataFrame, every_project: bool = False) -> pd.DataFrame:
    """The projects that get a slide of their own, worst first."""
    return sort_worst_first(health) if every_project else red_amber_projects(health)


def _benefits(benefits: pd.DataFrame) -> Slide:
    """Planned vs realised benefits of the approved projects, by strategic driver."""
    summary = benefits_summary(benefits, "driver")
    measured = int(benefits.realised.notna().sum())
    overall = benefits_summary(benefits.assign(all="all"), "all")
    share = f"{overall.achieved.iloc[0]:.0%}" if len(overall) else "-"
    table = pd.DataFrame(
        {
            "Driver": summary.group.map(lambda t: clip(t, 40)).to_numpy(),
            "Planned": summary.benefits.map(str).to_numpy(),
            "Measured": summary.measured.map(str).to_numpy(),
            "Realised / planned": summary.achieved.map(lambda a: f"{a:.0%}").to_numpy(),
        }
    )
    return Slide(
        "benefits",
        "Benefits realised",
        f"{plural(len(benefits), 'planned benefit')} on "
        f"{plural(benefits.project_id.nunique(), 'project')} · {measured:,} measured",
        blocks=[
            Block(
                "tiles",
                tiles=[
                    Tile("Planned benefits", f"{len(benefits):,}"),
                    Tile("Measured", f"{measured:,}"),
                    Tile("Realised / planned", share, "of the improvement planned"),
                ],
            ),
            _table(table, "By strategic driver", "full", empty="No benefit measured yet."),
        ],
    )


def red_amber_projects(health: pd.DataFrame) -> pd.DataFrame:
    active = health[health.status.isin(("active", "on hold"))]
    return sort_worst_first(active[active.overall_rag.isin(("R", "A"))])


def _summary(inputs: MeetingInputs, red_amber: pd.DataFrame) -> Slide:
    health, currency = inputs.health, inputs.settings["currency"]
    active = health[health.status == "active"]
    n = len(active)
    by_rag = active.overall_rag.value_counts()
    tiles = [Tile("Active projects", f"{n:,}")]
    for letter in ("R", "A", "S", "G"):
        count = int(by_rag.get(letter, 0))
        share = f"{count / n:.0%}" if n else ""
        tiles.append(Tile(RAG_LABELS[letter], f"{count:,}", share, RAG_COLOURS[letter]))
    tiles.append(
        Tile(
            f"Budget, {currency}",
            fmt_money(active.approved_budget.sum(), "", compact=True).strip(),
            "EAC " + fmt_money(active.forecast_at_completion.sum(), "", compact=True).strip(),
        )
    )
    chart_data = pd.DataFrame(
        {
            "rag": RAG_ORDER[:4],
            "label": [RAG_LABELS[k] for k in RAG_ORDER[:4]],
            "projects": [int(by_rag.get(k, 0)) for k in RAG_ORDER[:4]],
        }
    )
    number = counts(inputs.changes)
    lines = [change_line(group, number) for group in CHANGE_GROUPS if _any(group, number)]
    left_out = len(red_amber) - MAX_PROJECT_SLIDES
    attention = [
        Line(f"{int(active.overdue_milestones.sum()):,} overdue milestones"),
        Line(f"{int((active.high_risks > 0).sum()):,} projects with High or Critical risks"),
    ]
    if left_out > 0:
        attention.append(
            Line(
                f"{left_out:,} more red or amber projects than the {MAX_PROJECT_SLIDES} "
                "shown: filter the portfolio to present them"
            )
        )
    return Slide(
        "summary",
        f"Portfolio on {fmt_date(inputs.today)}",
        _review_caption(inputs),
        blocks=[
            Block("tiles", column="full", tiles=tiles),
            Block(
                "chart",
                "Active projects by health",
                "left",
                chart="health_bars",
                data=chart_data,
                empty="No active projects.",
            ),
            Block(
                "lines",
                f"Since {inputs.changes.basis}",
                "right",
                lines=lines or [Line("Nothing changed.")],
            ),
            Block("lines", "Needs attention", "right", lines=attention),
        ],
    )


# The change counts (domain.changes.counts) said one line per kind of record, so that a slide
# shows them all in four lines: {line: [(word, count label)]}.
CHANGE_GROUPS = {
    "Health": [("worse", "Health worse"), ("better", "Health better")],
    "Risks": [
        ("new", "New risks"),
        ("closed", "Closed risks"),
        ("up a band", "Risks up a band"),
        ("down a band", "Risks down a band"),
    ],
    "Milestones": [
        ("slipped", "Milestones slipped"),
        ("completed", "Milestones completed"),
        ("added", "Milestones added"),
        ("removed", "Milestones removed"),
    ],
    "Projects": [("new", "New projects"), ("closed", "Closed projects")],
}


def change_line(group: str, number: dict[str, int]) -> Line:
    """ "Risks: 20 new, 60 closed, 61 up a band, 55 down a band"."""
    parts = ", ".join(f"{number[label]:,} {word}" for word, label in CHANGE_GROUPS[group])
    return Line(f"{group}: {parts}")


def _any(group: str, number: dict[str, int]) -> bool:
    return any(number[label] for _, label in CHANGE_GROUPS[group])


def _review_caption(inputs: MeetingInputs) -> str:
    if inputs.review:
        return f"{inputs.review['title']} · {fmt_date(inputs.review['held_on'])}"
    return "No review started"


def _rag_colour_columns(df: pd.DataFrame, columns: dict[str, pd.Series]) -> pd.DataFrame:
    for name, letters in columns.items():
        df[f"_colour_{name}"] = letters.map(RAG_COLOURS).to_numpy()
    return df


def _changes(inputs: MeetingInputs) -> Slide:
    changes = inputs.changes
    health = changes.health
    table = pd.DataFrame(
        {
            "Project": _project_label(health.code, health.name, 30).to_numpy(),
            "From": health.from_rag.to_numpy(),
            "To": health.to_rag.to_numpy(),
            "Why": health.why.map(lambda t: short_reason(t, 110)).to_numpy(),
        }
    )
    table = _rag_colour_columns(table, {"From": health.from_rag, "To": health.to_rag})
    number = counts(changes)
    milestone_lines = [change_line("Milestones", number)]
    slipped = changes.milestones_of("slipped")
    if len(slipped):
        worst = slipped.iloc[0]
        milestone_lines.append(
            Line(
                f"Largest slip: {worst.code} {clip(worst.milestone, 30)}, "
                f"{int(worst.moved_days)} days, now {fmt_date(worst.to_forecast)}"
            )
        )
    return Slide(
        "changes",
        f"What changed since {fmt_date(changes.since)}",
        f"Since {changes.basis}, up to {fmt_date(changes.until)}",
        blocks=[
            _table(
                table,
                f"Health changed: {number['Health worse']} worse, {number['Health better']} better",
                "full",
                empty="No project changed health.",
                what="projects",
                rows=CHANGES_ROWS,
            ),
            Block(
                "lines",
                "Risks and projects",
                "left",
                lines=[change_line("Risks", number), change_line("Projects", number)],
            ),
            Block("lines", "Milestones", "right", lines=milestone_lines),
        ],
    )


def _project(inputs: ProjectInputs, p) -> Slide:
    currency = inputs.settings["currency"]
    override = " (override)" if p.is_override else ""
    health_lines = [
        Line(f"Overall{override}: {short_reason(p.overall_why)}", p.overall_rag),
        *(
            Line(
                f"{dim.capitalize()}: {short_reason(getattr(p, f'{dim}_why'))}",
                getattr(p, f"{dim}_rag"),
            )
            for dim in DIMENSIONS
        ),
    ]
    if p.last_report_date:
        update_heading = f"Latest update, {fmt_date(p.last_report_date)}"
        if plain(p.report_author):
            update_heading += f", {p.report_author}"
        update = clip(p.summary, UPDATE_CHARS) or "No summary given."
    else:
        update_heading, update = "Latest update", "No status update yet."
    slip = f", {int(p.slip_days)} days late" if p.slip_days > 0 else ""
    subtitle = (
        f"{plain(p.manager) or 'No manager'} · {p.program} · {p.phase} · finish "
        f"{fmt_date(p.forecast_finish)}{slip} · budget "
        f"{fmt_money(p.approved_budget, currency, compact=True)}, EAC "
        f"{fmt_money(p.forecast_at_completion, currency, compact=True)}"
    )
    milestones = inputs.of("milestones", p.id)
    open_count = int(milestones.open_count.iloc[0]) if len(milestones) else 0
    risks = inputs.of("risks", p.id)
    risk_table = _band_table(
        pd.DataFrame(
            {
                "Risk": risks.title.map(lambda t: clip(t, 40)).to_numpy(),
                "Score": risks.score.astype(str).to_numpy(),
                "Owner": risks.owner.fillna("no owner").to_numpy(),
                "_full_Risk": risks.title.map(plain).to_numpy(),
            }
        ),
        risks.band,
    )
    return Slide(
        "project",
        f"{p.code} · {clip(p.name, 60)}",
        subtitle,
        project_id=int(p.id),
        blocks=[
            Block("lines", "Health and why", "left", lines=health_lines),
            Block("text", update_heading, "left", text=update),
            Block(
                "chart",
                "Open milestones: baseline and forecast",
                "right",
                chart="milestone_timeline",
                data=milestones.reset_index(drop=True),
                params={"today": inputs.today},
                more=_more(open_count, len(milestones), "open milestones"),
                empty="No open milestones.",
            ),
            _table(risk_table, "Top risks", "right", empty="No open risks."),
            _project_actions(inputs, int(p.id)),
        ],
    )


def visible_columns(table: pd.DataFrame) -> list[str]:
    """A table block's columns as shown (`_colour_<c>`, `_full_<c>` accompany column c)."""
    return [c for c in table.columns if not c.startswith("_")]


def full_text(table: pd.DataFrame, column: str) -> pd.Series:
    """Column `column` as said where there is room to wrap (the deck, an e-mail): its
    `_full_<column>` where the slide shortened it for the screen."""
    return table[f"_full_{column}"] if f"_full_{column}" in table else table[column]


def _band_table(table: pd.DataFrame, bands: pd.Series) -> pd.DataFrame:
    # Over plain lists: a few rows, where pandas' string operations cost milliseconds each.
    bands = bands.tolist()
    table["Score"] = [f"{s}\u00a0{b}" for s, b in zip(table["Score"], bands, strict=True)]
    table["_colour_Score"] = [BAND_COLOURS.get(b) for b in bands]
    return table


def _project_actions(inputs: ProjectInputs, project_id: int) -> Block:
    decisions = inputs.of("decisions", project_id)
    actions = inputs.of("actions", project_id)
    actions = actions[actions.status == "open"]
    lines = [Line(f"Decided: {clip(t, 80)}", "D", "#0072B2") for t in decisions.title]
    lines += [
        Line(
            f"{clip(a.title, 60)} ({plain(a.owner) or 'no owner'}, due {fmt_date(a.due_date)})",
            "!",
            RAG_COLOURS["R"] if _overdue(a.due_date, inputs.today) else "#0072B2",
        )
        for a in actions[["title", "owner", "due_date"]].itertuples()
    ]
    return Block(
        "lines",
        "Decisions and open actions",
        "left",
        lines=lines[:PROJECT_ITEMS],
        more=_more(len(lines), min(len(lines), PROJECT_ITEMS), "items"),
        empty="None recorded yet.",
    )


def _overdue(due, today: dt.date) -> bool:
    return due is not None and not pd.isna(due) and due < today


def _milestones(inputs: MeetingInputs) -> Slide:
    due = inputs.due_milestones
    today = inputs.today
    late_days = (pd.Timestamp(today) - pd.to_datetime(due.forecast_date)).dt.days
    status = late_days.map(
        lambda d: f"{d} d late" if d > 0 else ("due today" if d == 0 else f"in {-d} d")
    ).map(keep_together)
    table = pd.DataFrame(
        {
            "Project": _project_label(due.code, due.project, 22).to_numpy(),
            "Milestone": due.milestone.map(lambda t: clip(t, 26)).to_numpy(),
            "Forecast": due.forecast_date.map(fmt_date).map(keep_together).to_numpy(),
            "When": status.to_numpy(),
        }
    )
    table["_colour_When"] = late_days.map(lambda d: RAG_COLOURS["R"] if d > 0 else None).to_numpy()
    total = int(due.total.iloc[0]) if len(due) else 0
    overdue = int(due.overdue_total.iloc[0]) if len(due) else 0
    slipped = inputs.changes.milestones_of("slipped").head(10)
    slip_data = pd.DataFrame(
        {
            "label": (slipped.code + " " + slipped.milestone.map(lambda t: clip(t, 24))).to_numpy(),
            "days": slipped.moved_days.astype(int).to_numpy(),
            "forecast": slipped.to_forecast.map(fmt_date).to_numpy(),
        }
    )
    horizon = today + dt.timedelta(days=inputs.horizon_days)
    n_slipped = len(inputs.changes.milestones_of("slipped"))
    return Slide(
        "milestones",
        "Milestones due or slipped",
        f"{overdue:,} overdue · {total - overdue:,} due by {fmt_date(horizon)} · "
        f"{n_slipped:,} slipped since {fmt_date(inputs.changes.since)}",
        blocks=[
            _table(
                table,
                "Overdue or due in the next 4 weeks",
                "left",
                empty="No milestone overdue or due in the next 4 weeks.",
                total=total,
                what="milestones",
            ),
            Block(
                "chart",
                f"Slipped since {fmt_date(inputs.changes.since)}, days",
                "right",
                chart="slip_bars",
                data=slip_data,
                more=_more(n_slipped, len(slip_data), "slipped milestones"),
                empty="No milestone slipped.",
            ),
        ],
    )


def _risks(inputs: MeetingInputs) -> Slide:
    top = inputs.top_risks
    settings = inputs.settings
    table = _band_table(
        pd.DataFrame(
            {
                "Project": top.code.map(keep_together).to_numpy(),
                "Risk": top.title.map(lambda t: clip(t, 34)).to_numpy(),
                "Score": top.score.astype(str).to_numpy(),
                "Owner": top.owner.fillna("no owner").map(lambda t: clip(t, 20)).to_numpy(),
            }
        ),
        top.band,
    )
    total = int(top.total.iloc[0]) if len(top) else 0
    return Slide(
        "risks",
        "Top risks",
        f"{total:,} open threats · High from {settings['band_high_from']}, "
        f"Critical from {settings['band_critical_from']} (probability x impact)",
        blocks=[
            Block(
                "chart",
                "Open threats by probability and impact",
                "left",
                chart="risk_matrix",
                data=inputs.matrix,
                params={
                    "bands": {k: settings[f"band_{k}_from"] for k in ("medium", "high", "critical")}
                },
                empty="No open threats.",
            ),
            _table(
                table,
                "Highest scores",
                "right",
                empty="No open threats.",
                total=total,
                what="open threats",
            ),
        ],
    )


def _actions(inputs: MeetingInputs) -> Slide:
    decisions = inputs.decisions
    decision_table = pd.DataFrame(
        {
            "Project": decisions.code.map(keep_together).to_numpy(),
            "Decision": decisions.title.map(lambda t: clip(t, 60)).to_numpy(),
        }
    )
    actions = inputs.actions
    overdue = actions.due_date.map(lambda d: _overdue(d, inputs.today)) & (actions.status == "open")
    state = actions.status.map({"open": "open", "done": "done"}).where(~overdue, "overdue")
    action_table = pd.DataFrame(
        {
            "Project": actions.code.fillna("").map(keep_together).to_numpy(),
            "Action": actions.title.map(lambda t: clip(t, 40)).to_numpy(),
            "Owner": actions.owner.fillna("no owner").map(lambda t: clip(t, 20)).to_numpy(),
            "Due": actions.due_date.map(fmt_date).map(keep_together).to_numpy(),
            "Status": state.to_numpy(),
        }
    )
    action_table["_colour_Status"] = overdue.map({True: RAG_COLOURS["R"], False: None}).to_numpy()
    n_open = int((actions.status == "open").sum())
    review = inputs.review
    decided_in = f"Decided in {review['title']}" if review else "Decisions"
    return Slide(
        "actions",
        "Decisions and actions",
        f"{plural(len(decisions), 'decision')} · {plural(n_open, 'open action')} "
        f"({int(overdue.sum()):,} overdue)",
        blocks=[
            _table(
                decision_table,
                decided_in,
                "left",
                empty="No decision recorded in this review yet."
                if review
                else "Start a review to record decisions.",
                what="decisions",
            ),
            _table(
                action_table,
                "Actions: open ones, and this review's",
                "right",
                empty="No open actions.",
                what="actions",
            ),
        ],
    )


# --- path to green -------------------------------------------------------------------------

ASKED_OF = {
    "sponsor": "sponsor",
    "portfolio_manager": "portfolio manager",
    "steering_group": "steering group",
}


def _asked(e) -> str:
    who = ASKED_OF[e.asked_of]
    return f"{who} ({e.asked_person})" if plain(e.asked_person) else who


def _escalation_lines(escalations: pd.DataFrame) -> list[Line]:
    lines = []
    for e in escalations.itertuples():
        if e.status == "open":
            late = " — overdue" if e.overdue else ""
            lines.append(
                Line(
                    f"Asks the {_asked(e)}: {clip(e.ask, 90)} by {fmt_date(e.needed_by)}{late}. "
                    f"Why: {clip(e.reason, 90)}",
                    "!",
                    RAG_COLOURS["R"] if e.overdue else RAG_COLOURS["A"],
                )
            )
        else:
            lines.append(Line(f"Answered: {clip(e.decision, 100)}", "D", "#0072B2"))
    return lines


def _path_to_green(inputs: ProjectInputs, p) -> list[Slide]:
    """The project's path to green beside its slide: the plan, its trend, the recovery
    actions and what the project asks of whom. None when it has no plan and no escalation."""
    status = inputs.of("recovery", p.id)
    status = status.iloc[0] if len(status) else None
    escalations = inputs.of("escalations", p.id)
    has_plan = status is not None and isinstance(status.expected_green_date, dt.date)
    if not has_plan and escalations.empty:
        return []
    if has_plan:
        since = status.off_green_since
        off = (
            f"off Green for {(inputs.today - since).days} days · "
            if isinstance(since, dt.date)
            else ""
        )
        subtitle = (
            f"{off}back to Green by {fmt_date(status.expected_green_date)} "
            f"({f'slipped {status.slips}×' if status.slips else 'date held'}, confidence "
            f"{status.confidence}) · cause: {status.cause}"
        )
    else:
        subtitle = "No recovery plan in the latest update"
    history = inputs.of("green_history", p.id).reset_index(drop=True)
    recovery_actions = inputs.of("recovery_actions", p.id)
    action_lines = [
        Line(
            f"{clip(a.title, 80)} ({plain(a.owner) or 'no owner'}, due {fmt_date(a.due_date)})",
            "!",
            RAG_COLOURS["R"] if _overdue(a.due_date, inputs.today) else "#0072B2",
        )
        for a in recovery_actions.itertuples()
    ]
    escalation_lines = _escalation_lines(escalations)
    return [
        Slide(
            "path",
            f"{p.code} · path to green",
            subtitle,
            project_id=int(p.id),
            blocks=[
                Block(
                    "lines",
                    "Escalations",
                    "left",
                    lines=escalation_lines[: TABLE_ROWS // 2],
                    more=_more(len(escalation_lines), TABLE_ROWS // 2, "escalations"),
                    empty="Nothing escalated.",
                ),
                Block(
                    "lines",
                    "Recovery actions",
                    "left",
                    lines=action_lines[: TABLE_ROWS // 2],
                    more=_more(len(action_lines), TABLE_ROWS // 2, "actions"),
                    empty="No open recovery actions.",
                ),
                Block(
                    "chart",
                    "Back-to-Green date at each update",
                    "right",
                    chart="green_trend",
                    data=history,
                    params={"today": inputs.today},
                    empty="No recovery plan reported yet.",
                ),
            ],
        )
    ]


def _escalations(inputs: MeetingInputs) -> Slide:
    """Every open escalation of the presented projects, the overdue first: what the review
    has to answer."""
    esc = inputs.escalations
    open_ = esc[esc.status == "open"].sort_values(["overdue", "needed_by"], ascending=[False, True])
    table = pd.DataFrame(
        {
            "Project": open_.code.map(keep_together).to_numpy(),
            "Asks": open_.ask.map(lambda t: clip(t, 60)).to_numpy(),
            "Of": [clip(_asked(e), 30) for e in open_.itertuples()],
            "By": open_.needed_by.map(fmt_date).map(keep_together).to_numpy(),
        }
    )
    table["_colour_By"] = open_.overdue.map({True: RAG_COLOURS["R"], False: None}).to_numpy()
    return Slide(
        "escalations",
        "Escalations to answer",
        f"{plural(len(open_), 'open escalation')} ({int(open_.overdue.sum()):,} overdue)",
        blocks=[
            _table(
                table, "Asked of the review", "full", empty="Nothing escalated.", what="escalations"
            )
        ],
    )
