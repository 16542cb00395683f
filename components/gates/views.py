"""The lifecycle on the project page, the gates awaiting decision, the compliance view and a
project manager's to-do list."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd
import streamlit as st

from components.access.session import current_actor, is_admin, may_edit_project
from components.common import data
from components.common.chart_cache import vega_spec
from components.common.data import Version
from components.common.safe_text import md_escape
from components.gates import actions, forms
from components.gates import data as gdata
from domain import gates
from domain.filters import PortfolioFilter
from domain.formatting import fmt_date

# The Quick updates tab (in its URL) for each kind of to-do item.
UPDATE_SECTIONS = {"Status": "&section=Status%20update", "Risks": "&section=RAID"}
# A long list is read from the top: the rest is a filter away (the sidebar).
ROWS_SHOWN = 200
BAR_HEIGHT = 90
TREND_HEIGHT = 420  # px: title, legend row, 0-100 % with room to tell 96 % from 100 %, axis
MARKS = {"done": "✓", "current": "●", "next": "○", "stopped": "✗"}


def phase_states(phases: list[dict], lifecycle: dict) -> pd.DataFrame:
    """Each phase with its state (done, current, next, stopped) for the lifecycle bar."""
    index, status = int(lifecycle["phase_index"]), lifecycle["status"]
    states = []
    for i in range(len(phases)):
        if status == "completed" or i < index:
            states.append("done")
        elif i == index:
            states.append("stopped" if status == "stopped" else "current")
        else:
            states.append("next")
    return pd.DataFrame(
        {
            "phase": [p["name"] for p in phases],
            "gate": [p["gate"] for p in phases],
            "state": states,
            "mark": [MARKS[s] for s in states],
        }
    )


def criteria_table(results: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Met": ["✓ yes" if r["met"] else "✗ no" for r in results],
            "Criterion": [r["label"] for r in results],
            "Checked by": ["the app" if r["kind"] == "auto" else "evidence" for r in results],
            "Must": ["must" if r.get("must", True) else "should" for r in results],
            "Why": [r["reason"] for r in results],
        }
    )


def _due_words(due: dt.date | None, today: dt.date) -> str:
    if due is None:
        return "no planned date"
    days = (due - today).days
    if days < 0:
        return f"planned {fmt_date(due)}, **overdue by {-days} days**"
    return f"planned {fmt_date(due)} (in {days} days)"


def lifecycle_section(
    version: Version,
    today: dt.date,
    project_id: int,
    closing_lesson: Callable | None = None,
    phase_documents: Callable | None = None,
) -> None:
    """Lifecycle bar, the current phase's guidance, the next gate's criteria and its forms.
    The page's callbacks, so that this feature imports neither: `closing_lesson()` draws the
    lesson form beside the closing gate's submission (that gate asks for a lesson),
    `phase_documents(stage)` the library's documents under the phase's guidance."""
    forms.show_outcome()
    lifecycle = gdata.lifecycle(version, project_id)
    editor = may_edit_project(project_id)
    if lifecycle is None:
        st.info("This project follows no lifecycle template yet.", icon=":material/route:")
        if editor:
            forms.assign_form(version, today, project_id)
        return
    phases = gdata.template(version, int(lifecycle["template_id"]))["phases"]
    st.vega_lite_chart(
        vega_spec(
            "lifecycle_bar",
            phase_states(phases, lifecycle),
            title=f"{lifecycle['template']} (revision {lifecycle['revision']})",
        ),
        width="stretch",
        height=BAR_HEIGHT,
    )
    history = gdata.gate_history(version, project_id)
    if lifecycle["status"] != "active":
        st.markdown(f"**Lifecycle {lifecycle['status']}.**")
    else:
        phase = phases[int(lifecycle["phase_index"])]
        closing = int(lifecycle["phase_index"]) == len(phases) - 1
        _current_phase(
            version, today, project_id, lifecycle, phase, history, editor, phase_documents
        )
        if (
            closing
            and editor
            and closing_lesson is not None
            and history[history.status == "submitted"].empty
        ):
            closing_lesson()
    if not history.empty:
        st.markdown("##### Gate history")
        st.dataframe(
            _history_table(history, phases),
            hide_index=True,
            width="stretch",
        )
    if is_admin():
        with st.expander("PMO admin: change the phase without a gate (recorded exception)"):
            forms.exception_form(version, today, project_id, lifecycle)


def _current_phase(
    version, today, project_id, lifecycle, phase, history, editor, documents
) -> None:
    guide, gate_box = st.columns([1, 1], gap="large")
    with guide:
        st.markdown(f"##### Phase: {md_escape(phase['name'])}")
        st.markdown(md_escape(phase["guidance"]))
        if phase["deliverables"]:
            st.markdown(
                "**Deliverables:** " + " · ".join(md_escape(d) for d in phase["deliverables"])
            )
        links = st.container(horizontal=True)
        for link in phase["links"]:
            # The PMO's pages: /templates/<phase> and /training/<phase>.
            links.link_button(
                link.rstrip("/").split("/")[-2].capitalize(), link, icon=":material/open_in_new:"
            )
        if documents is not None:
            documents(phase["stage"])
    pending = history[history.status == "submitted"]
    with gate_box:
        approvers = ", ".join(gates.APPROVER_LABELS[a] for a in phase["approvers"])
        st.markdown(f"##### Next gate: {md_escape(phase['gate'])}")
        st.markdown(f"{_due_words(lifecycle['gate_due'], today)} · decided by {approvers}")
        if pending.empty:
            st.caption("Criteria checked against today's data:")
            results = gdata.criteria(version, today, project_id)
        else:
            gate = pending.iloc[0]
            st.caption(
                f"Submitted {fmt_date(gate.submitted_on)} by {gate.submitted_by or 'unknown'}: "
                "the criteria as they were then. Awaiting a decision."
            )
            results = gate.criteria
    st.dataframe(criteria_table(results), hide_index=True, width="stretch")
    if pending.empty:
        if editor:
            forms.submit_form(version, today, project_id, lifecycle, phase)
        return
    gate = pending.iloc[0].to_dict()
    _evidence_list(version, int(gate["id"]))
    if actions.may_decide(version[0], project_id, phase["approvers"], current_actor()):
        forms.decide_form(version, today, gate, "project")


def _evidence_list(version: Version, gate_id: int) -> None:
    ev = gdata.evidence(version, gate_id)
    if ev.empty:
        return
    st.markdown("**Evidence given**")
    st.dataframe(
        ev.rename(
            columns={
                "criterion_id": "Criterion",
                "comment": "Comment",
                "link": "Link",
                "file_name": "File",
            }
        ).drop(columns="id"),
        hide_index=True,
        width="stretch",
        column_config={"Link": st.column_config.LinkColumn("Link")},
    )
    for row in ev[ev.file_name != ""].itertuples():
        stored = gdata.evidence_file(version, int(row.id))
        if stored is not None:
            st.download_button(
                f"Download {stored[0]}",
                stored[1],
                file_name=stored[0],
                key=f"evidence_{row.id}",
                icon=":material/download:",
            )


def _history_table(history: pd.DataFrame, phases: list[dict]) -> pd.DataFrame:
    def gate_name(i):
        return phases[int(i)]["gate"] if int(i) < len(phases) else f"Gate {int(i) + 1}"

    return pd.DataFrame(
        {
            "Gate": history.phase_index.map(gate_name),
            "Submitted": history.submitted_on.map(fmt_date),
            "By": history.submitted_by.fillna(""),
            "Decision": history.decision.map(lambda d: gates.DECISION_LABELS.get(d, "awaiting")),
            "Decided": history.decided_on.map(fmt_date),
            "Approver": history.decided_by.fillna(""),
            "Reason": history.reason,
            "Unmet musts": history.unmet,
            "Conditions open": history.open_conditions.astype(str)
            + " of "
            + history.conditions.astype(str),
        }
    )


# --- portfolio: compliance, gates due, to-do ------------------------------------------------


def compliance_section(version: Version, today: dt.date, f: PortfolioFilter) -> None:
    results = gdata.compliance(version, today, f)
    if results.empty:
        st.info("No project matches the filters.")
        return
    group = st.segmented_control(
        "Rows",
        ["department", "program", "project"],
        default="department",
        format_func=str.capitalize,
        key="compliance_rows",
        required=True,
    )
    if group == "project":
        worst = results.assign(bad=results.state.ne("compliant")).groupby("code").bad.sum()
        order = worst.sort_values(ascending=False).index[:60]
        shown = results[results.code.isin(order)]
        shown = shown.set_index("code").loc[order].reset_index()
        spec = vega_spec(
            "project_heatmap",
            shown,
            title="Process compliance by project (worst first): ✓ compliant, L late, ✗ missing",
        )
    else:
        spec = vega_spec(
            "compliance_heatmap",
            gates.compliance_by(results, group),
            rows=group,
            title=f"Share of projects compliant, by {group} and policy",
        )
    st.vega_lite_chart(spec, width="stretch")
    st.vega_lite_chart(
        vega_spec(
            "compliance_trend",
            gdata.compliance_trend(version, today, f),
            title=f"Share of projects compliant, per policy, week by week "
            f"(last {gates.TREND_WEEKS} weeks)",
        ),
        width="stretch",
        height=TREND_HEIGHT,
    )
    bad = results[results.state != "compliant"]
    with st.expander(f"Why: {len(bad):,} results not compliant"):
        if len(bad) > ROWS_SHOWN:
            st.caption(f"The first {ROWS_SHOWN} of {len(bad):,}.")
        st.dataframe(
            bad[["code", "name", "policy", "state", "reason"]].head(ROWS_SHOWN),
            hide_index=True,
            width="stretch",
        )


def gates_due_section(version: Version, today: dt.date, f: PortfolioFilter) -> None:
    due = gdata.gates_due(version, today, f)
    overdue = int((due.days < 0).sum())
    st.markdown(
        f"**{overdue} gate(s) overdue, {len(due) - overdue} due in the next "
        f"{gates.TODO_HORIZON_DAYS} days**"
    )
    if due.empty:
        st.caption("No gate is overdue or due soon.")
        return
    if len(due) > ROWS_SHOWN:
        st.caption(f"The first {ROWS_SHOWN} of {len(due):,}, most overdue first.")
    due = due.head(ROWS_SHOWN)
    st.dataframe(
        pd.DataFrame(
            {
                "Project": due.code + " · " + due.name,
                "Manager": due.manager.fillna(""),
                "Gate": due.gate,
                "Planned": due.gate_due.map(fmt_date),
                "When": due["when"],
                "Submitted": due.pending.map({True: "awaiting decision", False: "not yet"}),
            }
        ),
        hide_index=True,
        width="stretch",
    )


def todo_section(version: Version, today: dt.date, asked_of_me: list[dict] = ()) -> None:
    """What the process asks of the signed-in person, with links: for each project they
    manage, what is due this week; the gates awaiting their decision; and `asked_of_me`
    (rows in the same shape from other features, e.g. escalations put to them)."""
    actor = current_actor()
    rows = _process_todo(version, today, actor.person_id) + _gates_to_decide(version, actor)
    rows += list(asked_of_me)
    if not rows:
        st.success("Nothing is asked of you this week: the process is followed.")
        return
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        width="stretch",
        column_config={"Open": st.column_config.LinkColumn("Open", display_text="Open")},
    )


def _process_todo(version: Version, today: dt.date, person_id: int | None) -> list[dict]:
    facts = gdata.facts(version, today)
    mine = facts[facts.manager_id == person_id]
    if mine.empty:
        return []
    names = gdata.gate_names(version, mine)
    rows = []
    config = data.settings(version)
    for (_, f), gate in zip(mine.iterrows(), names, strict=True):
        for item in gates.todo(f.to_dict(), config, today, gate):
            target = "project" if item["section"] == "Gate" else "updates"
            section = UPDATE_SECTIONS.get(item["section"], "")
            rows.append(
                {
                    "Project": f"{f.code} · {f['name']}",
                    "To do": item["what"],
                    "Why": item["why"],
                    "Open": f"/{target}?project={f.code}{section}",
                }
            )
    return rows


def _gates_to_decide(version: Version, actor) -> list[dict]:
    """Gates awaiting the person's decision: every one for the PMO, who may decide them all."""
    if actor.person_id is None:
        return []
    admin = is_admin()
    return [
        {
            "Project": f"{g['code']} · {g['name']}",
            "To do": f"Decide the {g['gate']}",
            "Why": f"submitted on {fmt_date(g['submitted_on'])}",
            "Open": "/gates?tab=Gates",
        }
        for g in gdata.pending_gates(version).to_dict("records")
        if admin or actor.person_id in gates.approver_ids(g, set())
    ]


def pending_section(
    version: Version, today: dt.date, f: PortfolioFilter, below_gate: Callable | None = None
) -> None:
    """Gates awaiting a decision as a list; the chosen one with its criteria, evidence and,
    for its approvers, the decision form. `below_gate(gate)` draws what the page adds under
    the chosen gate (the lessons form), without this feature importing that one."""
    forms.show_outcome()
    pending = gdata.pending_matching(version, today, f)
    if pending.empty:
        st.caption("No gate awaits a decision.")
        return
    listed = pending.head(ROWS_SHOWN)
    if len(pending) > ROWS_SHOWN:
        st.caption(f"The {ROWS_SHOWN} oldest submissions of {len(pending):,}.")
    st.dataframe(
        pd.DataFrame(
            {
                "Project": listed.code + " · " + listed.name,
                "Gate": listed.gate,
                "Submitted": listed.submitted_on.map(fmt_date),
                "By": listed.submitted_by.fillna(""),
                "Unmet musts": listed.unmet,
            }
        ),
        hide_index=True,
        width="stretch",
    )
    labels = dict(zip(listed.id.astype(int), listed.code + " · " + listed.gate, strict=True))
    chosen = st.selectbox(
        "Open a gate to decide it", list(labels), format_func=labels.get, key="gates_open"
    )
    gate = listed[listed.id == chosen].iloc[0].to_dict()
    criteria = gdata.gate_criteria(version, int(gate["id"]))
    st.dataframe(criteria_table(criteria), hide_index=True, width="stretch")
    _evidence_list(version, int(gate["id"]))
    if actions.may_decide(version[0], gate["project_id"], gate["approvers"], current_actor()):
        forms.decide_form(version, today, gate, "list")
    else:
        st.caption("Only the approvers the template names decide this gate.")
    if below_gate is not None:
        below_gate(gate)


def template_library(version: Version) -> None:
    """The lifecycle templates: phases, guidance, deliverables and gate criteria; PMO admins
    copy, edit (a new revision), retire and delete them."""
    forms.show_outcome()
    library = gdata.templates(version)
    for t in library.to_dict("records"):
        state = "retired" if t["status"] == "retired" else f"{t['projects']} project(s)"
        title = f"{t['name']} · revision {t['revision']} · {state}"
        with st.expander(md_escape(title)):
            st.markdown(md_escape(t["description"]))
            for i, phase in enumerate(gdata.template(version, int(t["id"]))["phases"], 1):
                approvers = ", ".join(gates.APPROVER_LABELS[a] for a in phase["approvers"])
                st.markdown(
                    f"**{i}. {md_escape(phase['name'])}** ({phase['stage']}, "
                    f"{phase['weeks']} weeks) · gate *{md_escape(phase['gate'])}* decided by "
                    f"{approvers}"
                )
                st.caption(md_escape(phase["guidance"]))
                st.dataframe(
                    criteria_table(
                        [{**c, "met": True, "reason": ""} for c in phase["criteria"]]
                    ).drop(columns=["Met", "Why"]),
                    hide_index=True,
                    width="stretch",
                )
            if is_admin():
                forms.template_admin(version, t)
    if is_admin() and not library.empty:
        _template_editor(version, library)


def _template_editor(version: Version, library: pd.DataFrame) -> None:
    """A PMO admin edits the newest revision of a template; saving makes the next one."""
    st.subheader("Edit a template", anchor=False)
    newest = library.drop_duplicates("key").set_index("key")
    chosen = st.selectbox(
        "Template",
        list(newest.index),
        format_func=lambda k: f"{newest.name[k]} (revision {newest.revision[k]})",
        key="template_edit_key",
    )
    st.caption(
        f"Saved as revision {newest.revision[chosen] + 1}. Projects keep the revision they "
        "follow until a PMO admin moves them (a recorded exception on the project's page)."
    )
    forms.template_editor(version, newest.loc[chosen].to_dict() | {"key": chosen})
