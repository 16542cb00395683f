"""Databases of the scale tiers, built once and reused (they are deterministic)."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import sqlalchemy as sa

from data_access.core.db import get_engine
from data_access.core.schema import upgrade_database
from data_access.demo.generator import generate
from data_access.demo.loader import is_empty, load

CACHE = Path(__file__).resolve().parent / ".cache"
# Tier XL is the team deployment's ceiling (PMO_DOMAIN.md): measured on PostgreSQL only.
POSTGRES_ONLY = ("XL",)


def _counts(url: str) -> dict[str, int]:
    tables = [
        "project",
        "milestone",
        "milestone_history",
        "risk",
        "risk_assessment",
        "status_report",
        "allocation",
        "person",
    ]
    with get_engine(url).connect() as conn:
        return {t: conn.execute(sa.text(f"SELECT COUNT(*) FROM {t}")).scalar() for t in tables}


def sqlite_tier(tier: str, today: dt.date, seed: int = 42) -> tuple[str, float | None]:
    """A SQLite file holding `tier`; returns its URL and the load time if it was built now."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"tier-{tier}-{seed}-{today.isoformat()}.db"
    url = f"sqlite:///{path}"
    if path.exists() and not is_empty(url):
        upgrade_database(url)
        return url, None
    path.unlink(missing_ok=True)
    started = time.perf_counter()
    upgrade_database(url)
    load(generate(tier, seed=seed, today=today), url)
    return url, time.perf_counter() - started


def postgres_tier(server_url: str, tier: str, today: dt.date, seed: int = 42):
    """A database `pmo_bench_<tier>` on the server of `server_url`, (re)built when empty."""
    name = f"pmo_bench_{tier.lower()}_{today:%Y%m%d}"
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
        ).first()
        if not exists:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = sa.make_url(server_url).set(database=name).render_as_string(hide_password=False)
    upgrade_database(url)
    if not is_empty(url):
        return url, None
    started = time.perf_counter()
    load(generate(tier, seed=seed, today=today), url)  # which analyses the tables
    return url, time.perf_counter() - started


def tier_counts(url: str) -> dict[str, int]:
    return _counts(url)
