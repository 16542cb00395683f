"""Library reads: each document with its current version and downloads, one document's
versions, and a file's content (for a signed-in person's download)."""

from __future__ import annotations

import pandas as pd

from data_access.core.db import read_df
from data_access.core.sql import as_dates


def documents(*, url: str | None = None) -> pd.DataFrame:
    df = read_df(
        """
        WITH latest AS (
            SELECT document_id, MAX(number) AS number, SUM(downloads) AS downloads
            FROM library_file GROUP BY document_id
        )
        SELECT d.id, d.name, d.description, d.phases, f.id AS file_id, f.number,
               f.filename, f.size, f.uploaded_on, COALESCE(l.downloads, 0) AS downloads
        FROM library_document d
        LEFT JOIN latest l ON l.document_id = d.id
        LEFT JOIN library_file f ON f.document_id = d.id AND f.number = l.number
        ORDER BY d.name
        """,
        url=url,
    )
    return as_dates(df, ["uploaded_on"])


def documents_for_phase(stage: str, *, url: str | None = None) -> pd.DataFrame:
    """The documents tagged with a lifecycle stage that have a version to download (the
    current one), for the phase's guidance."""
    docs = documents(url=url)
    tagged = docs.phases.map(lambda phases: stage in [p.strip() for p in phases.split(",")])
    return docs[tagged & docs.file_id.notna()].reset_index(drop=True)


def versions(document_id: int, *, url: str | None = None) -> pd.DataFrame:
    df = read_df(
        "SELECT f.id, f.number, f.filename, f.size, f.note, f.uploaded_on, f.downloads, "
        "p.name AS uploaded_by FROM library_file f LEFT JOIN person p ON p.id = f.uploaded_by_id "
        "WHERE f.document_id = :d ORDER BY f.number DESC",
        {"d": document_id},
        url=url,
    )
    return as_dates(df, ["uploaded_on"])


def file_content(file_id: int, *, url: str | None = None) -> tuple[str, str, bytes] | None:
    df = read_df(
        "SELECT filename, media_type, content FROM library_file WHERE id = :id",
        {"id": file_id},
        url=url,
    )
    if df.empty:
        return None
    row = df.iloc[0]
    return row.filename, row.media_type, bytes(row.content)
