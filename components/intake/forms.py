"""Intake forms: a proposal (with its costs per year, people needed and benefits), a
reviewer's scores, the drivers and their weights (directly or by pairwise comparison), a
realised benefit.

As every form of the app: all problems at once under their fields, what was typed stays
(widgets keyed by record, loaded version and a counter bumped only by a successful save),
and a save based on an old version is refused with the conflict said in words.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pandas as pd
import streamlit as st

from components.access.session import current_actor
from components.common import data
from components.common.records import choices
from components.common.safe_text import md_escape
from components.common.widgets import field_error, flash
from components.intake import actions
from components.intake import data as intake_data
from data_access.core.intake_models import BENEFIT_KINDS, POOL_KINDS, PROPOSAL_MOVES, RISK_LEVELS
from data_access.core.writes import ConflictError, ValidationFailed, WriteError
from domain import intake

REVIEWERS = ("admin", "portfolio_manager")
PROPOSERS = ("admin", "portfolio_manager", "project_manager")


def counter(key: str) -> int:
    return st.session_state.get(f"{key}.n", 0)


def saved(key: str, message: str) -> None:
    """A save went through: fresh widgets next run, the message shown once."""
    st.session_state[f"{key}.n"] = counter(key) + 1
    st.session_state.pop(f"{key}.errors", None)
    st.session_state[f"{key}_flash"] = message


def attempt(key: str, save) -> bool:
    """Run `save`; keep its problems for the next run. True when it went through."""
    try:
        save()
    except ValidationFailed as exc:
        st.session_state[f"{key}.errors"] = exc.errors
        return False
    except ConflictError as exc:
        st.session_state[f"{key}.errors"] = {"": str(exc)}
        st.session_state[f"{key}.conflict"] = True
        return False
    except WriteError as exc:
        st.session_state[f"{key}.errors"] = {"": str(exc)}
        return False
    st.session_state.pop(f"{key}.conflict", None)
    return True


def _row_errors(errors: dict[str, str], prefix: str, labels: dict[str, str]) -> None:
    """Problems of an editor's rows ("needs.1.hours") as one line each, under the editor."""
    for name, message in errors.items():
        if name == prefix or not name.startswith(prefix + "."):
            continue
        parts = name.split(".")
        if prefix == "costs":
            text = f"Year {parts[1]}: {message}"
        else:
            column = labels.get(parts[2], parts[2]) if len(parts) > 2 else ""
            text = f"Row {int(parts[1]) + 1}{', ' + column if column else ''}: {message}"
        st.markdown(f":red[:material/error: {md_escape(text)}]")


def quarters_from(today: dt.date, years: int = 3) -> list[str]:
    return [f"{y}-Q{q}" for y in range(today.year, today.year + years) for q in range(1, 5)]


# --- proposal ---------------------------------------------------------------------------------


def _blank(today: dt.date) -> tuple[dict[str, Any], dict[str, Any]]:
    start = dt.date(today.year + (today.month > 9), (today.month % 12) // 3 * 3 + 1, 1)
    values = {
        "title": "",
        "sponsor_id": None,
        "department_id": None,
        "program_id": None,
        "problem": "",
        "start_date": start,
        "duration_months": 12,
        "risk_level": "medium",
    }
    parts = {
        "costs": {start.year: 0.0, start.year + 1: 0.0},
        "needs": [],
        "driver_ids": [],
        "benefits": [],
    }
    return values, parts


def proposal_form(version: data.Version, today: dt.date, proposal: dict | None = None) -> None:
    """A new proposal (`proposal` None) or the change of one; saved as a draft or kept."""
    key = f"proposal.{proposal['id'] if proposal else 'new'}"
    flash(key)
    if proposal is None:
        values, parts = _blank(today)
        loaded_version = None
    else:
        values, parts = proposal, intake_data.parts(version, int(proposal["id"]))
        loaded_version = int(proposal["version"])
    # Widgets keyed by the version the form opened at: a save elsewhere does not reset typing.
    base_key = f"{key}.base"
    if base_key not in st.session_state or st.session_state[base_key][0] != counter(key):
        st.session_state[base_key] = (counter(key), loaded_version)
    opened_at = st.session_state[base_key][1]
    w = f"{key}.{counter(key)}.{opened_at}"
    errors = st.session_state.get(f"{key}.errors", {})
    tables = choices(version)
    people = dict(zip(tables["people"].id, tables["people"].name, strict=True))
    departments = dict(zip(tables["departments"].id, tables["departments"].name, strict=True))
    programs = dict(zip(tables["programs"].id, tables["programs"].name, strict=True))
    drivers = intake_data.drivers(version)
    driver_names = dict(zip(drivers.id, drivers.name, strict=True))
    pools = intake_data.capacity(version, today.year, today.year)
    skills = sorted(pools[pools.pool_kind == "skill"].pool.unique())
    pool_options = skills + sorted(pools[pools.pool_kind == "department"].pool.unique())

    with st.form(f"{w}.form", enter_to_submit=False):
        st.text_input("Title", value=values["title"], key=f"{w}.title", max_chars=200)
        field_error(errors, "title")
        columns = st.columns(3)
        for column, (field, label, options, placeholder) in zip(
            columns,
            (
                ("sponsor_id", "Sponsor", people, "Choose the sponsor"),
                ("department_id", "Department", departments, "Choose the department"),
                (
                    "program_id",
                    "Program (of the project, once approved)",
                    programs,
                    "Choose the program",
                ),
            ),
            strict=True,
        ):
            with column:
                st.selectbox(
                    label,
                    list(options),
                    index=list(options).index(values[field]) if values[field] in options else None,
                    format_func=options.get,
                    placeholder=placeholder,
                    key=f"{w}.{field}",
                )
                field_error(errors, field)
        st.text_area(
            "Problem it solves", value=values["problem"], key=f"{w}.problem", max_chars=4000
        )
        field_error(errors, "problem")
        left, mid, right = st.columns(3)
        with left:
            st.date_input("Start", value=values["start_date"], key=f"{w}.start_date")
            field_error(errors, "start_date")
        with mid:
            st.number_input(
                "Duration (months)",
                min_value=0,
                max_value=120,
                value=int(values["duration_months"]),
                key=f"{w}.duration_months",
            )
            field_error(errors, "duration_months")
        with right:
            st.segmented_control(
                "Risk level",
                list(RISK_LEVELS),
                default=values["risk_level"],
                required=True,
                key=f"{w}.risk_level",
            )
            field_error(errors, "risk_level")
        st.multiselect(
            "Strategic drivers it serves",
            list(driver_names),
            default=[d for d in parts["driver_ids"] if d in driver_names],
            format_func=driver_names.get,
            key=f"{w}.drivers",
        )
        field_error(errors, "drivers")

        st.markdown("**Cost estimate by year**")
        st.data_editor(
            pd.DataFrame({"year": list(parts["costs"]), "amount": list(parts["costs"].values())}),
            num_rows="dynamic",
            column_config={
                "year": st.column_config.NumberColumn("Year", format="%d", step=1),
                "amount": st.column_config.NumberColumn("Amount", format="%,.0f", min_value=0),
            },
            hide_index=True,
            key=f"{w}.costs",
        )
        field_error(errors, "costs")
        _row_errors(errors, "costs", {})

        st.markdown("**People needed** (hours per quarter, by skill or department)")
        st.data_editor(
            pd.DataFrame(parts["needs"], columns=["pool_kind", "pool", "period", "hours"]),
            num_rows="dynamic",
            column_config={
                "pool_kind": st.column_config.SelectboxColumn(
                    "By", options=list(POOL_KINDS), default="skill"
                ),
                "pool": st.column_config.SelectboxColumn(
                    "Skill or department", options=pool_options
                ),
                "period": st.column_config.SelectboxColumn("Quarter", options=quarters_from(today)),
                "hours": st.column_config.NumberColumn("Hours", min_value=0, format="%,.0f"),
            },
            hide_index=True,
            key=f"{w}.needs",
        )
        _row_errors(
            errors,
            "needs",
            {
                "pool_kind": "By",
                "pool": "skill or department",
                "period": "quarter",
                "hours": "hours",
            },
        )

        st.markdown("**Expected benefits**")
        benefits = pd.DataFrame(
            parts["benefits"],
            columns=["kind", "measure", "baseline", "target", "by_when", "driver_id"],
        )
        benefits["driver"] = benefits.driver_id.map(driver_names)
        st.data_editor(
            benefits.drop(columns=["driver_id"]),
            num_rows="dynamic",
            column_config={
                "kind": st.column_config.SelectboxColumn(
                    "Kind", options=list(BENEFIT_KINDS), default="financial"
                ),
                "measure": st.column_config.TextColumn("Measure", max_chars=200),
                "baseline": st.column_config.NumberColumn("Baseline"),
                "target": st.column_config.NumberColumn("Target"),
                "by_when": st.column_config.DateColumn("By when"),
                "driver": st.column_config.SelectboxColumn(
                    "Driver", options=list(driver_names.values())
                ),
            },
            hide_index=True,
            key=f"{w}.benefits",
        )
        field_error(errors, "benefits")
        _row_errors(
            errors,
            "benefits",
            {
                "kind": "kind",
                "measure": "measure",
                "baseline": "baseline",
                "target": "target",
                "by_when": "by when",
                "driver_id": "driver",
            },
        )
        for name, message in errors.items():
            if name == "":
                st.error(md_escape(message), icon=":material/sync_problem:")
        submitted = st.form_submit_button(
            "Save proposal" if proposal else "Save as draft", type="primary"
        )
    if st.session_state.get(f"{key}.conflict") and st.button(
        "Load the current version (your typing is discarded)", key=f"{w}.reload"
    ):
        st.session_state.pop(f"{key}.conflict", None)
        saved(key, "Showing the current version.")
        st.rerun()
    if not submitted:
        return
    typed = _typed_proposal(
        w, driver_names, costs=parts["costs"], needs=parts["needs"], benefits=benefits
    )
    new_ids: list[int] = []

    def save() -> None:
        new_ids.append(
            actions.save_proposal(
                typed["data"],
                costs=typed["costs"],
                needs=typed["needs"],
                driver_ids=typed["driver_ids"],
                benefits=typed["benefits"],
                proposal_id=int(proposal["id"]) if proposal else None,
                expected_version=opened_at,
            )
        )

    if attempt(key, save):
        saved(key, "Proposal saved." if proposal else "Proposal saved as a draft.")
        # Shown at the top of the proposal opened next, where the user looks after a save.
        st.session_state[f"proposal.{new_ids[0]}_flash"] = st.session_state.pop(f"{key}_flash")
        st.query_params["proposal"] = str(new_ids[0])
    st.rerun()


def _edited(original: pd.DataFrame, key: str) -> pd.DataFrame:
    """The editor's table after the user's edits (its state holds only the changes)."""
    state = st.session_state.get(key) or {}
    df = original.copy().reset_index(drop=True)
    for row, change in state.get("edited_rows", {}).items():
        for column, value in change.items():
            df.loc[int(row), column] = value
    df = df.drop(index=[int(i) for i in state.get("deleted_rows", [])])
    added = pd.DataFrame(state.get("added_rows", []))
    return pd.concat([df, added], ignore_index=True) if not added.empty else df


def _number(value: Any) -> Any:
    """A cell as a number, or as it is when empty or not one (the write refuses it)."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    return float(value) if isinstance(value, int | float) else value


def _typed_proposal(w: str, driver_names: dict, *, costs, needs, benefits) -> dict[str, Any]:
    state = st.session_state
    cost_df = _edited(
        pd.DataFrame({"year": list(costs), "amount": list(costs.values())}), f"{w}.costs"
    )
    typed_costs = {}
    for year, amount in zip(cost_df.get("year", []), cost_df.get("amount", []), strict=True):
        if year is None or year != year:
            continue
        typed_costs[int(year)] = _number(amount) if _number(amount) is not None else 0.0
    need_df = _edited(
        pd.DataFrame(needs, columns=["pool_kind", "pool", "period", "hours"]), f"{w}.needs"
    )
    typed_needs = [
        {
            "pool_kind": r.get("pool_kind"),
            "pool": r.get("pool"),
            "period": r.get("period"),
            "hours": _number(r.get("hours")),
        }
        for r in need_df.to_dict("records")
        if any(_number(v) is not None and v != "" for v in r.values())
    ]
    by_name = {name: i for i, name in driver_names.items()}
    benefit_df = _edited(benefits.drop(columns=["driver_id"]), f"{w}.benefits")
    typed_benefits = []
    for r in benefit_df.to_dict("records"):
        if not any(_number(v) is not None and v != "" for v in r.values()):
            continue
        when = r.get("by_when")
        typed_benefits.append(
            {
                "kind": r.get("kind") or "financial",
                "measure": r.get("measure") or "",
                "baseline": _number(r.get("baseline")),
                "target": _number(r.get("target")),
                "by_when": when.date() if isinstance(when, pd.Timestamp) else when,
                "driver_id": by_name.get(r.get("driver")),
            }
        )
    return {
        "data": {
            "title": state[f"{w}.title"],
            "sponsor_id": state[f"{w}.sponsor_id"],
            "department_id": state[f"{w}.department_id"],
            "program_id": state[f"{w}.program_id"],
            "problem": state[f"{w}.problem"],
            "start_date": state[f"{w}.start_date"],
            "duration_months": state[f"{w}.duration_months"],
            "risk_level": state[f"{w}.risk_level"],
        },
        "costs": typed_costs,
        "needs": typed_needs,
        "driver_ids": list(state[f"{w}.drivers"]),
        "benefits": typed_benefits,
    }


# --- status moves ------------------------------------------------------------------------------


def status_buttons(proposal: dict) -> None:
    """The moves this person may make on the proposal, with an optional note."""
    actor = current_actor()
    mine = actor.person_id in (proposal.get("submitted_by_id"), proposal.get("sponsor_id"))
    moves = [
        m
        for m in PROPOSAL_MOVES.get(proposal["status"], ())
        if actor.role in REVIEWERS
        or (mine and m in ("submitted", "draft") and proposal["status"] in ("draft", "submitted"))
    ]
    key = f"move.{proposal['id']}"
    flash(key)
    if not moves:
        return
    note = st.text_input("Note for the history (optional)", key=f"{key}.note.{counter(key)}")
    cells = st.columns(len(moves) + 1)
    for cell, move in zip(cells, moves, strict=False):
        label = {"submitted": "Submit", "draft": "Back to draft"}.get(move, f"Mark {move}")
        if cell.button(label, key=f"{key}.{move}"):
            ok = attempt(
                key,
                lambda move=move: actions.move_proposal(
                    int(proposal["id"]), move, int(proposal["version"]), note
                ),
            )
            if ok:
                saved(key, f"{proposal['code']} is now {move}.")
            st.rerun()
    for message in st.session_state.get(f"{key}.errors", {}).values():
        st.error(md_escape(message), icon=":material/block:")


# --- scoring ----------------------------------------------------------------------------------


def scoring_form(version: data.Version, today: dt.date, proposal: dict) -> None:
    actor = current_actor()
    key = f"score.{proposal['id']}"
    flash(key)
    if actor.role not in REVIEWERS:
        st.caption("Reviewers (PMO admins and portfolio managers) score proposals.")
        return
    if proposal["status"] in ("approved", "rejected"):
        st.caption(f"A {proposal['status']} proposal is not scored any more.")
        return
    drivers = intake_data.drivers(version)
    drivers = drivers[drivers.active.astype(bool)]
    mine = intake_data.my_scores(version, int(proposal["id"]), int(actor.person_id))
    w = f"{key}.{counter(key)}"
    errors = st.session_state.get(f"{key}.errors", {})
    with st.form(f"{w}.form", enter_to_submit=False):
        st.markdown(f"**Your scores for {md_escape(proposal['code'])}** (0 none - 4 extreme)")
        for d in drivers.itertuples():
            st.select_slider(
                md_escape(d.name),
                options=list(range(intake.SCORE_MAX + 1)),
                value=mine.get(int(d.id), 0),
                format_func=lambda s: f"{s} {intake.SCORE_WORDS[s]}",
                key=f"{w}.{d.id}",
            )
            field_error(errors, f"score.{d.id}")
        for name, message in errors.items():
            if not name.startswith("score."):
                st.error(md_escape(message), icon=":material/block:")
        submitted = st.form_submit_button("Save my scores", type="primary")
    if submitted:
        scores = {int(d.id): int(st.session_state[f"{w}.{d.id}"]) for d in drivers.itertuples()}
        if attempt(key, lambda: actions.score_proposal(int(proposal["id"]), scores, today)):
            saved(key, "Scores saved.")
        st.rerun()


# --- drivers and weights (PMO admin) -------------------------------------------------------------

# Saaty's scale read from the first driver's side: 9 ... 1 ... 1/9.
SCALE = [9, 7, 5, 3, 1, 1 / 3, 1 / 5, 1 / 7, 1 / 9]


def _scale_words(value: float, first: str, second: str) -> str:
    if value == 1:
        return "equal"
    if value > 1:
        return f"{first} ×{value:.0f}"
    return f"{second} ×{1 / value:.0f}"


def drivers_form(version: data.Version) -> None:
    key = "drivers"
    flash(key)
    drivers = intake_data.drivers(version)
    errors = st.session_state.get(f"{key}.errors", {})
    w = f"{key}.{counter(key)}"
    with st.form(f"{w}.add", enter_to_submit=False):
        st.markdown("**Add a strategic driver**")
        left, right = st.columns([1, 2])
        left.text_input("Name", key=f"{w}.name", max_chars=200)
        field_error(errors, "name", left)
        right.text_input("What it means", key=f"{w}.description", max_chars=4000)
        added = st.form_submit_button("Add driver")
    if added:
        ok = attempt(
            key,
            lambda: actions.create_driver(
                st.session_state[f"{w}.name"], st.session_state[f"{w}.description"]
            ),
        )
        if ok:
            saved(key, "Driver added.")
        st.rerun()
    active = drivers[drivers.active.astype(bool)].reset_index(drop=True)
    if active.empty:
        st.info("No drivers yet: add the first above.")
        return
    method = st.segmented_control(
        "Weigh the drivers",
        ["By pairwise comparison (AHP)", "Directly"],
        default="By pairwise comparison (AHP)",
        required=True,
        key="weigh_method",
        bind="query-params",
    )
    if method == "Directly":
        _direct_weights(key, w, active)
    else:
        _pairwise_weights(version, key, w, active)
    for name, message in errors.items():
        if name != "name":
            st.error(md_escape(message), icon=":material/block:")


def _save_weights(key: str, drivers: pd.DataFrame, weights: dict, judgements) -> None:
    expected = {int(i): int(v) for i, v in zip(drivers.id, drivers.version, strict=True)}
    if attempt(key, lambda: actions.set_weights(weights, expected, judgements)):
        saved(key, "Weights saved.")
    st.rerun()


def _direct_weights(key: str, w: str, drivers: pd.DataFrame) -> None:
    with st.form(f"{w}.direct", enter_to_submit=False):
        cells = st.columns(min(len(drivers), 4))
        for i, d in enumerate(drivers.itertuples()):
            cells[i % len(cells)].number_input(
                f"{md_escape(d.name)} (%)",
                min_value=0.0,
                max_value=100.0,
                value=round(float(d.weight) * 100, 1),
                key=f"{w}.direct.{d.id}",
            )
        submitted = st.form_submit_button("Save weights", type="primary")
    if submitted:
        weights = {int(d.id): st.session_state[f"{w}.direct.{d.id}"] for d in drivers.itertuples()}
        _save_weights(key, drivers, weights, None)


def _pairwise_weights(version: data.Version, key: str, w: str, drivers: pd.DataFrame) -> None:
    stored = intake_data.judgements(version)
    ids = [int(i) for i in drivers.id]
    names = dict(zip(ids, drivers.name, strict=True))
    judged = {}
    st.caption(
        "For each pair, say which matters more and how much (Saaty's scale: 3 moderately, "
        "5 strongly, 7 very strongly, 9 extremely)."
    )
    for a, b in itertools.combinations(ids, 2):
        first, second = min(a, b), max(a, b)
        value = stored.get((first, second), 1.0)
        nearest = min(SCALE, key=lambda s: abs(s - value))
        judged[(first, second)] = st.select_slider(
            f"{md_escape(names[first])} vs {md_escape(names[second])}",
            options=SCALE,
            value=nearest,
            format_func=lambda v, f=names[first], s=names[second]: _scale_words(v, f, s),
            key=f"{w}.pair.{first}.{second}",
        )
    index = {d: i for i, d in enumerate(ids)}
    result = intake.ahp(
        intake.judgement_matrix(len(ids), {(index[a], index[b]): v for (a, b), v in judged.items()})
    )
    table = pd.DataFrame({"Driver": [names[d] for d in ids], "Weight": result.weights})
    st.dataframe(
        table,
        hide_index=True,
        column_config={"Weight": st.column_config.ProgressColumn(format="percent", max_value=1)},
    )
    st.markdown(
        f"Consistency ratio **{result.consistency_ratio:.2f}** (0.10 or less is consistent)"
    )
    if result.warning():
        st.warning(result.warning(), icon=":material/warning:")
    if st.button("Save these weights", type="primary", key=f"{w}.save_ahp"):
        weights = dict(zip(ids, result.weights, strict=True))
        _save_weights(key, drivers, weights, judged)


# --- realised benefits -------------------------------------------------------------------------


def measurement_form(version: data.Version, today: dt.date, benefits: pd.DataFrame) -> None:
    key = "measure"
    flash(key)
    errors = st.session_state.get(f"{key}.errors", {})
    labels = {
        int(b.id): f"{b.project_code} · {b.measure} (target {b.target:,.0f} by {b.by_when:%b %Y})"
        for b in benefits.itertuples()
    }
    w = f"{key}.{counter(key)}"
    with st.form(f"{w}.form", enter_to_submit=False):
        st.markdown("**Record a realised value**")
        st.selectbox(
            "Benefit",
            list(labels),
            index=None,
            format_func=labels.get,
            placeholder="Choose the benefit",
            key=f"{w}.benefit_id",
        )
        field_error(errors, "benefit_id")
        left, right = st.columns(2)
        left.date_input("Measured on", value=today, key=f"{w}.measured_on")
        field_error(errors, "measured_on", left)
        right.number_input("Value", value=None, key=f"{w}.value")
        field_error(errors, "value", right)
        st.text_input("Note", key=f"{w}.note", max_chars=4000)
        for name, message in errors.items():
            if name in ("", "note"):
                st.error(md_escape(message), icon=":material/block:")
        submitted = st.form_submit_button("Record", type="primary")
    if submitted:
        state = st.session_state

        def save() -> None:
            actions.record_measurement(
                state[f"{w}.benefit_id"],
                state[f"{w}.measured_on"],
                state[f"{w}.value"],
                state[f"{w}.note"],
            )

        if attempt(key, save):
            saved(key, "Realised value recorded.")
        st.rerun()
