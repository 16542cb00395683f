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
    if not f.active:
        return projects  # no copy of 5,000 rows to keep them all
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


# Query-parameter names of the filters (short, so shared links stay readable): the sidebar
# reads them, and links sent by e-mail or to stakeholders write them.
QUERY_KEYS = {
    "portfolio": "portfolio",
    "program": "program",
    "department": "dept",
    "manager": "pm",
    "phase": "phase",
    "status": "status",
    "health": "health",
}
TEXT_KEY = "q"


def filter_query(f: PortfolioFilter) -> dict[str, list[str] | str]:
    """The filter as query parameters, under the names the sidebar reads."""
    params: dict[str, list[str] | str] = {
        key: list(getattr(f, field)) for field, key in QUERY_KEYS.items() if getattr(f, field)
    }
    if f.text:
        params[TEXT_KEY] = f.text
    return params


def filter_to_dict(f: PortfolioFilter) -> dict:
    """The filter as plain JSON (a saved view)."""
    saved = {field: list(getattr(f, field)) for field in QUERY_KEYS if getattr(f, field)}
    return {**saved, "text": f.text} if f.text else saved


def filter_from_dict(saved: dict | None) -> PortfolioFilter:
    saved = saved or {}
    return PortfolioFilter(
        **{field: tuple(saved.get(field) or ()) for field in QUERY_KEYS},
        text=str(saved.get("text") or ""),
    )


def describe_filter(f: PortfolioFilter) -> str:
    """The filter in words: "Program: Finance Transformation; Health: Red"."""
    parts = [
        f"{field.capitalize()}: {', '.join(getattr(f, field))}"
        for field in QUERY_KEYS
        if getattr(f, field)
    ]
    if f.text:
        parts.append(f'Search: "{f.text}"')
    return "; ".join(parts) or "Whole portfolio"
