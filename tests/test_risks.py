"""Risk reads and band rules on hand-made risks, on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import sqlalchemy as sa

from charts.risks import exposure_bands_chart, exposure_score_chart, risk_matrix
from data_access.core.db import get_engine, session_scope
from data_access.core.models import RaidItem, Review, Risk, RiskAssessment, Setting
from data_access.core.settings import DEFAULT_SETTINGS, get_settings
from data_access.core.writes import SYSTEM
from data_access.portfolio.reads import project_facts
from data_access.risks import reads as risks
from data_access.updates import commands
from domain import risk_bands
from domain.health import compute_health
from tests.factories import (
    _insert,
    make_milestone,
    make_org,
    make_project,
    make_report,
    make_risk,
)
from tests.risk_samples import CELL_4_5, CRITICAL, make_risk_portfolio

D = dt.date
TODAY = D(2026, 3, 4)  # a Wednesday; its ISO week 2026-W10 ends on Sunday 8 March


# --- bands (pure) -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "band"),
    [(1, "Low"), (4, "Low"), (5, "Medium"), (9, "Medium"), (10, "High"), (14, "High")]
    + [(15, "Critical"), (25, "Critical")],
)
def test_band_edges_with_default_settings(score, band):
    assert risk_bands.band_of(score, DEFAULT_SETTINGS) == band


def test_bands_follow_changed_thresholds():
    settings = {**DEFAULT_SETTINGS, "band_medium_from": 3, "band_high_from": 8}
    settings["band_critical_from"] = 20
    assert list(risk_bands.bands_of([2, 3, 7, 8, 19, 20], settings)) == [
        "Low",
        "Medium",
        "Medium",
        "High",
        "High",
        "Critical",
    ]
    assert risk_bands.band_ranges(settings) == {
        "Low": (1, 2),
        "Medium": (3, 7),
        "High": (8, 19),
        "Critical": (20, 25),
    }
    assert risk_bands.band_label("High", settings) == "High 8–19"


def test_matrix_cells_fill_all_25_cells_with_bands():
    counts = pd.DataFrame({"probability": [4, 1], "impact": [5, 1], "risks": [3, 2]})
    cells = risk_bands.matrix_cells(counts, DEFAULT_SETTINGS).set_index(["probability", "impact"])
    assert len(cells) == 25
    assert cells.loc[(4, 5)].to_dict() == {"risks": 3, "score": 20, "band": "Critical"}
    assert cells.loc[(1, 1)].to_dict() == {"risks": 2, "score": 1, "band": "Low"}
    assert cells.loc[(3, 3)].to_dict() == {"risks": 0, "score": 9, "band": "Medium"}
    # Score 10 (2 x 5 and 5 x 2) is the first High, 15 (3 x 5) the first Critical.
    assert cells.loc[(2, 5), "band"] == cells.loc[(5, 2), "band"] == "High"
    assert cells.loc[(3, 5), "band"] == "Critical"
    assert cells.loc[(1, 4), "band"] == "Low" and cells.loc[(1, 5), "band"] == "Medium"


def test_matrix_chart_receives_the_cells_with_their_band_colours():
    counts = pd.DataFrame({"probability": [4], "impact": [5], "risks": [3]})
    cells = risk_bands.matrix_cells(counts, DEFAULT_SETTINGS)
    labels = {b: risk_bands.band_label(b, DEFAULT_SETTINGS) for b in risk_bands.BANDS}
    spec = risk_matrix(cells, title="t", band_labels=labels).to_dict()
    values = spec["datasets"][next(iter(spec["datasets"]))]
    by_cell = {(v["probability"], v["impact"]): v for v in values}
    assert len(by_cell) == 25
    assert by_cell[(4, 5)]["count_text"] == "3" and by_cell[(4, 5)]["score_text"] == "20"
    assert by_cell[(1, 1)]["count_text"] == ""  # empty cells print only their score
    colour = spec["layer"][0]["encoding"]["color"]["scale"]
    assert colour["domain"] == ["Low 1–4", "Medium 5–9", "High 10–14", "Critical 15–25"]
    assert colour["range"] == ["#009E73", "#F0E442", "#E69F00", "#D55E00"]
    assert spec["params"][0]["select"]["fields"] == ["probability", "impact"]


# --- hand-made portfolio ------------------------------------------------------------------


@pytest.fixture
def portfolio(db_url):
    return make_risk_portfolio(db_url)


def _cells(df: pd.DataFrame, kind: str = "threat") -> dict[tuple[int, int], int]:
    rows = df[df.kind == kind]
    return {
        (int(p), int(i)): int(n)
        for p, i, n in zip(rows.probability, rows.impact, rows.risks, strict=True)
    }


def test_matrix_counts_per_cell_leave_closed_risks_out(portfolio):
    counts = risks.matrix_counts(url=portfolio["url"])
    assert _cells(counts) == {
        (4, 5): 3,  # a45, b45, other45; closed45 left out
        (1, 4): 1,
        (1, 5): 1,
        (3, 3): 1,
        (2, 5): 1,
        (3, 5): 1,
    }
    assert _cells(counts, "opportunity") == {(3, 4): 1}


def test_matrix_counts_for_one_project(portfolio):
    counts = risks.matrix_counts([portfolio["p2"]], url=portfolio["url"])
    assert _cells(counts) == {(4, 5): 1}
    assert _cells(risks.matrix_counts([], url=portfolio["url"])) == {}


def test_residual_view_uses_residual_scores_or_falls_back_to_inherent(portfolio):
    counts = risks.matrix_counts(view="residual", url=portfolio["url"])
    assert _cells(counts) == {
        (2, 3): 1,  # a45
        (2, 2): 1,  # b45
        (4, 5): 1,  # other45 has no residual: its inherent scores stand
        (1, 4): 1,
        (1, 5): 1,
        (3, 3): 2,  # med33 and crit35 (residual 3 x 3)
        (2, 5): 1,
    }


def test_listing_a_cell_or_band_gives_exactly_the_risks_counted_there(portfolio):
    url = portfolio["url"]
    cell = risks.risk_register(cell=(4, 5), kind="threat", url=url)
    assert set(cell.title) == CELL_4_5
    residual = risks.risk_register(view="residual", cell=(3, 3), kind="threat", url=url)
    assert set(residual.title) == {"med33", "crit35"}
    ranges = risk_bands.band_ranges(DEFAULT_SETTINGS)
    high = risks.risk_register(score_ranges=[ranges["High"]], kind="threat", url=url)
    assert set(high.title) == {"high25"}
    critical = risks.risk_register(score_ranges=[ranges["Critical"]], kind="threat", url=url)
    assert list(critical.score) == [20, 20, 20, 15]  # highest first
    assert set(critical.title) == CRITICAL
    assert risks.risk_register(
        score_ranges=[ranges["Low"]], kind="threat", url=url
    ).title.tolist() == ["low14"]


def test_register_columns_scores_and_statuses(portfolio):
    url = portfolio["url"]
    everything = risks.risk_register(status=None, url=url)
    assert len(everything) == 10
    row = everything.set_index("title").loc["a45"]
    assert (row.project_code, row.owner, row.inherent_score, row.residual_score) == (
        "P-1",
        "Pm",
        20,
        6,
    )
    assert row.last_assessed_on == D(2026, 1, 1)
    assert pd.isna(everything.set_index("title").loc["b45"].owner)
    closed = risks.risk_register(status="closed", url=url)
    assert closed.title.tolist() == ["closed45"]
    assert risks.risk_register([portfolio["p2"]], url=url).title.tolist() == ["other45"]


def test_register_filters_run_in_the_database(portfolio):
    url = portfolio["url"]

    def titles(**filters):
        return set(risks.risk_register(url=url, **filters).title)

    ranges = risk_bands.band_ranges(DEFAULT_SETTINGS)
    assert titles(score_ranges=[ranges["Low"], ranges["High"]]) == {"low14", "high25", "opp34"}
    assert titles(text="MED") == {"med15", "med33"}
    assert titles(text="p-2") == {"other45"}  # the project code
    assert titles(text="pm", kind="opportunity") == {"opp34"}  # the owner
    assert titles(text="%") == set()  # taken literally, not as a wildcard
    assert titles(overdue_on=D(2026, 3, 4)) == {"b45"}
    assert titles(overdue_on=D(2026, 3, 5)) == {"b45", "med15"}
    assert titles(unowned=True) == {"b45"}
    _set_categories(url, {"a45": "Technical", "crit35": "Supplier"})
    assert titles(categories=["Technical", "Supplier"]) == {"a45", "crit35"}
    assert risks.risk_categories(url=url) == ["Supplier", "Technical"]
    assert risks.risk_categories([portfolio["p2"]], url=url) == []
    top = risks.risk_register(limit=2, url=url)
    assert top.title.tolist() == ["b45", "a45"]  # score 20; a due date first
    assert top.matching.tolist() == [9, 9]  # every open risk matches


def _set_categories(url: str, categories: dict[str, str]) -> None:
    with get_engine(url).begin() as conn:
        for title, category in categories.items():
            conn.execute(
                sa.text("UPDATE risk SET category = :c WHERE title = :t"),
                {"c": category, "t": title},
            )


def test_summary_counts_overdue_responses_and_missing_owners(portfolio):
    summary = risks.risk_summary(TODAY, url=portfolio["url"])
    # b45's response was due 1 March; med15's is due today, so not overdue yet.
    assert summary == {
        "open_threats": 8,
        "open_opportunities": 1,
        "response_overdue": 1,
        "no_owner": 1,
    }


def test_risk_dimension_of_health_follows_the_band_settings(db_url):
    org = make_org(db_url)
    pid = make_project(db_url, org)
    make_report(db_url, pid, TODAY)
    make_risk(db_url, pid, 3, 4)  # score 12: High by default
    settings = get_settings(db_url)
    facts = project_facts(TODAY, high_from=settings["band_high_from"], url=db_url)
    assert compute_health(facts, settings, TODAY).risk_rag.tolist() == ["A"]
    _change_setting(db_url, "band_critical_from", 12)
    settings = get_settings(db_url)
    facts = project_facts(TODAY, high_from=settings["band_high_from"], url=db_url)
    assert compute_health(facts, settings, TODAY).risk_rag.tolist() == ["R"]
    assert risk_bands.band_of(12, settings) == "Critical"


def _change_setting(url: str, key: str, value) -> None:
    """What the admin page (issue 8) stores; the seeded row is updated in place."""
    table = Setting.__table__
    with get_engine(url).begin() as conn:
        conn.execute(sa.update(table).where(table.c.key == key).values(value=value))


# --- exposure over time -------------------------------------------------------------------


def _risk_data(org, project, title, p, i, **extra):
    return {
        "project_id": project,
        "title": title,
        "probability": p,
        "impact": i,
        "owner_id": org["pm"],
        **extra,
    }


def _reassess(url, risk_id, on, **changes):
    with session_scope(url) as session:
        version = session.get(Risk, risk_id).version
        commands.update_risk(
            risk_id,
            changes,
            assessed_on=on,
            expected_version=version,
            session=session,
            actor=SYSTEM,
        )


@pytest.fixture
def history(db_url):
    """Assessment histories written through the real write functions (one exception)."""
    org = make_org(db_url)
    p1 = make_project(db_url, org, "P-1")
    p2 = make_project(db_url, org, "P-2")
    with session_scope(db_url) as session:
        a = commands.create_risk(
            _risk_data(org, p1, "A", 2, 2), raised_on=D(2026, 1, 10), session=session, actor=SYSTEM
        )
    _reassess(db_url, a, D(2026, 2, 12), probability=4, impact=5)  # Thursday of W07
    _reassess(db_url, a, D(2026, 2, 14), probability=3)  # Saturday, same week: 3 x 5 wins
    _reassess(db_url, a, D(2026, 3, 3), status="closed")
    with session_scope(db_url) as session:
        b = commands.create_risk(
            _risk_data(org, p1, "B", 3, 3, residual_probability=1, residual_impact=3),
            raised_on=D(2026, 2, 16),
            session=session,
            actor=SYSTEM,
        )
    _reassess(db_url, b, D(2026, 2, 22), probability=2, impact=5)  # on the week end itself
    with session_scope(db_url) as session:
        commands.create_risk(
            _risk_data(org, p1, "Opp", 5, 5, kind="opportunity", response="exploit"),
            raised_on=D(2026, 1, 5),
            session=session,
            actor=SYSTEM,
        )
        commands.create_risk(
            _risk_data(org, p2, "Other", 1, 2),
            raised_on=D(2026, 2, 25),
            session=session,
            actor=SYSTEM,
        )
    # A risk closed on the record without a closing assessment still stops counting.
    d = make_risk(db_url, p1, 5, 5, title="D", status="closed", closed_on=D(2026, 2, 20))
    with get_engine(db_url).begin() as conn:
        conn.execute(
            sa.insert(RiskAssessment.__table__).values(
                risk_id=d,
                project_id=p1,
                assessed_on=D(2026, 2, 1),
                probability=5,
                impact=5,
                status="open",
                note="",
                created_at=dt.datetime(2026, 2, 1, tzinfo=dt.UTC),
            )
        )
    return {"url": db_url, "p1": p1, "p2": p2}


WEEKS = [D(2026, 2, 8), D(2026, 2, 15), D(2026, 2, 22), D(2026, 3, 1), D(2026, 3, 8)]


def test_week_ends_are_the_sundays_of_the_last_iso_weeks():
    assert risks.week_ends(TODAY, 5) == WEEKS
    assert risks.week_ends(D(2026, 3, 8), 1) == [D(2026, 3, 8)]  # a Sunday ends its own week


def _series(df):
    return {(r.week_end, r.score): r.risks for r in df.itertuples()}


def test_exposure_series_for_a_known_history(history):
    by_score = risks.exposure_by_score(WEEKS, [history["p1"]], url=history["url"])
    assert _series(by_score) == {
        (D(2026, 2, 8), 4): 1,  # A as raised (2 x 2); history before the window carried in
        (D(2026, 2, 8), 25): 1,  # D
        (D(2026, 2, 15), 15): 1,  # A: latest of the week's two re-assessments
        (D(2026, 2, 15), 25): 1,
        (D(2026, 2, 22), 15): 1,  # D closed on 20 Feb
        (D(2026, 2, 22), 10): 1,  # B re-assessed on the Sunday itself
        (D(2026, 3, 1), 15): 1,
        (D(2026, 3, 1), 10): 1,
        (D(2026, 3, 8), 10): 1,  # A closed on 3 March; the opportunity never counts
    }
    bands, totals = risk_bands.exposure_by_band(by_score, WEEKS, DEFAULT_SETTINGS)
    assert totals.to_dict("list") == {
        "week_end": WEEKS,
        "open_risks": [2, 2, 2, 2, 1],
        "total_score": [29, 40, 25, 25, 10],
    }
    pivot = bands.pivot(index="week_end", columns="band", values="risks")
    assert pivot.loc[:, ["Low", "Medium", "High", "Critical"]].values.tolist() == [
        [1, 0, 0, 1],
        [0, 0, 0, 2],
        [0, 0, 1, 1],
        [0, 0, 1, 1],
        [0, 0, 1, 0],
    ]
    # The chart builders receive the same series, one bar segment per week and band.
    spec = exposure_bands_chart(bands, title="t").to_dict()
    bars = spec["datasets"][next(iter(spec["datasets"]))]
    assert len(bars) == 5 * 4
    assert {(b["week"], b["band"]): b["risks"] for b in bars}[("2026-W08", "High")] == 1
    line = exposure_score_chart(totals, title="t").to_dict()
    points = line["datasets"][next(iter(line["datasets"]))]
    assert [p["total_score"] for p in points] == [29, 40, 25, 25, 10]
    assert [p["week"] for p in points] == [f"2026-W{n:02d}" for n in (6, 7, 8, 9, 10)]


def test_exposure_residual_view_and_whole_portfolio(history):
    url = history["url"]
    residual = risks.exposure_by_score(WEEKS[-2:], [history["p1"]], view="residual", url=url)
    # B keeps its residual 1 x 3 from creation; A's residual defaults to its inherent values.
    assert _series(residual) == {
        (D(2026, 3, 1), 3): 1,
        (D(2026, 3, 1), 15): 1,
        (D(2026, 3, 8), 3): 1,
    }
    everything = risks.exposure_by_score(WEEKS[-2:], url=url)
    assert _series(everything)[(D(2026, 3, 1), 2)] == 1  # Other, raised 25 Feb in P-2


def test_exposure_totals_match_the_matrix_today(db_url):
    """At the last week end, the series counts exactly the open threats the matrix shows."""
    org = make_org(db_url)
    pid = make_project(db_url, org)
    with session_scope(db_url) as session:
        for n, (p, i) in enumerate([(1, 1), (3, 4), (5, 5), (2, 2)]):
            commands.create_risk(
                _risk_data(org, pid, f"R{n}", p, i),
                raised_on=D(2026, 1, 2 + n),
                session=session,
                actor=SYSTEM,
            )
    by_score = risks.exposure_by_score(risks.week_ends(TODAY, 3), url=db_url)
    last = by_score[by_score.week_end == by_score.week_end.max()]
    counts = risks.matrix_counts(url=db_url)
    assert dict(zip(last.score, last.risks, strict=True)) == {
        int(p * i): int(n)
        for p, i, n in zip(counts.probability, counts.impact, counts.risks, strict=True)
    }


def test_one_risks_score_history(history):
    url = history["url"]
    a = risks.risk_register(status=None, kind="threat", url=url).set_index("title").loc["A", "id"]
    hist = risks.risk_history(int(a), url=url)
    assert hist.assessed_on.tolist() == [
        D(2026, 1, 10),
        D(2026, 2, 12),
        D(2026, 2, 14),
        D(2026, 3, 3),
    ]
    assert hist.inherent_score.tolist() == [4, 20, 15, 15]
    assert hist.status.tolist() == ["open", "open", "open", "closed"]
    detail = risks.risk_detail(int(a), url=url)
    assert (detail["title"], detail["status"], detail["closed_on"]) == (
        "A",
        "closed",
        D(2026, 3, 3),
    )
    assert risks.risk_detail(999_999, url=url) is None


# --- RAID log -------------------------------------------------------------------------------


def _raid(url, project, kind, title, **extra):
    values = {
        "project_id": project,
        "kind": kind,
        "title": title,
        "description": "",
        "status": "open",
        "raised_on": D(2026, 1, 5),
        "version": 1,
        **extra,
    }
    return _insert(url, RaidItem, **values)


@pytest.fixture
def dependencies(db_url):
    org = make_org(db_url)
    consumer = make_project(db_url, org, "C-1")
    late_ms_provider = make_project(db_url, org, "PROV-MS")
    open_ms_provider = make_project(db_url, org, "PROV-OPEN")
    finish_provider = make_project(db_url, org, "PROV-FIN", forecast_finish=D(2026, 9, 30))
    done_provider = make_project(
        db_url, org, "PROV-DONE", status="completed", actual_finish=D(2026, 7, 1)
    )
    slipped = make_milestone(db_url, late_ms_provider, D(2026, 5, 20), forecast_date=D(2026, 6, 10))
    on_time = make_milestone(db_url, late_ms_provider, D(2026, 5, 20), forecast_date=D(2026, 5, 25))
    done_late = make_milestone(
        db_url,
        late_ms_provider,
        D(2026, 5, 20),
        forecast_date=D(2026, 6, 15),
        actual_date=D(2026, 6, 15),
    )
    # PROV-OPEN: the latest open milestone (1 July) counts; completed/removed ones do not.
    make_milestone(db_url, open_ms_provider, D(2026, 5, 1), forecast_date=D(2026, 7, 1))
    make_milestone(db_url, open_ms_provider, D(2026, 5, 1), forecast_date=D(2026, 4, 1))
    for forecast, gone in ((D(2026, 12, 1), "actual_date"), (D(2027, 1, 1), "removed_on")):
        make_milestone(
            db_url, open_ms_provider, D(2026, 5, 1), forecast_date=forecast, **{gone: forecast}
        )
    dep = {"url": db_url, "consumer": consumer, "late_ms_provider": late_ms_provider}

    def add(title, provider, need_by, **extra):
        dep[title] = _raid(
            db_url,
            consumer,
            "dependency",
            title,
            provider_project_id=provider,
            need_by=need_by,
            **extra,
        )

    add("ms slipped", late_ms_provider, D(2026, 6, 1), provider_milestone_id=slipped)
    add("ms on time", late_ms_provider, D(2026, 6, 1), provider_milestone_id=on_time)
    add("ms done late", late_ms_provider, D(2026, 6, 1), provider_milestone_id=done_late)
    add("latest open ms", open_ms_provider, D(2026, 6, 15))
    add("forecast finish ok", finish_provider, D(2026, 10, 1))
    add("forecast finish late", finish_provider, D(2026, 9, 29))
    add("provider done", done_provider, D(2026, 6, 1))
    add("closed", late_ms_provider, D(2026, 6, 1), provider_milestone_id=slipped, status="closed")
    return dep


def test_dependency_flags(dependencies):
    deps = risks.dependencies(url=dependencies["url"]).set_index("title")
    assert deps.late.to_dict() == {
        "ms slipped": True,
        "ms on time": False,
        "ms done late": False,  # delivered: no longer a risk to the consumer
        "latest open ms": True,
        "forecast finish ok": False,
        "forecast finish late": True,
        "provider done": False,
        "closed": False,
    }
    assert deps.loc["ms slipped", "expected_on"] == D(2026, 6, 10)
    assert deps.loc["ms slipped", "expected_from"] == "milestone Milestone"
    assert deps.loc["latest open ms", "expected_on"] == D(2026, 7, 1)
    assert deps.loc["latest open ms", "expected_from"] == "latest open milestone"
    assert deps.loc["forecast finish late", "expected_from"] == "project forecast finish"
    assert deps.loc["provider done", "expected_from"] == "project finished"
    assert (deps.loc["ms slipped", "consumer_code"], deps.loc["ms slipped", "provider_code"]) == (
        "C-1",
        "PROV-MS",
    )
    # Late ones first, then open before closed, by need-by date.
    assert deps.index[:3].tolist() == ["ms slipped", "latest open ms", "forecast finish late"]


def test_dependencies_show_for_the_waiting_and_the_providing_project(dependencies):
    url = dependencies["url"]
    as_provider = risks.dependencies([dependencies["late_ms_provider"]], url=url)
    assert set(as_provider.title) == {"ms slipped", "ms on time", "ms done late", "closed"}
    assert len(risks.dependencies([dependencies["consumer"]], url=url)) == 8


def test_raid_items_per_kind_and_project(db_url):
    org = make_org(db_url)
    p1 = make_project(db_url, org, "P-1")
    p2 = make_project(db_url, org, "P-2")
    review = _insert(db_url, Review, title="Portfolio review Oct", held_on=D(2026, 10, 30))
    _raid(db_url, p1, "assumption", "Users available", owner_id=org["pm"])
    _raid(db_url, p1, "issue", "Old issue", status="closed", due_date=D(2026, 1, 1))
    _raid(db_url, p1, "issue", "Test data", due_date=D(2026, 3, 1))
    _raid(db_url, p2, "issue", "Other project's issue", due_date=D(2026, 2, 1))
    _raid(db_url, p1, "decision", "Phased rollout", decided_on=D(2026, 10, 30), review_id=review)
    issues = risks.raid_items("issue", url=db_url)
    assert issues.title.tolist() == ["Other project's issue", "Test data", "Old issue"]
    assert risks.raid_items("issue", [p1], url=db_url).title.tolist() == ["Test data", "Old issue"]
    assumption = risks.raid_items("assumption", url=db_url).iloc[0]
    assert (assumption.title, assumption.owner, assumption.project_code) == (
        "Users available",
        "Pm",
        "P-1",
    )
    decision = risks.raid_items("decision", url=db_url).iloc[0]
    assert (decision.review, decision.decided_on) == ("Portfolio review Oct", D(2026, 10, 30))
