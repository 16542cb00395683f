"""Competence: what a person holds of a course on a day, the matrix of people by course, and
the gap between what a project's size and risk ask of its manager and what they hold.

A course is *held* when completed and not expiring within 90 days, *expiring* when it lapses
within 90 days (the day itself included), *expired* once its expiry day has passed, *missing*
when never completed. Only a held or expiring course counts as held for the rule.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

EXPIRING_DAYS = 90
STATES = ("held", "expiring", "expired", "missing")
STATE_LABELS = {
    "held": "Held",
    "expiring": f"Expires within {EXPIRING_DAYS} days",
    "expired": "Expired",
    "missing": "Missing",
}


# A project whose highest open risk is in one of these bands is also a "risk" class of the rule;
# a Critical one asks for what a High one does as well.
RISK_CLASSES_OF_BAND = {"High": ("risk_high",), "Critical": ("risk_high", "risk_critical")}


def rule_classes(size: str, risk_band: str | None) -> list[str]:
    """What the competence rule sees of a project: its size, and its risk level."""
    return [size, *RISK_CLASSES_OF_BAND.get(risk_band, ())]


def described(size: str, risk_band: str | None) -> str:
    """ "a large project with a Critical risk", as the warnings say it."""
    risk = f" with a {risk_band} risk" if risk_band in RISK_CLASSES_OF_BAND else ""
    return f"a {size} project{risk}"


def state(completed_on: dt.date | None, expires_on: dt.date | None, on: dt.date) -> str:
    if completed_on is None or pd.isna(completed_on):
        return "missing"
    if expires_on is None or pd.isna(expires_on):
        return "held"
    if expires_on < on:
        return "expired"
    return "expiring" if (expires_on - on).days <= EXPIRING_DAYS else "held"


def matrix(people: pd.DataFrame, courses: pd.DataFrame, records: pd.DataFrame, on: dt.date):
    """One row per (person, course): person, course, state, expires_on."""
    grid = people[["person_id", "person"]].merge(courses[["course_id", "course"]], how="cross")
    grid = grid.merge(
        records[["person_id", "course_id", "completed_on", "expires_on"]],
        on=["person_id", "course_id"],
        how="left",
    )
    grid["state"] = [
        state(c, e, on) for c, e in zip(grid.completed_on, grid.expires_on, strict=True)
    ]
    return grid


def gap(required: list[str], held: pd.DataFrame, on: dt.date) -> list[str]:
    """What a manager lacks of `required` course names, in words ("PRINCE2 Practitioner
    (expired)"); `held` is the manager's records with course, completed_on and expires_on."""
    by_course = {r.course: state(r.completed_on, r.expires_on, on) for r in held.itertuples()}
    lacking = []
    for course in required:
        current = by_course.get(course, "missing")
        if current not in ("held", "expiring"):
            lacking.append(f"{course} ({STATE_LABELS[current].lower()})")
    return lacking
