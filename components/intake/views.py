"""Intake views: the ranked proposals with their explanation, one proposal in full, the
selection under constraints with the efficient frontier, saved scenarios side by side, and
benefits planned vs realised."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from components.access.session import current_actor
from components.common import data
from components.common.chart_cache import draw_chart
from components.common.safe_text import md_escape
from components.common.widgets import flash
from components.intake import actions, forms
from components.intake import data as intake_data
from domain import intake

STATUS_ORDER = ["submitted", "under review", "deferred", "draft", "approved", "rejected"]


def money(value: float, currency: str) -> str:
    return f"{value:,.0f} {currency}"


# --- proposals ---------------------------------------------------------------------------------


def proposals(version: data.Version, today: dt.date) -> None:
    ranked = intake_data.ranked(version)
    currency = data.settings(version).get("currency", "EUR")
    actor = current_actor()
    statuses = st.multiselect(
        "Status",
        STATUS_ORDER,
        default=["submitted", "under review", "deferred", "draft"],
        key="proposal_status",
        bind="query-params",
    )
    shown = ranked[ranked.status.isin(statuses)] if statuses else ranked
    st.caption(
        f"{len(shown)} of {len(ranked)} proposals, by priority (0-100: driver weights x "
        "reviewers' mean scores). Click a row to open it."
    )
    table = shown[
        [
            "code",
            "title",
            "status",
            "priority",
            "explanation",
            "total_cost",
            "department",
            "sponsor",
        ]
    ]
    picked = st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * len(table), 420),
        on_select="rerun",
        selection_mode="single-row",
        key="proposal_table",
        column_config={
            "code": "Code",
            "title": st.column_config.TextColumn("Title", width="medium"),
            "status": "Status",
            "priority": st.column_config.ProgressColumn(
                "Priority", min_value=0, max_value=100, format="%.0f"
            ),
            "explanation": st.column_config.TextColumn("Why", width="large"),
            "total_cost": st.column_config.NumberColumn(f"Cost ({currency})", format="%,.0f"),
            "department": "Department",
            "sponsor": "Sponsor",
        },
    )
    rows = picked.selection.rows if picked else []
    if rows:
        st.query_params["proposal"] = str(int(shown.iloc[rows[0]].id))
    chosen = st.query_params.get("proposal")
    if chosen == "new" or (chosen is None and actor.role in forms.PROPOSERS and ranked.empty):
        st.subheader("New proposal")
        forms.proposal_form(version, today)
        return
    if actor.role in forms.PROPOSERS and st.button("New proposal", icon=":material/add:"):
        st.query_params["proposal"] = "new"
        st.rerun()
    match = ranked[ranked.id.astype(str) == str(chosen)]
    if not match.empty:
        proposal_detail(version, today, match.iloc[0].to_dict(), currency)


def proposal_detail(version: data.Version, today: dt.date, p: dict, currency: str) -> None:
    st.subheader(f"{p['code']} · {md_escape(p['title'])}")
    flash(f"proposal.{p['id']}")  # what the last save of it did
    st.markdown(
        f"**{md_escape(p['status'].capitalize())}** · priority **{p['priority']:.0f}** · "
        f"{md_escape(p['explanation'])}"
    )
    parts = intake_data.parts(version, int(p["id"]))
    left, right = st.columns(2)
    with left:
        st.markdown(
            f"Sponsor {md_escape(p['sponsor'] or 'none yet')} · {md_escape(p['department'])} · "
            f"{md_escape(p['program'])}  \n"
            f"Starts {p['start_date']:%d %b %Y} for {p['duration_months']} months · "
            f"risk {p['risk_level']} · cost {money(p['total_cost'], currency)}"
        )
        st.text(p["problem"])
        costs = pd.DataFrame({"Year": list(parts["costs"]), "Cost": list(parts["costs"].values())})
        st.dataframe(
            costs,
            hide_index=True,
            column_config={"Cost": st.column_config.NumberColumn(format="%,.0f")},
        )
    with right:
        needs = pd.DataFrame(parts["needs"])
        if not needs.empty:
            st.dataframe(
                needs.rename(
                    columns={
                        "pool_kind": "By",
                        "pool": "Skill or department",
                        "period": "Quarter",
                        "hours": "Hours",
                    }
                ),
                hide_index=True,
            )
        benefits = pd.DataFrame(parts["benefits"])
        if not benefits.empty:
            st.dataframe(
                benefits[["kind", "measure", "baseline", "target", "by_when"]].rename(
                    columns=str.capitalize
                ),
                hide_index=True,
            )
    if isinstance(p["project_code"], str):
        st.info(f"Approved: now project {p['project_code']}.", icon=":material/check_circle:")
    forms.status_buttons(p)
    tabs = st.tabs(["Score", "Edit", "History"])
    with tabs[0]:
        forms.scoring_form(version, today, p)
    with tabs[1]:
        actor = current_actor()
        mine = actor.person_id in (p.get("submitted_by_id"), p.get("sponsor_id"))
        if p["status"] == "approved":
            st.caption("An approved proposal is a project now: change the project.")
        elif actor.role in forms.REVIEWERS or mine:
            forms.proposal_form(version, today, p)
        else:
            st.caption("Its author, its sponsor and reviewers may change it.")
    with tabs[2]:
        history = intake_data.history(version, int(p["id"]))
        st.dataframe(
            history.assign(before=history.before.astype(str), after=history.after.astype(str)),
            hide_index=True,
            column_config={
                "at": st.column_config.DatetimeColumn("When", format="D MMM YYYY, HH:mm"),
                "actor_name": "Who",
                "action": "What",
            },
        )


# --- selection ----------------------------------------------------------------------------------


def selection(version: data.Version, today: dt.date) -> None:
    currency = data.settings(version).get("currency", "EUR")
    left, right, _ = st.columns([1, 1, 2])
    first = left.number_input(
        "Planning from (year)",
        min_value=2000,
        max_value=2100,
        value=today.year + 1,
        key="first_year",
        bind="query-params",
    )
    last = right.number_input(
        "to (year)",
        min_value=int(first),
        max_value=int(first) + 4,
        value=int(first) + 1,
        key="last_year",
        bind="query-params",
    )
    years = (int(first), max(int(last), int(first)))
    pool = intake_data.candidates(version, *years)
    if not pool:
        st.info("No submitted proposals to select from.")
        return
    asked = {y: sum(c.costs.get(y, 0.0) for c in pool) for y in range(years[0], years[1] + 1)}
    st.markdown(
        "**Budget per year**: the proposals ask for "
        + ", ".join(f"{money(total, currency)} in {year}" for year, total in asked.items())
    )
    cells = st.columns(len(asked))
    budget = {}
    for cell, (year, total) in zip(cells, asked.items(), strict=True):
        budget[year] = cell.number_input(
            f"{year} ({currency})",
            min_value=0.0,
            value=float(round(total / 2, -3)),
            step=50_000.0,
            format="%.0f",
            key=f"budget_{year}",
            bind="query-params",
        )
    with_capacity = st.toggle(
        "Within the people free per skill and department (capacity minus current allocations)",
        value=True,
        key="within_capacity",
        bind="query-params",
    )
    codes = [c.key for c in pool]
    left, right = st.columns(2)
    force_in = left.multiselect("Force in", codes, key="force_in", bind="query-params")
    force_out = right.multiselect(
        "Force out", [c for c in codes if c not in force_in], key="force_out", bind="query-params"
    )
    chosen, forcing = intake_data.selection(
        version,
        years,
        tuple(sorted(budget.items())),
        with_capacity,
        tuple(sorted(force_in)),
        tuple(sorted(force_out)),
    )
    if not chosen.feasible:
        st.error(md_escape(chosen.message), icon=":material/block:")
        return
    a, b, c = st.columns(3)
    a.metric("Proposals chosen", f"{len(chosen.chosen)} of {len(pool)}")
    b.metric("Total priority", f"{chosen.value:,.0f}")
    c.metric(f"Cost in {years[0]}-{years[1]}", money(chosen.total_cost, currency))
    if chosen.note():
        st.caption(chosen.note())
    if forcing is not None:
        each = ", ".join(f"{k} {v:,.0f}" for k, v in forcing.each.items())
        st.warning(
            f"Forcing costs **{forcing.total:,.0f}** points of total priority against the best "
            f"selection without it (each alone: {each}).",
            icon=":material/balance:",
        )
    ranked = intake_data.ranked(version).set_index("code")
    result = pd.DataFrame(
        {
            "code": codes,
            "chosen": [k in chosen.chosen for k in codes],
            "forced": ["in" if k in force_in else "out" if k in force_out else "" for k in codes],
        }
    ).join(ranked[["title", "priority", "explanation", "total_cost"]], on="code")
    st.dataframe(
        result.sort_values(["chosen", "priority"], ascending=False),
        hide_index=True,
        column_config={
            "code": "Code",
            "chosen": st.column_config.CheckboxColumn("Chosen"),
            "forced": "Forced",
            "title": "Title",
            "priority": st.column_config.NumberColumn("Priority", format="%.0f"),
            "explanation": st.column_config.TextColumn("Why", width="large"),
            "total_cost": st.column_config.NumberColumn(f"Cost ({currency})", format="%,.0f"),
        },
        height=320,
    )
    points = intake_data.frontier(
        version, years, with_capacity, tuple(sorted(force_in)), tuple(sorted(force_out))
    )
    draw_chart("frontier_chart", points, (chosen.total_cost, chosen.value), currency)
    save_scenario_form(budget, result, chosen)


def save_scenario_form(budget: dict, result: pd.DataFrame, chosen: intake.Selection) -> None:
    if current_actor().role not in forms.REVIEWERS:
        return
    key = "scenario"
    flash(key)
    errors = st.session_state.get(f"{key}.errors", {})
    w = f"{key}.{forms.counter(key)}"
    with st.form(f"{w}.form", enter_to_submit=False):
        st.markdown("**Save this selection as a scenario**")
        left, right = st.columns([1, 2])
        left.text_input("Name", key=f"{w}.name", max_chars=200)
        if "name" in errors:
            left.markdown(f":red[:material/error: {md_escape(errors['name'])}]")
        right.text_input("Notes", key=f"{w}.notes", max_chars=4000)
        for name, message in errors.items():
            if name != "name":
                st.error(md_escape(message), icon=":material/block:")
        saved = st.form_submit_button("Save scenario", type="primary")
    if saved:
        ids = intake_data.ranked(st.session_state["data_version"]).set_index("code").id
        items = [
            {
                "proposal_id": int(ids[r.code]),
                "included": bool(r.chosen),
                "forced": r.forced or None,
                "priority": float(r.priority),
            }
            for r in result.itertuples()
        ]
        state = st.session_state
        ok = forms.attempt(
            key,
            lambda: actions.save_scenario(state[f"{w}.name"], state[f"{w}.notes"], budget, items),
        )
        if ok:
            forms.saved(key, "Scenario saved: compare it under Scenarios.")
        st.rerun()


# --- scenarios ----------------------------------------------------------------------------------


def scenarios(version: data.Version, today: dt.date) -> None:
    saved = intake_data.scenarios(version)
    key = "approve"
    flash(key)
    if saved.empty:
        st.info("No scenario saved yet: run a selection and save it.")
        return
    currency = data.settings(version).get("currency", "EUR")
    names = dict(zip(saved.id, saved.name, strict=True))
    picked = st.multiselect(
        "Scenarios to compare",
        list(names),
        default=list(names)[-2:],
        format_func=names.get,
        key="compare",
    )
    if not picked:
        return
    rows = saved[saved.id.isin(picked)]
    cells = st.columns(len(rows))
    for cell, s in zip(cells, rows.itertuples(), strict=True):
        with cell:
            st.markdown(f"**{md_escape(s.name)}** ({s.status})")
            st.metric("Total priority", f"{s.value:,.0f}")
            st.metric("Cost", money(s.cost, currency))
            st.caption(f"{s.chosen} proposals · {md_escape(s.notes or '')}")
            _approve_button(key, s, today)
    for message in st.session_state.get(f"{key}.errors", {}).values():
        st.error(md_escape(message), icon=":material/block:")
    items = intake_data.scenario_items(version, tuple(sorted(picked)))
    wide = items.pivot_table(
        index=["code", "title"], columns="scenario_id", values="included", aggfunc="first"
    ).rename(columns=names)
    wide = wide.map(lambda v: "in" if v else "out").reset_index()
    wide = wide.rename(columns={"code": "Code", "title": "Title"})
    differs = wide[wide.iloc[:, 2:].nunique(axis=1) > 1] if len(picked) > 1 else wide
    only_diff = st.toggle("Only proposals the scenarios disagree on", value=len(picked) > 1)
    shown = differs if only_diff else wide
    st.dataframe(shown, hide_index=True, height=min(38 + 35 * len(shown), 420))
    first_year = min(int(y) for b in rows.budget for y in (b or {str(today.year): 0}))
    last_year = max(int(y) for b in rows.budget for y in (b or {str(today.year): 0}))
    use = intake_data.scenario_use(version, tuple(sorted(picked)), first_year, last_year)
    draw_chart("capacity_use_heatmap", use)


def _approve_button(key: str, s, today: dt.date) -> None:
    if s.status == "approved" or current_actor().role not in forms.REVIEWERS:
        if s.status == "approved":
            st.caption(f"Approved on {s.approved_on:%d %b %Y}")
        return
    if st.button("Approve: create the projects", key=f"approve.{s.id}", type="primary"):
        created: list[int] = []

        def approve() -> None:
            created.extend(actions.approve_scenario(int(s.id), int(s.version), today))

        if forms.attempt(key, approve):
            forms.saved(
                key, f"{md_escape(s.name)} approved: {len(created)} new projects on the portfolio."
            )
        st.rerun()


# --- benefits -----------------------------------------------------------------------------------


def benefits(version: data.Version, today: dt.date) -> None:
    df = intake_data.benefits(version, today)
    if df.empty:
        st.info("No approved project carries planned benefits yet.")
        return
    by = st.segmented_control(
        "Group by",
        ["Driver", "Program"],
        default="Driver",
        required=True,
        key="benefits_by",
        bind="query-params",
    )
    summary = intake.benefits_summary(df, by.lower())
    draw_chart("benefits_chart", summary, by)
    st.dataframe(
        df[
            [
                "project_code",
                "measure",
                "kind",
                "baseline",
                "target",
                "by_when",
                "realised",
                "measured_on",
                "driver",
                "program",
            ]
        ],
        hide_index=True,
        column_config={"project_code": "Project", "measured_on": "Last measured"},
    )
    forms.measurement_form(version, today, df)


def drivers_table(version: data.Version) -> None:
    st.caption("PMO admins set the strategic drivers and their weights.")
    st.dataframe(
        intake_data.drivers(version)[["name", "description", "weight"]],
        hide_index=True,
        column_config={
            "name": "Driver",
            "description": "What it means",
            "weight": st.column_config.ProgressColumn("Weight", format="percent", max_value=1),
        },
    )
