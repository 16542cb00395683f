"""The weekly status update: pre-filled from last week, the computed health beside each of the
PM's choices, a reason required where they differ."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import streamlit as st

from components.common import data, records
from components.common.edit_form import EditForm
from components.updates import data as update_data
from components.updates.recovery_section import recovery_section
from data_access.core.db import session_scope
from data_access.core.models import RAG, StatusReportCreate
from data_access.core.writes import Actor, ValidationFailed, validate
from data_access.updates import recovery as recovery_commands
from domain import recovery, status_update
from domain.formatting import RAG_LABELS, fmt_date
from domain.status_update import COMPUTED

FIGURES = ("percent_complete", "cost_to_date", "forecast_at_completion")


BADGE = {"G": "green", "A": "orange", "R": "red"}


def _rag_option(letter: str) -> str:
    return f"{letter} · {RAG_LABELS[letter]}"


def _badge(letter: str) -> str:
    return f":{BADGE[letter]}-badge[**{_rag_option(letter)}**]"


@st.cache_data(max_entries=64, show_spinner=False)
def _computed_health(facts: dict, settings: dict, today: dt.date, figures: dict) -> dict:
    # The health rules cost some 15 ms even for one row (pandas' cost per operation), paid
    # twice on each rerun of the form; the same inputs give the same health.
    return status_update.computed_health(facts, settings, today, figures)


def status_update_form(
    version: data.Version, facts: dict[str, Any], actor: Actor, today: dt.date
) -> None:
    """`facts`: the project's row of `data.portfolio_health` (its record and health facts)."""
    project_id = int(facts["id"])
    settings = data.settings(version)
    project = records.record(version, "project", project_id)
    previous = records.latest_report(version, project_id)
    loaded_figures = {
        "percent_complete": project["percent_complete"],
        "cost_to_date": project["actual_cost"],
        "forecast_at_completion": project["forecast_at_completion"],
    }

    def computed_for(values: dict[str, Any]) -> dict[str, tuple[str, str]]:
        # Figures being typed move the cost dimension; unusable ones are judged as loaded.
        figures = {
            f: values[f]
            if isinstance(values.get(f), int | float) and math.isfinite(values[f])
            else loaded_figures[f]
            for f in FIGURES
        }
        return _computed_health(facts, settings, today, figures)

    def check(values: dict[str, Any]) -> dict[str, str]:
        computed = computed_for(values)
        report = status_update.report_data(project_id, values, computed)
        errors = status_update.check(values, computed)
        for field, message in recovery.check(
            values, report, settings, project["baseline_start"], today
        ).items():
            errors.setdefault(field, message)
        try:
            validate(StatusReportCreate, report)
        except ValidationFailed as exc:
            for field, message in exc.errors.items():
                errors.setdefault(field, message)
        return errors

    def save(values: dict[str, Any], _changes: dict, latest: int) -> str:
        computed = computed_for(values)
        report = status_update.report_data(project_id, values, computed)
        with session_scope(version[0]) as session:
            recovery_commands.submit_update(
                {k: report[k] for k in StatusReportCreate.model_fields if k in report},
                recovery.plan_from(values),
                new_actions=recovery.new_actions_from(values),
                done_actions=recovery.done_actions_from(values),
                settings=settings,
                today=today,
                session=session,
                actor=actor,
                expected_latest_report=latest,
            )
        overall = recovery.overall_of(report)
        how = "your override" if report["override_rag"] else "by the health rules"
        until = recovery.on_time_until(values["report_date"], settings)
        timing = (
            "on time"
            if today <= until
            else f"late: the PMO counts an update on time up to {fmt_date(until)}"
        )
        return (
            f"Status update of {fmt_date(values['report_date'])} saved for {facts['code']}: "
            f"overall {_rag_option(overall)} ({how}), {timing}."
        )

    initial = {
        **status_update.prefill(previous, project, computed_for(loaded_figures), today),
        **recovery.prefill(
            update_data.latest_plan(version, project_id),
            update_data.recovery_actions(version, project_id),
        ),
    }
    form = EditForm(
        "status",
        project_id,
        initial,
        previous["newest_id"] if previous else 0,
        save,
        check=check,
        names=records.names(version),
        token=lambda current: current["id"],
    )
    if previous:
        st.caption(
            f"Pre-filled from the update of {fmt_date(previous['report_date'])}. "
            "Change what moved this week and save."
        )
    else:
        st.caption("This is the project's first status update.")

    with form.layout("Submit status update"):
        cols = st.columns(4)
        with cols[0]:
            form.date("report_date")
        with cols[1]:
            form.number("percent_complete", step=5.0, fmt="%.1f", help="0 to 100")
        with cols[2]:
            form.number("cost_to_date", step=1000.0, help=settings["currency"])
        with cols[3]:
            form.number("forecast_at_completion", step=1000.0, help=settings["currency"])

        # The computed values shown follow the figures of the last submit, so after a refused
        # save they match what is on screen.
        shown = {f: st.session_state.get(form.key(f), form.loaded[f]) for f in FIGURES}
        computed = computed_for(shown)
        st.markdown("##### Health: your rating beside the computed one")
        for dim in COMPUTED:
            left, right = st.columns([1, 2], vertical_alignment="center")
            with left:
                form.choice(f"{dim}_rag", RAG, format_func=_rag_option, horizontal=True)
            letter, why = computed[dim]
            chosen = st.session_state.get(form.key(f"{dim}_rag"), form.loaded[f"{dim}_rag"])
            differs = " — **your rating differs: give a reason below**" if chosen != letter else ""
            right.markdown(f"Computed {_badge(letter)}{differs}  \n{why}")
        left, right = st.columns([1, 2], vertical_alignment="center")
        with left:
            form.choice("scope_rag", RAG, format_func=_rag_option, horizontal=True)
        right.markdown("Scope has no computed value: it is your judgement.")
        form.text(
            "override_reason",
            area=True,
            height=80,
            help="Required when a rating differs from the computed one; shown as an override.",
        )
        chosen = {
            f"{d}_rag": st.session_state.get(form.key(f"{d}_rag"), form.loaded[f"{d}_rag"])
            for d in (*COMPUTED, "scope")
        }
        report = status_update.report_data(project_id, {**form.loaded, **chosen}, computed)
        recovery_section(
            form, recovery.overall_of(report), settings, records.names(version)["people"]
        )
        left, right = st.columns(2)
        with left:
            form.text("summary", area=True)
            form.text("next_steps", area=True)
        with right:
            form.text("achievements", area=True)
            form.text("blockers", area=True)
