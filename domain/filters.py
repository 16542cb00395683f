"""The shared portfolio filters as plain values, and applying them to a project table."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from domain.formatting import RAG_LABELS


@dataclass(frozen=True)
class PortfolioFilter:
    portfolio: tuple[str, ...] = ()
    program: tuple[str, ...] = ()
    department: tuple[str, ...] = ()
    manager: tuple[str, ...] = ()
    phase: tuple[str, ...] = ()
    status: tuple[str, ...] = ()
    health: tuple[str, ...] = ()  # labels: Red, Amber, Stale, Green, Completed
    text: str = ""

    @property
    def active(self) -> bool:
        return any(getattr(self, f) for f in self.__dataclass_fields__)


def apply_filter(projects: pd.DataFrame, f: PortfolioFilter) -> pd.DataFrame:
    """Rows of `projects` (a health table) that match every chosen filter."""
    mask = pd.Series(True, index=projects.index)
    for column in ("portfolio", "program", "department", "manager", "phase", "status"):
        chosen = getattr(f, column)
        if chosen:
            mask &= projects[column].isin(chosen)
    if f.health:
        letters = [k for k, v in RAG_LABELS.items() if v in f.health]
        mask &= projects["overall_rag"].isin(letters)
    if f.text.strip():
        needle = f.text.strip().lower()
        haystack = (
            projects["code"] + " " + projects["name"] + " " + projects["manager"].fillna("")
        ).str.lower()
        mask &= haystack.str.contains(needle, regex=False)
    return projects[mask]
