"""The review's slides: the reads behind them (both backends) and the slide list on the demo."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from components.meeting.slides import md
from data_access.core.db import get_engine, session_scope
from data_access.core.settings import DEFAULT_SETTINGS
from data_access.core.writes import SYSTEM
from data_access.meeting import reads as meeting
from data_access.meeting import reviews
from data_access.portfolio.reads import project_facts
from data_access.updates import commands
from deck.sources import load_meeting
from domain.filters import PortfolioFilter
from domain.formatting import RAG_LABELS, fmt_date
from domain.health import RANK, compute_health
from domain.slides import CHANGES_ROWS, clip
from tests.conftest import DEMO_TODAY
from tests.factories import make_milestone, make_org, make_project, make_risk

D = dt.date
TODAY = D(2026, 11, 25)
BANDS = {"medium_from": 5, "high_from": 10, "critical_from": 15}


def test_slide_reads_limit_in_sql_and_count_the_rest(db_url):
    org = make_org(db_url)
    first = make_project(db_url, org, "FIRST")
    second = make_project(db_url, org, "SECOND")
    for i in range(8):
        make_milestone(db_url, first, TODAY + dt.timedelta(days=7 * i - 14), name=f"M{i}")
    make_milestone(db_url, first, D(2026, 11, 1), name="Done", actual_date=D(2026, 11, 2))
    make_milestone(db_url, first, D(2026, 11, 1), name="Removed", removed_on=D(2026, 11, 2))
    make_milestone(db_url, second, TODAY + dt.timedelta(days=3), name="Soon")
    for p, i in ((5, 5), (4, 4), (3, 4), (2, 2)):
        make_risk(db_url, first, p, i, title=f"F{p * i}")
    make_risk(db_url, second, 4, 5, title="S20")
    make_risk(db_url, second, 5, 5, title="Closed", status="closed")
    make_risk(db_url, second, 5, 5, title="Chance", kind="opportunity", response="exploit")

    next_ones = meeting.project_milestones([first, second], per_project=3, url=db_url)
    assert next_ones.groupby("project_id").milestone.apply(list).to_dict() == {
        first: ["M0", "M1", "M2"],
        second: ["Soon"],
    }
    assert next_ones.groupby("project_id").open_count.first().to_dict() == {first: 8, second: 1}

    due = meeting.milestones_due(TODAY, horizon_days=14, limit=3, url=db_url)
    # Overdue M0 (-14), M1 (-7); due M2 (today), Soon (+3), M3 (+7), M4 (+14): 6 in all.
    assert due.milestone.tolist() == ["M0", "M1", "M2"]
    assert (due.total.iloc[0], due.overdue_total.iloc[0]) == (6, 2)
    scoped = meeting.milestones_due(TODAY, horizon_days=14, project_ids=[second], url=db_url)
    assert scoped.milestone.tolist() == ["Soon"]

    top = meeting.top_risks(BANDS, limit=3, url=db_url)
    assert top[["title", "score", "band"]].to_dict("records") == [
        {"title": "F25", "score": 25, "band": "Critical"},
        {"title": "S20", "score": 20, "band": "Critical"},
        {"title": "F16", "score": 16, "band": "Critical"},
    ]
    assert top.total.iloc[0] == 5  # open threats only
    per_project = meeting.top_risks(BANDS, [first, second], limit=10, per_project=2, url=db_url)
    assert per_project.title.tolist() == ["F25", "S20", "F16"]

    matrix = meeting.risk_matrix([first], url=db_url)
    cells = {(r.probability, r.impact): r.risks for r in matrix.itertuples()}
    assert cells == {(5, 5): 1, (4, 4): 1, (3, 4): 1, (2, 2): 1}
    assert meeting.risk_matrix([], url=db_url).empty


def test_the_deck_walks_red_then_amber_projects(demo_db_url):
    shown = load_meeting(DEMO_TODAY, url=demo_db_url)
    kinds = [s.kind for s in shown.slides]
    n_projects = kinds.count("project")
    n_gates = kinds.count("gate")
    # Each project's path to green (when it has a plan or an escalation) follows its slide;
    # the escalations to answer, then the gates awaiting a decision, come after the projects.
    tail = ["escalations", "gates", *["gate"] * n_gates, "milestones", "risks"]
    tail += ["benefits", "actions"]
    walk = [k for k in kinds[2 : -len(tail)] if k != "path"]
    assert kinds[:2] == ["summary", "changes"] and walk == ["project"] * n_projects
    assert kinds[-len(tail) :] == tail
    paths = [i for i, s in enumerate(shown.slides) if s.kind == "path"]
    assert paths and all(
        shown.slides[i - 1].kind == "project"
        and shown.slides[i - 1].project_id == shown.slides[i].project_id
        for i in paths
    )
    assert n_projects > 0

    facts = project_facts(DEMO_TODAY, url=demo_db_url)
    health = compute_health(facts, DEFAULT_SETTINGS, DEMO_TODAY)
    active = health[health.status.isin(("active", "on hold"))]
    red_amber = active[active.overall_rag.isin(("R", "A"))]
    presented = [s.project_id for s in shown.slides if s.kind == "project"]
    assert sorted(presented) == sorted(red_amber.id.tolist())
    ranks = [RANK[health.set_index("id").overall_rag[p]] for p in presented]
    assert ranks == sorted(ranks)  # every red before every amber

    summary = shown.slides[0]
    tiles = {t.label: t.value for t in summary.blocks[0].tiles}
    running = health[health.status == "active"]
    assert tiles["Active projects"] == str(len(running))
    for letter in ("R", "A", "S", "G"):
        assert tiles[RAG_LABELS[letter]] == str(int((running.overall_rag == letter).sum()))
    bars = next(b for b in summary.blocks if b.kind == "chart")
    assert bars.chart == "health_bars"
    assert dict(zip(bars.data.rag, bars.data.projects, strict=True)) == {
        k: int((running.overall_rag == k).sum()) for k in ("R", "A", "S", "G")
    }

    changes = shown.slides[1]
    table = changes.blocks[0].table
    assert len(table) == min(CHANGES_ROWS, len(shown.changes.health))
    assert table["From"].tolist() == shown.changes.health.from_rag.head(CHANGES_ROWS).tolist()


def test_project_slide_carries_health_update_milestones_and_risks(demo_db_url):
    shown = load_meeting(DEMO_TODAY, url=demo_db_url)
    slide = next(s for s in shown.slides if s.kind == "project")
    blocks = {b.heading.split(",")[0]: b for b in slide.blocks}
    health = blocks["Health and why"]
    assert [line.text.split(":")[0] for line in health.lines][1:] == [
        "Schedule",
        "Cost",
        "Scope",
        "Risk",
    ]
    assert all(line.badge in ("R", "A", "G") for line in health.lines)
    milestones = blocks["Open milestones: baseline and forecast"]
    assert milestones.chart == "milestone_timeline"
    open_ms = meeting.project_milestones([slide.project_id], url=demo_db_url)
    assert milestones.data.milestone.tolist() == open_ms.milestone.tolist()
    risks = blocks["Top risks"].table
    expected = meeting.top_risks(BANDS, [slide.project_id], limit=3, url=demo_db_url)
    assert risks.Risk.tolist() == [clip(t, 40) for t in expected.title]
    assert risks.Score.tolist() == [
        f"{s}\u00a0{b}" for s, b in zip(expected.score, expected.band, strict=True)
    ]


def test_actions_show_on_the_slides_until_closed(demo_db_url):
    first = load_meeting(DEMO_TODAY, url=demo_db_url)
    project_slide = next(s for s in first.slides if s.kind == "project")
    with session_scope(demo_db_url) as session:
        rid = reviews.create_review(
            {"title": "Test review", "held_on": DEMO_TODAY}, session=session, actor=SYSTEM
        )
    with session_scope(demo_db_url) as session:
        reviews.record_decision(
            {"project_id": project_slide.project_id, "title": "Fund the recovery plan"},
            review_id=rid,
            session=session,
            actor=SYSTEM,
        )
    with session_scope(demo_db_url) as session:
        aid = reviews.create_action(
            {
                "project_id": project_slide.project_id,
                "title": "Confirm new go-live",
                "owner_id": 2,
                "due_date": DEMO_TODAY + dt.timedelta(days=7),
            },
            review_id=rid,
            session=session,
            actor=SYSTEM,
        )
    during = load_meeting(DEMO_TODAY, review_id=rid, url=demo_db_url)
    assert during.slides[0].subtitle.startswith("Test review")
    slide = next(s for s in during.slides if s.project_id == project_slide.project_id)
    recorded = next(b for b in slide.blocks if b.heading == "Decisions and open actions")
    assert [line.text for line in recorded.lines] == [
        "Decided: Fund the recovery plan",
        f"Confirm new go-live (Pat Portfolio, due {fmt_date(DEMO_TODAY + dt.timedelta(days=7))})",
    ]
    actions_slide = during.slides[-1]
    decided, actions = (b.table for b in actions_slide.blocks)
    assert decided.Decision.tolist() == ["Fund the recovery plan"]
    assert "Confirm new go-live" in actions.Action.tolist()

    # At the next review the open action is still there; once closed it is gone.
    with session_scope(demo_db_url) as session:
        later = reviews.create_review(
            {"title": "Next review", "held_on": DEMO_TODAY + dt.timedelta(days=28)},
            session=session,
            actor=SYSTEM,
        )
    next_time = load_meeting(DEMO_TODAY, review_id=later, url=demo_db_url)
    assert "Confirm new go-live" in next_time.slides[-1].blocks[1].table.Action.tolist()
    assert next_time.slides[-1].blocks[0].table.empty  # decisions belong to their review
    with session_scope(demo_db_url) as session:
        reviews.close_action(
            aid, closed_on=DEMO_TODAY, expected_version=1, session=session, actor=SYSTEM
        )
    closed = load_meeting(DEMO_TODAY, review_id=later, url=demo_db_url)
    assert "Confirm new go-live" not in closed.slides[-1].blocks[1].table.Action.tolist()


def test_the_filter_narrows_every_slide(demo_db_url):
    whole = load_meeting(DEMO_TODAY, url=demo_db_url)
    programs = {s.subtitle.split(" · ")[1] for s in whole.slides if s.kind == "project"}
    program = sorted(programs)[0]
    narrowed = load_meeting(
        DEMO_TODAY, portfolio_filter=PortfolioFilter(program=(program,)), url=demo_db_url
    )
    project_slides = [s for s in narrowed.slides if s.kind == "project"]
    assert project_slides and all(s.subtitle.split(" · ")[1] == program for s in project_slides)
    assert len(project_slides) < len([s for s in whole.slides if s.kind == "project"])
    risks = next(s for s in narrowed.slides if s.kind == "risks").blocks[1].table
    whole_risks = next(s for s in whole.slides if s.kind == "risks").blocks[1].table
    assert len(risks) <= len(whole_risks)


def test_empty_portfolio_says_so_in_words(db_url):
    shown = load_meeting(TODAY, url=db_url)
    assert [s.kind for s in shown.slides] == [
        "summary",
        "changes",
        "milestones",
        "risks",
        "actions",
    ]
    empties = [b.empty for s in shown.slides for b in s.blocks if b.kind in ("table", "chart")]
    assert "No project changed health." in empties
    assert "No open threats." in empties


def test_user_text_is_escaped_for_markdown():
    text = "<img src=x onerror=alert(1)> **bold** [link](http://x) :red[red] $x$"
    escaped = md(text)
    assert "<" not in escaped.replace("\\<", "")
    assert "**" not in escaped.replace("\\*", "")
    assert escaped.replace("\\", "") == text


def test_an_update_without_author_or_manager_reads_cleanly(demo_db_url):
    first = next(s for s in load_meeting(DEMO_TODAY, url=demo_db_url).slides if s.kind == "project")
    with session_scope(demo_db_url) as session:
        commands.submit_status_report(
            {
                "project_id": first.project_id,
                "report_date": DEMO_TODAY,
                "override_rag": "R",
                "override_reason": "Still red",
                "summary": "Written by a script",
            },
            session=session,
            actor=SYSTEM,  # no person: no author
        )
    with get_engine(demo_db_url).begin() as conn:
        conn.execute(
            sa.text("UPDATE project SET manager_id = NULL WHERE id = :id"), {"id": first.project_id}
        )
    slide = next(
        s
        for s in load_meeting(DEMO_TODAY, url=demo_db_url).slides
        if s.project_id == first.project_id
    )
    update = next(b for b in slide.blocks if b.kind == "text")
    assert (update.heading, update.text) == (
        f"Latest update, {fmt_date(DEMO_TODAY)}",
        "Written by a script",
    )
    assert slide.subtitle.startswith("No manager · ")
    assert "nan" not in slide.subtitle + update.heading
