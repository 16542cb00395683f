"""What each stored field is called in the interface, in the audit history and in spreadsheet
templates: one list, so a field has the same name wherever a user meets it."""

from __future__ import annotations

FIELD_LABELS = {
    "code": "Code",
    "name": "Name",
    "title": "Title",
    "description": "Description",
    "program_id": "Program",
    "department_id": "Department",
    "sponsor_id": "Sponsor",
    "manager_id": "Manager",
    "owner_id": "Owner",
    "phase": "Phase",
    "status": "Status",
    "priority": "Priority",
    "baseline_start": "Baseline start",
    "baseline_finish": "Baseline finish",
    "forecast_finish": "Forecast finish",
    "actual_finish": "Actual finish",
    "approved_budget": "Approved budget",
    "actual_cost": "Actual cost",
    "forecast_at_completion": "Forecast at completion",
    "percent_complete": "Percent complete",
    "report_date": "Report date",
    "recovery_cause": "Cause",
    "expected_green_date": "Expected back to Green",
    "recovery_confidence": "Confidence in that date",
    "recovery_note": "How the project gets back to Green",
    "recovery_actions": "Recovery actions",
    "ask": "What you ask for",
    "asked_of": "Of whom",
    "schedule_rag": "Schedule",
    "cost_rag": "Cost",
    "scope_rag": "Scope",
    "risk_rag": "Risk",
    "overall_rag": "Overall",
    "override_rag": "Override",
    "override_reason": "Reason for differing from the computed health",
    "summary": "Summary",
    "achievements": "Achievements",
    "next_steps": "Next steps",
    "blockers": "Blockers",
    "cost_to_date": "Cost to date",
    "planned_value": "Planned value",
    "baseline_date": "Baseline date",
    "forecast_date": "Forecast date",
    "actual_date": "Actual date",
    "is_key": "Key milestone",
    "removed_on": "Removed on",
    "added_on": "Added on",
    "category": "Category",
    "kind": "Kind",
    "probability": "Probability",
    "impact": "Impact",
    "residual_probability": "Residual probability",
    "residual_impact": "Residual impact",
    "response": "Response",
    "mitigation": "Mitigation",
    "response_due": "Response due",
    "proximity": "Proximity",
    "due_date": "Due date",
    "provider_project_id": "Waits on project",
    "provider_milestone_id": "Waits on milestone",
    "need_by": "Needed by",
    "decided_on": "Decided on",
    "raised_on": "Raised on",
    "closed_on": "Closed on",
    "last_assessed_on": "Last assessed on",
    "reason": "Reason",
    "note": "Note",
    "project_id": "Project",
    "score": "Score",
    "owner": "Owner",
    "waits_on": "Waits on",
}
# The rows for new recovery actions in the status update.
FIELD_LABELS.update({f"new_action_{i}_title": f"New recovery action {i}" for i in (1, 2, 3)})

# Fields that hold a person's, program's, department's or project's id, by what they name.
REFERENCES = {
    "sponsor_id": "people",
    "manager_id": "people",
    "owner_id": "people",
    "author_id": "people",
    "program_id": "programs",
    "department_id": "departments",
    "project_id": "projects",
    "provider_project_id": "projects",
}


def label(field: str) -> str:
    return FIELD_LABELS.get(field, field.replace("_", " ").capitalize())


# Rules about a whole record that name their field in other words.
RULE_FIELDS = {
    "dependency names the project": "provider_project_id",
    "cannot depend on itself": "provider_project_id",
    "override needs a reason": "override_reason",
}


def field_of_rule(message: str, fields: list[str]) -> str:
    """The field a record-level rule is about ("baseline finish must not be before baseline
    start" is about the baseline finish), so the message can stand next to that field; ""
    when none of `fields` is named."""
    lower = message.lower()
    for words, field in RULE_FIELDS.items():
        if words in lower and field in fields:
            return field
    named = [(lower.find(label(f).lower()), f) for f in fields if label(f).lower() in lower]
    return min(named)[1] if named else ""


def readable(table):
    """A table's columns named as the interface names them (ids and versions left out)."""
    shown = [c for c in table.columns if c not in ("id", "version")]
    return table[shown].rename(columns={c: label(c) for c in shown})


def without_label(field_label: str, message: str) -> str:
    """A message shown after its field's label, without saying the label twice
    ("Baseline finish" + "baseline finish must not be…" reads "Baseline finish must not be…")."""
    if message.lower().startswith(field_label.lower() + " "):
        return message[len(field_label) + 1 :]
    return message
