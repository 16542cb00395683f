"""The API's request budgets: a token bucket per key (a token, a client address), kept in the
database so that N app processes behind a proxy share one budget instead of allowing N times it.

Not a change of anyone's data: no audit row, no data-version bump, so caches stay warm.
"""

from __future__ import annotations

import itertools
import time

import sqlalchemy as sa

from data_access.core.db import session_scope

# Buckets idle this long are full again, the same as absent: dropped now and then.
IDLE_SECONDS = 3600
_calls = itertools.count()


def _upsert(dialect: str) -> sa.TextClause:
    least, greatest = ("LEAST", "GREATEST") if dialect == "postgresql" else ("MIN", "MAX")
    # Every SET expression reads the row as it was; a clock behind the last one refills nothing.
    refill = f"{least}(:cap, rate_bucket.tokens + {greatest}(0, :now - rate_bucket.at) * :rate)"
    return sa.text(
        "INSERT INTO rate_bucket (key, tokens, at, allowed) VALUES (:key, :cap - 1, :now, TRUE) "
        "ON CONFLICT (key) DO UPDATE SET "
        f"tokens = CASE WHEN {refill} >= 1 THEN {refill} - 1 ELSE {refill} END, "
        f"allowed = {refill} >= 1, at = :now "
        "RETURNING tokens, allowed"
    )


def take(
    budgets: list[tuple[str, int]], *, now: float | None = None, url: str | None = None
) -> float:
    """Spend one request from each (key, requests a minute) budget, in one transaction: 0 if
    every budget had one left, else the seconds until the emptiest has one again (a budget
    with none left is not spent further)."""
    now = time.time() if now is None else now
    wait = 0.0
    with session_scope(url) as session:  # in turn with the other writers (SQLite)
        upsert = _upsert(session.get_bind().dialect.name)
        for key, per_minute in budgets:
            rate = per_minute / 60.0
            tokens, allowed = session.execute(
                upsert, {"key": key[:100], "cap": float(per_minute), "now": now, "rate": rate}
            ).one()
            if not allowed:
                wait = max(wait, (1 - tokens) / rate)
        if next(_calls) % 1000 == 0:
            session.execute(
                sa.text("DELETE FROM rate_bucket WHERE at < :old"), {"old": now - IDLE_SECONDS}
            )
        session.commit()
    return wait
