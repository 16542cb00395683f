"""Milestones: move many dates at once in a table, add one, or complete, re-baseline or remove
one. Every date change lands in the milestone history with the reporting date."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any

import pandas as pd
import streamlit as st

from components.common import data, records
from components.common.edit_form import EditForm, comparable, picker
from data_access.core.db import session_scope
from data_access.core.writes import Actor
from data_access.updates import bulk, commands
from domain.audit_text import value_words
from domain.formatting import fmt_date
from domain.labels import label

ACTIONS = {
    "move": "Move forecast",
    "complete": "Complete",
    "rebaseline": "Re-baseline",
    "remove": "Remove",
}
EDITABLE = ("name", "is_key", "forecast_date", "actual_date", "reason")


def milestones_section(
    version: data.Version, facts: dict[str, Any], actor: Actor, today: dt.date
) -> None:
    project_id = int(facts["id"])
    milestones = records.milestones(version, project_id)
    st.markdown(f"##### Milestone dates of {facts['code']}")
    st.caption(
        "Change forecast or actual dates (and names) in the table, then save them all at once. "
        "Every row is checked; if one is refused, nothing is saved and your edits stay."
    )
    if milestones.empty:
        st.info("This project has no milestones yet: add the first one below.")
    else:
        bulk_editor(version, project_id, milestones, actor, today)
    left, right = st.columns(2, gap="large")
    with left:
        st.markdown("##### Add a milestone")
        add_milestone_form(version, project_id, actor, today)
    with right:
        if not milestones.empty:
            st.markdown("##### Complete, re-baseline or remove one milestone")
            one_milestone_form(version, project_id, milestones, actor, today)


# --- the bulk editor --------------------------------------------------------------------


def _as_date(value: Any) -> dt.date | None:
    if value is None or value == "" or (isinstance(value, float) and pd.isna(value)):
        return None
    return pd.Timestamp(value).date()


class BulkEditor:
    """A table of the project's milestones, saved all together or not at all.

    Like `EditForm`, it edits a snapshot (the rows and versions as loaded), so the cell edits
    survive reruns and another person's save; a save names each row's version, and rows
    someone else saved meanwhile are shown as conflicts the user can re-apply."""

    def __init__(self, version: data.Version, project_id: int, rows: pd.DataFrame, actor, today):
        self.version, self.project_id, self.actor, self.today = version, project_id, actor, today
        self.state = f"bulk:{project_id}"
        if self.state not in st.session_state:
            st.session_state[self.state] = {"rows": rows.to_dict("records")}
        self.snapshot = st.session_state[self.state]
        self.editor_key = f"bulk-{project_id}-g{st.session_state.get(f'gen:{self.state}', 0)}"

    @property
    def rows(self) -> list[dict]:
        return self.snapshot["rows"]

    def edits(self) -> list[bulk.MilestoneEdit]:
        """The editor's changed rows as they differ from the snapshot."""
        edited = (st.session_state.get(self.editor_key) or {}).get("edited_rows", {})
        out = []
        for position, cells in sorted(edited.items(), key=lambda item: int(item[0])):
            row = self.rows[int(position)]
            changes = {}
            for column, value in cells.items():
                if column in ("forecast_date", "actual_date"):
                    value = _as_date(value)
                if column != "reason" and comparable(value) != comparable(row.get(column)):
                    changes[column] = value
            if changes:
                out.append(
                    bulk.MilestoneEdit(
                        row=int(position) + 1,
                        id=int(row["id"]),
                        version=int(row["version"]),
                        changes=changes,
                        reason=str(cells.get("reason") or ""),
                    )
                )
        return out

    def _save(self, edits: list[bulk.MilestoneEdit]) -> None:
        st.session_state.pop(f"bulk-problems:{self.project_id}", None)
        if not edits:
            st.session_state[f"bulk-done:{self.project_id}"] = "Nothing changed: nothing to save."
            return
        loaded = {int(r["id"]): r for r in self.rows}
        try:
            with session_scope(self.version[0]) as session:
                count = bulk.save_milestone_edits(
                    edits,
                    loaded=loaded,
                    reported_on=self.today,
                    session=session,
                    actor=self.actor,
                )
        except bulk.RowErrors as exc:
            st.session_state[f"bulk-problems:{self.project_id}"] = {
                "errors": exc.errors,
                "conflicts": exc.conflicts,
                "edits": [asdict(e) for e in edits],
            }
            return
        st.session_state.pop(self.state, None)
        gen = f"gen:{self.state}"
        st.session_state[gen] = st.session_state.get(gen, 0) + 1
        st.session_state[f"bulk-done:{self.project_id}"] = (
            f"Saved {count} milestone{'s' if count != 1 else ''}, "
            f"reported on {fmt_date(self.today)}."
        )

    def save(self) -> None:
        self._save(self.edits())

    def reapply(self) -> None:
        """Re-apply the same edits onto the versions the conflicting rows have now."""
        problems = st.session_state.get(f"bulk-problems:{self.project_id}") or {}
        conflicts = problems.get("conflicts", {})
        edits = []
        for edit in problems.get("edits", []):
            current = conflicts.get(edit["row"])
            if current:
                edit = {**edit, "version": int(current["version"])}
                # The history names the change against the record as it is now.
                self.rows[edit["row"] - 1] = {
                    **self.rows[edit["row"] - 1],
                    "actual_date": _as_date(current.get("actual_date")),
                    "forecast_date": _as_date(current.get("forecast_date")),
                    "version": int(current["version"]),
                }
            edits.append(bulk.MilestoneEdit(**edit))
        self._save(edits)

    def draw(self) -> None:
        done = st.session_state.pop(f"bulk-done:{self.project_id}", None)
        if done:
            st.success(done, icon=":material/check_circle:")
        table = pd.DataFrame(self.rows)
        table["reason"] = ""
        table.insert(0, "row", range(1, len(table) + 1))
        st.data_editor(
            table,
            key=self.editor_key,
            hide_index=True,
            num_rows="fixed",
            width="stretch",
            column_order=(
                "row",
                "name",
                "is_key",
                "baseline_date",
                "forecast_date",
                "actual_date",
                "reason",
            ),
            disabled=("row", "baseline_date"),
            column_config={
                "row": st.column_config.NumberColumn("Row", width="small"),
                "name": st.column_config.TextColumn("Milestone", width="large"),
                "is_key": st.column_config.CheckboxColumn("Key", width="small"),
                "baseline_date": st.column_config.DateColumn(
                    "Baseline",
                    format="DD MMM YYYY",
                    help="Change with Re-baseline (needs a reason)",
                ),
                "forecast_date": st.column_config.DateColumn("Forecast", format="DD MMM YYYY"),
                "actual_date": st.column_config.DateColumn(
                    "Actual (reached)", format="DD MMM YYYY"
                ),
                "reason": st.column_config.TextColumn(
                    "Reason (kept in the history)", width="large"
                ),
            },
        )
        self._problems()
        st.button(
            "Save all milestone changes",
            type="primary",
            key=f"bulk-save-{self.project_id}",
            on_click=self.save,
            icon=":material/save:",
        )

    def _problems(self) -> None:
        problems = st.session_state.get(f"bulk-problems:{self.project_id}")
        if not problems:
            return
        names = {i + 1: r["name"] for i, r in enumerate(self.rows)}
        lines = [
            f"- **Row {row} · {names.get(row, '')}**"
            + (f" — {label(field)}" if field else "")
            + f": {message}"
            for row, fields in sorted(problems["errors"].items())
            for field, message in fields.items()
        ]
        edits = {e["row"]: e for e in problems["edits"]}
        for row, current in sorted(problems["conflicts"].items()):
            who = current.get("_changed_by") or "someone else"
            theirs = ", ".join(
                f"{label(f)} now {value_words(f, current.get(f), {})}"
                for f in edits[row]["changes"]
            )
            lines.append(
                f"- **Row {row} · {names.get(row, '')}** was changed by {who} since you opened "
                f"the table ({theirs}); your edit: "
                + ", ".join(
                    f"{label(f)} {value_words(f, v, {})}" for f, v in edits[row]["changes"].items()
                )
            )
        st.error(
            f"**Nothing was saved.** {len(lines)} row problem{'s' if len(lines) != 1 else ''}; "
            "your edits are still in the table.\n\n" + "\n".join(lines),
            icon=":material/error:",
        )
        if problems["conflicts"]:
            st.button(
                "Re-apply my edits to the new versions",
                key=f"bulk-reapply-{self.project_id}",
                on_click=self.reapply,
                icon=":material/replay:",
            )


def bulk_editor(version, project_id, milestones, actor, today) -> None:
    BulkEditor(version, project_id, milestones, actor, today).draw()


# --- one milestone at a time --------------------------------------------------------------


def add_milestone_form(version, project_id: int, actor: Actor, today: dt.date) -> None:
    def save(values: dict, _changes: dict, _version: int) -> str:
        with session_scope(version[0]) as session:
            commands.add_milestone(
                {
                    "project_id": project_id,
                    "name": values["name"],
                    "baseline_date": values["baseline_date"],
                    "forecast_date": values["forecast_date"] or values["baseline_date"],
                    "is_key": bool(values["is_key"]),
                },
                reported_on=today,
                session=session,
                actor=actor,
            )
        return f"Milestone “{values['name'].strip()}” added."

    initial = {"name": "", "baseline_date": None, "forecast_date": None, "is_key": False}
    form = EditForm("ms-new", project_id, initial, 0, save)
    with form.layout("Add milestone"):
        form.text("name")
        left, right = st.columns(2)
        with left:
            form.date("baseline_date")
        with right:
            form.date("forecast_date", optional=True, help="Empty: the baseline date")
        form.checkbox("is_key", help="Key milestones are shown on the portfolio views")


def one_milestone_form(version, project_id, milestones: pd.DataFrame, actor, today) -> None:
    names = dict(zip(milestones.id, milestones.name, strict=True))
    milestone_id = st.selectbox(
        "Milestone", list(names), format_func=names.get, key=f"ms-pick-{project_id}"
    )
    action = picker("What happened", ACTIONS, key=f"ms-action-{project_id}")
    milestone = records.record(version, "milestone", int(milestone_id))
    if milestone is None:  # removed meanwhile
        st.info("That milestone no longer exists.")
        return

    def save(values: dict, _changes: dict, expected: int) -> str:
        with session_scope(version[0]) as session:
            how = {
                "reported_on": today,
                "expected_version": expected,
                "session": session,
                "actor": actor,
            }
            if action == "move":
                commands.move_milestone(
                    milestone_id, values["forecast_date"], reason=values["reason"], **how
                )
            elif action == "complete":
                commands.complete_milestone(milestone_id, values["actual_date"], **how)
            elif action == "rebaseline":
                commands.rebaseline_milestone(
                    milestone_id, values["baseline_date"], reason=values["reason"], **how
                )
            else:
                commands.remove_milestone(milestone_id, reason=values["reason"], **how)
        return f"“{milestone['name']}”: {ACTIONS[action].lower()} saved."

    form = EditForm(
        f"ms-{action}",
        milestone_id,
        {**milestone, "reason": "", "actual_date": milestone["actual_date"] or today},
        milestone["version"],
        save,
    )
    st.caption(
        f"Baseline {fmt_date(milestone['baseline_date'])} · forecast "
        f"{fmt_date(milestone['forecast_date'])}"
        + (f" · reached {fmt_date(milestone['actual_date'])}" if milestone["actual_date"] else "")
    )
    with form.layout(ACTIONS[action]):
        if action == "move":
            form.date("forecast_date")
            form.text("reason", help="Optional: why the date moves (kept in the history)")
        elif action == "complete":
            form.date("actual_date", help="The day it was reached")
        elif action == "rebaseline":
            form.date("baseline_date", help="The new baseline; the old one stays in the history")
            form.text("reason", help="Required: who decided and why")
        else:
            form.text("reason", help="Why it leaves the plan (kept in the history)")
