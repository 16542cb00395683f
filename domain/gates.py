"""Stage gates and process compliance: pure rules with the reason in words, like health.

A gate's criteria are either checked by the app from a project's facts (one row of
`data_access.gates.reads.gate_facts`) with the PMO's thresholds (settings), or attested by a
person with evidence. Compliance gives each project a result per policy: compliant, late or
missing, with why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from data_access.core.lifecycles import DECISION_LABELS, MOVES_ON  # noqa: F401 (re-exported)
from domain.formatting import fmt_date
from domain.portfolio_view import week_ends

APPROVER_LABELS = {"sponsor": "Sponsor", "portfolio_manager": "Portfolio manager", "pmo": "PMO"}

Facts = Mapping[str, Any]


@dataclass(frozen=True)
class Result:
    met: bool
    reason: str


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT


def _as_date(value: Any) -> dt.date | None:
    if _missing(value):
        return None
    if isinstance(value, pd.Timestamp | dt.datetime):
        return value.date()
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    return value


def _count(facts: Facts, key: str) -> int:
    value = facts.get(key)
    return 0 if _missing(value) else int(value)


# --- criteria the app checks ------------------------------------------------------------------


def budget_approved(facts: Facts, config: Mapping, on: dt.date) -> Result:
    budget = facts.get("approved_budget") or 0
    if budget > 0:
        return Result(True, f"Approved budget {budget:,.0f} {config.get('currency', '')}".strip())
    return Result(False, "No approved budget is recorded")


def status_recent(facts: Facts, config: Mapping, on: dt.date) -> Result:
    limit = int(config["gate_status_days"])
    last = _as_date(facts.get("last_report"))
    if last is None:
        return Result(False, "No status update yet")
    age = (on - last).days
    if age <= limit:
        return Result(True, f"Last update {fmt_date(last)}, {_days(age)} ago (limit {limit})")
    return Result(False, f"Last update {fmt_date(last)}, {_days(age)} ago: more than {limit}")


def plan_baselined(facts: Facts, config: Mapping, on: dt.date) -> Result:
    need = int(config["gate_min_milestones"])
    have = _count(facts, "milestones")
    if have >= need:
        return Result(True, f"{have} baselined milestones in the plan (at least {need})")
    return Result(False, f"{have} baselined milestones in the plan: fewer than {need}")


def high_risks_answered(facts: Facts, config: Mapping, on: dt.date) -> Result:
    bad = _count(facts, "high_risks_unanswered")
    if bad == 0:
        return Result(True, "Every open High/Critical risk has an owner and a response")
    return Result(False, f"{bad} open High/Critical risk(s) without an owner or a response")


def risks_reviewed(facts: Facts, config: Mapping, on: dt.date) -> Result:
    days = int(config["risk_review_days"])
    stale = _count(facts, "stale_risks")
    if stale == 0:
        return Result(True, f"Every open risk re-assessed in the last {_days(days)}")
    return Result(False, f"{stale} open risk(s) not re-assessed for more than {_days(days)}")


def phase_milestones_done(facts: Facts, config: Mapping, on: dt.date) -> Result:
    due = _as_date(facts.get("gate_due"))
    if due is None:
        return Result(False, "The gate has no planned date, so the phase's milestones are unknown")
    left = _count(facts, "open_phase_milestones")
    if left == 0:
        return Result(True, f"Every milestone baselined by {fmt_date(due)} is complete")
    return Result(False, f"{left} milestone(s) baselined by {fmt_date(due)} not complete")


def gate_actions_closed(facts: Facts, config: Mapping, on: dt.date) -> Result:
    left = _count(facts, "open_gate_actions")
    if left == 0:
        return Result(True, "No open action from an earlier gate")
    return Result(False, f"{left} action(s) from an earlier gate still open")


CHECKS: dict[str, Callable[[Facts, Mapping, dt.date], Result]] = {
    "budget_approved": budget_approved,
    "status_recent": status_recent,
    "plan_baselined": plan_baselined,
    "high_risks_answered": high_risks_answered,
    "risks_reviewed": risks_reviewed,
    "phase_milestones_done": phase_milestones_done,
    "gate_actions_closed": gate_actions_closed,
}

# What each check asks, in the words the template editor offers the PMO.
CHECK_LABELS = {
    "budget_approved": "Budget approved",
    "status_recent": "A recent status update",
    "plan_baselined": "Plan baselined with milestones",
    "high_risks_answered": "High/Critical risks have an owner and a response",
    "risks_reviewed": "No risk left unreviewed",
    "phase_milestones_done": "The phase's milestones complete",
    "gate_actions_closed": "Conditions of the last gate closed",
}
CRITERION_KIND_LABELS = {"auto": "Checked by the app", "attested": "Attested"}


def evaluate_criteria(
    criteria: list[Mapping], facts: Facts, config: Mapping, on: dt.date, attested: set[str]
) -> list[dict[str, Any]]:
    """Each criterion with `met` and the reason; attested ones are met once evidence is given."""
    out = []
    for c in criteria:
        if c["kind"] == "auto":
            check = CHECKS.get(c["check"])
            result = (
                check(facts, config, on)
                if check
                else Result(False, f"Unknown check '{c['check']}'")
            )
        elif c["id"] in attested:
            result = Result(True, "Attested with evidence")
        else:
            result = Result(False, "Waiting for evidence from the project manager")
        out.append({**dict(c), "met": result.met, "reason": result.reason})
    return out


def unmet_musts(results: list[Mapping]) -> list[str]:
    return [r["label"] for r in results if r.get("must", True) and not r["met"]]


# --- compliance -----------------------------------------------------------------------------

POLICIES = {
    "status": "Status report on time",
    "risks": "Risks reviewed",
    "gate": "Gate on time",
    "criteria": "Criteria met at last gate",
    "baselines": "Baselines set",
}
COMPLIANCE_ORDER = ("missing", "late", "compliant")
COMPLIANCE_COLOURS = {"compliant": "#009E73", "late": "#E69F00", "missing": "#D55E00"}
COMPLIANCE_LETTERS = {"compliant": "✓", "late": "L", "missing": "✗"}
# The PM's to-do and "gates due" look this far ahead.
TODO_HORIZON_DAYS = 14
# Stages where a project is expected to work to a baselined plan.
PLANNED_STAGES = ("Execution", "Closing")


def _status_policy(f: Facts, config: Mapping, on: dt.date) -> tuple[str, str]:
    cadence, grace = int(config["gate_status_days"]), int(config["status_late_days"])
    last = _as_date(f.get("last_report"))
    if last is None:
        return "missing", "No status update ever"
    age = (on - last).days
    if age <= cadence:
        return "compliant", f"Updated {_days(age)} ago"
    if age <= cadence + grace:
        return "late", f"Updated {_days(age)} ago: due every {_days(cadence)}"
    return "missing", f"No update for {_days(age)}"


def _risks_policy(f: Facts, config: Mapping, on: dt.date) -> tuple[str, str]:
    result = risks_reviewed(f, config, on)
    return ("compliant" if result.met else "late"), result.reason


def _gate_policy(f: Facts, config: Mapping, on: dt.date) -> tuple[str, str]:
    if _missing(f.get("template_id")):
        return "missing", "Follows no lifecycle template"
    if f.get("lifecycle_status") != "active":
        return "compliant", f"Lifecycle {f.get('lifecycle_status')}"
    due = _as_date(f.get("gate_due"))
    if due is None:
        return "missing", "The next gate has no planned date"
    late_by = (on - due).days
    if late_by <= 0:
        return "compliant", f"Next gate planned {fmt_date(due)}"
    grace = int(config["gate_decide_days"])
    state = "late" if late_by <= grace else "missing"
    waiting = " (submitted, awaiting decision)" if f.get("pending_gate_id") else ""
    return state, f"Gate overdue by {_days(late_by)}{waiting}"


def _criteria_policy(f: Facts, config: Mapping, on: dt.date) -> tuple[str, str]:
    if _missing(f.get("last_decided_on")):
        return "compliant", "No gate decided yet"
    unmet = _count(f, "last_gate_unmet")
    when = fmt_date(_as_date(f.get("last_decided_on")))
    if unmet == 0:
        return "compliant", f"Every must-meet criterion met at the gate of {when}"
    return "missing", f"{unmet} must-meet criteria unmet at the gate of {when}"


def _baselines_policy(f: Facts, config: Mapping, on: dt.date) -> tuple[str, str]:
    if f.get("phase") not in PLANNED_STAGES:
        return "compliant", f"Not needed before execution (phase {f.get('phase')})"
    have = _count(f, "milestones")
    if have >= int(config["gate_min_milestones"]):
        return "compliant", f"{have} baselined milestones"
    return "missing", f"In {f.get('phase')} with {have} baselined milestones"


RULES = {
    "status": _status_policy,
    "risks": _risks_policy,
    "gate": _gate_policy,
    "criteria": _criteria_policy,
    "baselines": _baselines_policy,
}


def compliance(facts: pd.DataFrame, config: Mapping, on: dt.date) -> pd.DataFrame:
    """One row per project and policy: state (compliant / late / missing) and the reason."""
    rows = []
    for f in facts.to_dict("records"):
        for policy, rule in RULES.items():
            state, reason = rule(f, config, on)
            rows.append(
                {
                    "project_id": f["project_id"],
                    "code": f["code"],
                    "name": f["name"],
                    "program": f["program"],
                    "department": f["department"],
                    "policy": POLICIES[policy],
                    "state": state,
                    "reason": reason,
                }
            )
    columns = ["project_id", "code", "name", "program", "department", "policy", "state", "reason"]
    return pd.DataFrame(rows, columns=columns)


def compliance_by(results: pd.DataFrame, group: str) -> pd.DataFrame:
    """Share of compliant projects per group (department, program) and policy, worst first."""
    if results.empty:
        return pd.DataFrame(columns=[group, "policy", "share", "projects", "label"])
    df = results.assign(ok=results.state.eq("compliant"))
    out = df.groupby([group, "policy"], as_index=False).agg(
        share=("ok", "mean"), projects=("ok", "size")
    )
    out["label"] = (out.share * 100).round().astype(int).astype(str) + " %"
    return out.sort_values(["share", group]).reset_index(drop=True)


def gates_due(
    facts: pd.DataFrame, on: dt.date, horizon_days: int = TODO_HORIZON_DAYS
) -> pd.DataFrame:
    """Active lifecycles whose next gate is overdue or planned within the horizon, soonest first."""
    cols = ["project_id", "code", "name", "manager", "gate", "gate_due", "days", "when", "pending"]
    if facts.empty:
        return pd.DataFrame(columns=cols)
    f = facts[facts.lifecycle_status.eq("active") & facts.gate_due.notna()].copy()
    f["gate_due"] = f.gate_due.map(_as_date)
    f["days"] = f.gate_due.map(lambda d: (d - on).days)
    f = f[f.days <= horizon_days].sort_values(["days", "code"])
    f["when"] = f.days.map(
        lambda d: f"overdue by {_days(-d)}" if d < 0 else "today" if d == 0 else f"in {_days(d)}"
    )
    f["pending"] = f.pending_gate_id.notna()
    return f.reindex(columns=cols).reset_index(drop=True)


def todo(facts: Facts, config: Mapping, on: dt.date, gate_name: str | None) -> list[dict]:
    """What the process asks of a project's manager this week, most pressing first."""
    items = []
    state, reason = _status_policy(facts, config, on)
    if state != "compliant" or _as_date(facts.get("last_report")) is None:
        items.append(
            {"what": "Submit the weekly status update", "why": reason, "section": "Status"}
        )
    if _count(facts, "stale_risks"):
        items.append(
            {
                "what": "Re-assess risks",
                "why": risks_reviewed(facts, config, on).reason,
                "section": "Risks",
            }
        )
    if _count(facts, "high_risks_unanswered"):
        items.append(
            {
                "what": "Give High/Critical risks an owner and a response",
                "why": high_risks_answered(facts, config, on).reason,
                "section": "Risks",
            }
        )
    due = _as_date(facts.get("gate_due"))
    active = facts.get("lifecycle_status") == "active"
    if (
        active
        and due is not None
        and (due - on).days <= 14
        and _missing(facts.get("pending_gate_id"))
    ):
        late = (on - due).days
        when = f"overdue by {_days(late)}" if late > 0 else f"planned {fmt_date(due)}"
        items.append(
            {"what": f"Submit the gate: {gate_name or 'next gate'}", "why": when, "section": "Gate"}
        )
    if _count(facts, "open_gate_actions"):
        items.append(
            {
                "what": "Close the conditions of the last gate",
                "why": gate_actions_closed(facts, config, on).reason,
                "section": "Gate",
            }
        )
    return items


# The facts each policy's rule reads: compliance over time runs a rule once per distinct
# combination of these in a week, not once per project (5,000 projects x 26 weeks).
POLICY_FACTS = {
    "status": ("last_report",),
    "risks": ("stale_risks",),
    "gate": ("template_id", "lifecycle_status", "gate_due", "pending_gate_id"),
    "criteria": ("last_decided_on", "last_gate_unmet"),
    "baselines": ("phase", "milestones"),
}
# Compliance over time: the last half year, week by week (the last point is today).
TREND_WEEKS = 26


def ended_weeks(today: dt.date) -> list[dt.date]:
    """The past week ends compliance over time shows (its last point, today, is not over)."""
    return week_ends(today, TREND_WEEKS)[:-1]


def weeks_to_work_out(past: list[dt.date], recorded: set[dt.date]) -> list[dt.date]:
    """The past week ends (oldest first) to work out from the history because they were not
    recorded: from the first missing one to the last, so that they are 7 days apart as
    `data_access.gates.reads.weekly_facts` wants them (recorded ones among them are kept)."""
    missing = [w for w in past if w not in recorded]
    return [w for w in past if w >= missing[0]] if missing else []


def weekly_states(weekly: pd.DataFrame, config: Mapping) -> pd.DataFrame:
    """Per project and week's end (the rows of `data_access.gates.reads.weekly_facts`): the
    state of each policy that day. Columns project_id, week_end and one per policy key."""
    out = weekly[["project_id", "week_end"]].reset_index(drop=True)
    for policy, rule in RULES.items():
        keys = ["week_end", *POLICY_FACTS[policy]]
        combo = weekly.groupby(keys, dropna=False, sort=False).ngroup().to_numpy()
        # ngroup numbers combinations in order of first appearance, as these rows come.
        firsts = weekly.loc[~pd.Series(combo).duplicated().to_numpy(), keys]
        states = [rule(f, config, f["week_end"])[0] for f in firsts.to_dict("records")]
        out[policy] = pd.Series(states, dtype=object).to_numpy()[combo]
    return out


def state_counts(states: pd.DataFrame) -> pd.DataFrame:
    """How many projects had each state of each policy per week's end (`weekly_states`
    rows). Columns week_end, policy (its key), state, n: the shape
    `data_access.gates.history.compliance_counts` reads from the recorded weeks."""
    long = states.melt(
        id_vars=["week_end"], value_vars=list(RULES), var_name="policy", value_name="state"
    )
    return _counted(long)


def results_counts(results: pd.DataFrame, on: dt.date) -> pd.DataFrame:
    """`state_counts` of today's compliance results (`compliance`), as of `on`."""
    keys = {label: key for key, label in POLICIES.items()}
    return _counted(results.assign(policy=results.policy.map(keys), week_end=on))


def _counted(long: pd.DataFrame) -> pd.DataFrame:
    """Rows of week_end, policy, state counted into n."""
    counted = long.groupby(["week_end", "policy", "state"], as_index=False).size()
    return counted.rename(columns={"size": "n"})


def compliance_over_time(counts: pd.DataFrame) -> pd.DataFrame:
    """Per week's end and policy: how many projects the rule found compliant, late or missing
    that day, from `state_counts` rows. Columns week_end, policy (its name), compliant, late,
    missing, projects, share (of compliant projects)."""
    cols = ["week_end", "policy", *COMPLIANCE_ORDER[::-1], "projects", "share"]
    if counts.empty:
        return pd.DataFrame(columns=cols)
    out = counts.pivot_table(
        index=["week_end", "policy"], columns="state", values="n", aggfunc="sum", fill_value=0
    ).reindex(columns=list(COMPLIANCE_ORDER), fill_value=0)
    out["projects"] = out.sum(axis=1)
    out["share"] = out.compliant / out.projects
    out = out.reset_index().rename_axis(columns=None)
    out["policy"] = out.policy.map(POLICIES)
    return out[cols]


def approver_ids(gate: Mapping, pmo: set[int]) -> set[int]:
    """The people a submitted gate waits for: the project's sponsor and its program's manager
    where the template names those roles, and the PMO (`pmo`: the admins' ids) where it names
    the PMO or nobody else is found."""
    wanted = {
        "sponsor": gate.get("sponsor_id"),
        "portfolio_manager": gate.get("program_manager_id"),
    }
    named = {
        int(wanted[role])
        for role in gate["approvers"]
        if role in wanted and wanted[role] is not None and pd.notna(wanted[role])
    }
    return named | set(pmo) if "pmo" in gate["approvers"] or not named else named
