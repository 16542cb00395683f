"""Time the lessons' full-text search at 20,000 lessons (issue 25: the database's own index,
SQLite FTS5 or PostgreSQL tsvector, answers; nothing is scanned in pandas)."""

from __future__ import annotations

import datetime as dt
import statistics
import time

import sqlalchemy as sa

from data_access.core.db import get_engine, read_scalar
from data_access.core.lesson_models import Lesson
from data_access.core.models import utcnow
from data_access.lessons.reads import search

LESSONS = 20_000
TARGET_MS = 300  # a word search and a phrase search, each
WORDS = ["supplier", "contract", "testing", "budget", "sponsor", "cut-over", "training"]


def lesson_rows(count: int, author_id: int, on: dt.date, start: int = 0) -> list[dict]:
    """`count` accepted lessons with words from WORDS, numbered from `start` ("Lesson 19999")."""
    now = utcnow()
    return [
        {
            "version": 1,
            "created_at": now,
            "updated_at": now,
            "title": f"Lesson {i} about {WORDS[i % 7]}",
            "what_happened": f"On project {i} the {WORDS[(i * 3) % 7]} went wrong.",
            "kind": "avoid",
            "recommendation": f"Check the {WORDS[(i * 5) % 7]} early, before the gate.",
            "category": "schedule",
            "phase": "Execution",
            "project_size": "medium",
            "tags": WORDS[i % 7],
            "status": "accepted",
            "source": "manual",
            "recorded_on": on,
            "author_id": author_id,
        }
        for i in range(start, start + count)
    ]


def measure_lesson_search(url: str, today: dt.date, repeats: int = 5) -> dict[str, float]:
    """Median ms of a two-word search and of a phrase search, the database topped up to
    LESSONS lessons (`url` is a scratch copy: rows are added)."""
    have = read_scalar("SELECT COUNT(*) FROM lesson", url=url)
    author = read_scalar("SELECT MIN(id) FROM person", url=url)
    if have < LESSONS:
        with get_engine(url).begin() as conn:
            conn.execute(
                sa.insert(Lesson.__table__), lesson_rows(LESSONS - have, author, today, have)
            )
    search("warm up", url=url)

    def timed(text: str) -> float:
        samples = []
        for _ in range(repeats):
            started = time.perf_counter()
            search(text, url=url)
            samples.append(time.perf_counter() - started)
        return round(statistics.median(samples) * 1000, 1)

    return {"word_ms": timed("contract budget"), "phrase_ms": timed('"lesson 19999"')}
