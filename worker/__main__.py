"""Run the worker: `python -m worker` (the scheduler) or `python -m worker --once`.

Scheduler: APScheduler 3.x, chosen because it is the established in-process scheduler for
Python with cron triggers (weekday and hour, as subscriptions are written), runs in a plain
process without a broker, and keeps jobs to one instance at a time within a process
(`max_instances=1`, `coalesce=True`). It does not make runs exactly-once across processes by
itself (its 3.x job stores do not lock runs), so that guarantee is ours and lives in the
database: a PostgreSQL advisory lock per job lets one worker run a job at a time, unique
delivery keys make planning idempotent, and row locks make sending once. Job definitions are
in code; the memory job store is enough because no state lives in the scheduler.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
import zlib
from contextlib import contextmanager, suppress

import sqlalchemy as sa
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from data_access.core import clock
from data_access.core.config import normalise_url
from data_access.core.db import get_engine
from data_access.core.schema import upgrade_database
from worker.jobs import JOBS

log = logging.getLogger("pmo.worker")

# When each job runs. Planning every minute sends a weekly report within a minute of its hour.
TRIGGERS = {
    "reports": lambda: CronTrigger(minute="*", timezone=dt.UTC),
    "reminders": lambda: CronTrigger(minute="*/5", timezone=dt.UTC),
    "notifications": lambda: IntervalTrigger(minutes=1),
    "send": lambda: IntervalTrigger(seconds=20),
    # Hourly, and once at start so that a new install's history is there at once.
    "compliance": lambda: IntervalTrigger(hours=1),
}
RUN_AT_START = {"compliance"}


@contextmanager
def job_lock(name: str, url: str | None):
    """On PostgreSQL, hold a session advisory lock for the job: True if this process has it.
    The lock goes with the connection, so a worker killed mid-run releases it at once."""
    engine = get_engine(url)
    if engine.dialect.name != "postgresql":
        yield True
        return
    key = zlib.crc32(f"pmo-worker-{name}".encode())
    with engine.connect() as conn:
        got = conn.execute(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar()
        conn.commit()
        try:
            yield bool(got)
        finally:
            if got:
                conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                conn.commit()


def run_job(name: str, url: str | None, now: dt.datetime | None = None) -> bool:
    """Run one job under its lock; False if it failed (logged, the other jobs still run)."""
    try:
        with job_lock(name, url) as mine:
            if not mine:
                log.info("%s: another worker is running it", name)
                return True
            result = JOBS[name](now or clock.now(), url)
            log.info("%s: %s", name, result)
            return True
    except Exception:
        log.exception("%s failed", name)
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Send reports, reminders and notifications.")
    parser.add_argument("--once", action="store_true", help="run every job once and stop")
    parser.add_argument(
        "--now", type=dt.datetime.fromisoformat, help="run as at this moment (with --once)"
    )
    parser.add_argument("--url", help="database URL (default: DATABASE_URL or data/pmo.db)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    url = normalise_url(args.url) if args.url else None
    upgrade_database(url)
    if args.once:
        now = args.now if args.now is None or args.now.tzinfo else args.now.replace(tzinfo=dt.UTC)
        results = [run_job(name, url, now) for name in JOBS]
        return 0 if all(results) else 1
    scheduler = BlockingScheduler(timezone=dt.UTC)
    for name, trigger in TRIGGERS.items():
        scheduler.add_job(
            run_job,
            trigger(),
            args=(name, url),
            id=name,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=300,
            **({"next_run_time": dt.datetime.now(dt.UTC)} if name in RUN_AT_START else {}),
        )
    log.info("worker started: %s", ", ".join(TRIGGERS))
    with suppress(KeyboardInterrupt, SystemExit):
        scheduler.start()
    return 0


if __name__ == "__main__":
    sys.exit(main())
