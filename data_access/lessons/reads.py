"""Lesson reads: the register with its marks, the candidates offered to one project, the
project's context for the relevance rule, and full-text search by the database's own engine.

Search picks by dialect: SQLite's FTS5 table (porter stemming, accents folded by unicode61) or
PostgreSQL's generated tsvector column with its GIN index (english stemming, accents folded by
the same translate() the column uses). Both read the user's text the same way: words are all
required, "quoted words" must appear together as a phrase.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import NamedTuple

import pandas as pd
import sqlalchemy as sa

from data_access.core.db import get_engine, read_df, read_scalar
from data_access.core.sql import as_dates

_MARKS = """
marks AS (
    SELECT lesson_id,
           SUM(CASE WHEN kind = 'useful' THEN 1 ELSE 0 END) AS useful,
           SUM(CASE WHEN kind = 'applied' THEN 1 ELSE 0 END) AS applied
    FROM lesson_mark GROUP BY lesson_id
)"""

_COLUMNS = """
    l.id, l.version, l.title, l.what_happened, l.kind, l.recommendation, l.category, l.phase,
    l.department_id, d.name AS department, l.project_size, l.tags, l.status, l.source,
    l.project_id, p.code AS project_code, p.name AS project_name, l.gate_review_id,
    l.recorded_on, l.author_id, a.name AS author, l.risk_id, l.raid_item_id,
    l.guidance_template_id, t.key AS guidance_key, t.revision AS guidance_revision,
    l.guidance_phase,
    COALESCE(m.useful, 0) AS useful, COALESCE(m.applied, 0) AS applied"""

_FROM = """
FROM lesson l
LEFT JOIN marks m ON m.lesson_id = l.id
LEFT JOIN department d ON d.id = l.department_id
LEFT JOIN project p ON p.id = l.project_id
LEFT JOIN person a ON a.id = l.author_id
LEFT JOIN lifecycle_template t ON t.id = l.guidance_template_id"""


def _typed(df: pd.DataFrame) -> pd.DataFrame:
    for col in ("useful", "applied"):
        df[col] = df[col].astype(int)
    return as_dates(df, ["recorded_on"])


def lessons(
    *,
    status: str | None = None,
    project_id: int | None = None,
    ids: Sequence[int] | None = None,
    limit: int | None = None,
    url: str | None = None,
) -> pd.DataFrame:
    """The register, newest first, optionally of one status, one project or these lessons;
    the newest `limit` only, if given."""
    where, params = [], {}
    if ids is not None:
        where.append("l.id IN :ids")
        params["ids"] = list(ids)
    if status:
        where.append("l.status = :status")
        params["status"] = status
    if project_id is not None:
        where.append("l.project_id = :project_id")
        params["project_id"] = project_id
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    sql = f"WITH {_MARKS} SELECT {_COLUMNS} {_FROM} {clause} ORDER BY l.recorded_on DESC, l.id DESC"
    if limit is not None:
        sql += " LIMIT :limit"
        params["limit"] = limit
    statement = sa.text(sql)
    if ids is not None:
        statement = statement.bindparams(sa.bindparam("ids", expanding=True))
    return _typed(read_df(statement, params, url=url))


def lesson_count(*, status: str | None = None, url: str | None = None) -> int:
    """How many lessons the register holds (of one status, if given)."""
    if status:
        return int(read_scalar("SELECT COUNT(*) FROM lesson WHERE status = :s", {"s": status}, url))
    return int(read_scalar("SELECT COUNT(*) FROM lesson", url=url))


class Sharing(NamedTuple):
    """What a lesson must share with a project to be offered (one of them)."""

    phase: str
    department: int | None
    categories: tuple[str, ...]


# What the relevance rule reads of a lesson: not its texts, which only the few shown need.
_CANDIDATE_SQL = f"""WITH {_MARKS}
SELECT l.id, l.category, l.phase, l.department_id, l.project_size, l.status, l.recorded_on,
       COALESCE(m.useful, 0) AS useful, COALESCE(m.applied, 0) AS applied
FROM lesson l LEFT JOIN marks m ON m.lesson_id = l.id
WHERE l.status <> 'archived' AND (l.project_id IS NULL OR l.project_id <> :project_id)"""


def candidates(
    project_id: int, *, sharing: Sharing | None = None, url: str | None = None
) -> pd.DataFrame:
    """Lessons another project could learn from: every lesson not archived and not its own,
    with what the relevance rule (`domain.lessons.rank`) weighs; `lessons(ids=...)` gives the
    few it picks in full. `sharing`: only those of this phase, department or one of these
    categories (the rule offers no other: at 80,000 lessons, two thirds are not read)."""
    if sharing is None:
        return _typed(read_df(_CANDIDATE_SQL, {"project_id": project_id}, url=url))
    statement = sa.text(
        _CANDIDATE_SQL
        + " AND (l.phase = :phase OR l.department_id = :department OR l.category IN :categories)"
    ).bindparams(sa.bindparam("categories", expanding=True))
    params = {"project_id": project_id, **sharing._asdict()}
    params["categories"] = list(params["categories"])
    return _typed(read_df(statement, params, url=url))


def project_context(project_id: int, *, url: str | None = None) -> dict | None:
    """What the relevance rule knows of a project: phase, department, budget, the categories
    of its open risks, and what its signed-in reader already marked."""
    row = read_df(
        "SELECT id, phase, department_id, approved_budget FROM project WHERE id = :id",
        {"id": project_id},
        url=url,
    )
    if row.empty:
        return None
    risks = read_df(
        "SELECT DISTINCT category FROM risk WHERE project_id = :id AND status = 'open'",
        {"id": project_id},
        url=url,
    )
    return {
        **row.iloc[0].to_dict(),
        "risk_categories": sorted(c for c in risks.category if c),
    }


def marked_by(person_id: int | None, *, url: str | None = None) -> set[tuple[int, str]]:
    """(lesson id, kind) a person already marked, so the buttons show it."""
    if person_id is None:
        return set()
    df = read_df(
        "SELECT lesson_id, kind FROM lesson_mark WHERE person_id = :p", {"p": person_id}, url=url
    )
    return {(int(r.lesson_id), r.kind) for r in df.itertuples()}


# --- full-text search -----------------------------------------------------------------------

_TERMS = re.compile(r'"([^"]*)"|([^\s"]+)')
_WORD = re.compile(r"\w+")


def search_terms(text: str) -> list[list[str]]:
    """The user's query as required terms, each a list of words (one word, or a phrase).

    Punctuation is dropped, so nothing the user types can reach the engines' query syntax."""
    terms = []
    for phrase, word in _TERMS.findall(text or ""):
        words = _WORD.findall(phrase or word)
        if words:
            terms.append(words)
    return terms


def _quoted(terms: list[list[str]]) -> str:
    """Each term in double quotes: a phrase to both FTS5 MATCH and websearch_to_tsquery."""
    return " ".join('"' + " ".join(words) + '"' for words in terms)


def _folded(text: str) -> str:
    """Lower case without accents, as the PostgreSQL column is built (ł and ø have no
    decomposition, so they are mapped like the migration's translate() does)."""
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("ł", "l").replace("ø", "o"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def search(text: str, *, limit: int = 50, url: str | None = None) -> pd.DataFrame:
    """Lessons matching every word and phrase of `text`, best match first."""
    terms = search_terms(text)
    if not terms:
        return lessons(url=url).head(0)
    if get_engine(url).dialect.name == "postgresql":
        match = """JOIN (
            SELECT id, ts_rank(search_vector, q) AS score
            FROM lesson, websearch_to_tsquery('english', :q) AS q
            WHERE search_vector @@ q
        ) hit ON hit.id = l.id"""
        params = {"q": _folded(_quoted(terms))}
        order = "hit.score DESC"
    else:
        # bm25 is lower for a better match in SQLite.
        match = """JOIN (
            SELECT rowid AS id, bm25(lesson_fts) AS score FROM lesson_fts
            WHERE lesson_fts MATCH :q
        ) hit ON hit.id = l.id"""
        params = {"q": _quoted(terms)}
        order = "hit.score ASC"
    sql = f"""WITH {_MARKS} SELECT {_COLUMNS} {_FROM} {match}
    ORDER BY {order}, l.id DESC LIMIT :limit"""
    return _typed(read_df(sql, {**params, "limit": limit}, url=url))


def departments(*, url: str | None = None) -> pd.DataFrame:
    return read_df("SELECT id, name FROM department ORDER BY name", url=url)
