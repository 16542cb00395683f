"""Cached lesson reads, keyed by plain values and the data version (components.common.data)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from components.common.cache import data_cache
from components.common.data import Version
from data_access.gates import reads as gate_reads
from data_access.lessons import reads
from domain import lessons as rule

REGISTER_ROWS = 500  # the newest shown; search finds the others


@data_cache(max_entries=8)
def register(version: Version, status: str | None) -> tuple[pd.DataFrame, int]:
    """The newest lessons (of one status, if given) and how many there are in all."""
    newest = reads.lessons(status=status, limit=REGISTER_ROWS, url=version[0])
    return newest, reads.lesson_count(status=status, url=version[0])


@data_cache(max_entries=16)
def search(version: Version, text: str) -> pd.DataFrame:
    return reads.search(text, url=version[0])


@data_cache(max_entries=32)
def for_project(version: Version, project_id: int, on: dt.date) -> pd.DataFrame:
    """The few lessons most relevant to a project, with the reason for each."""
    context = reads.project_context(project_id, url=version[0])
    if context is None:
        return pd.DataFrame()
    department = context.get("department_id")
    sharing = reads.Sharing(
        context["phase"],
        None if pd.isna(department) else int(department),
        tuple(sorted(rule.lesson_categories(context.get("risk_categories", ())))),
    )
    pool = reads.candidates(project_id, sharing=sharing, url=version[0])
    best = rule.rank(pool, context, on)
    if best.empty:
        return best
    shown = reads.lessons(ids=best.id.tolist(), url=version[0]).set_index("id").loc[best.id]
    return shown.reset_index().assign(score=best.score.to_numpy(), reason=best.reason.to_numpy())


@data_cache(max_entries=32)
def of_project(version: Version, project_id: int) -> pd.DataFrame:
    return reads.lessons(project_id=project_id, url=version[0])


@data_cache(max_entries=16)
def marked_by(version: Version, person_id: int | None) -> set[tuple[int, str]]:
    return reads.marked_by(person_id, url=version[0])


@data_cache(max_entries=4)
def departments(version: Version) -> dict[int, str]:
    df = reads.departments(url=version[0])
    return dict(zip(df.id, df.name, strict=True))


@data_cache(max_entries=4)
def latest_templates(version: Version) -> dict[int, str]:
    """The newest revision of each active lifecycle template: the one guidance changes build on."""
    df = gate_reads.templates(url=version[0])
    df = df[df.status == "active"].sort_values("revision").drop_duplicates("key", keep="last")
    return {int(t.id): f"{t.name} (revision {t.revision})" for t in df.itertuples()}


@data_cache(max_entries=16)
def template(version: Version, template_id: int) -> dict:
    return gate_reads.template(template_id, url=version[0])
