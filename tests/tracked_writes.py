"""Writes through the real write functions that leave a unique token in every row they touch,
so that after a load or a crash a test can prove each committed write is stored exactly once
(record or history row, and audit row) and each refused one not at all.

Also a writer process (`python -m tests.tracked_writes URL ...`) that writes without end and
prints each write's token right after its commit, for the SIGKILL tests.

Where the token goes:
- status update: the report's summary, and the summary in its audit row;
- milestone move: the new forecast date (token = that date in ISO form, unique per write), in
  the history row (also as its reason) and in the audit row;
- risk re-assessment: the assessment's note, and the mitigation text in the audit row.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import signal
import subprocess
import sys
import threading
from collections import Counter

import sqlalchemy as sa
from sqlmodel import Session

from data_access.core import clock
from data_access.core.config import APP_ROOT
from data_access.core.db import get_engine, read_df, session_scope
from data_access.core.models import AuditLog
from data_access.core.writes import Actor
from data_access.updates import commands

TODAY = clock.today()  # the run's day (PMO_TODAY, set by the tests)
FIRST_FORECAST = dt.date(2030, 1, 1)
KINDS = ("status", "milestone", "risk")


def status_update(
    session: Session, actor: Actor, project_id: int, token: str, percent: float
) -> None:
    commands.submit_status_report(
        {
            "project_id": project_id,
            "report_date": TODAY,
            "schedule_rag": "G",
            "summary": token,
            "percent_complete": percent,
            "cost_to_date": 1_000.0,
            "forecast_at_completion": 100_000.0,
        },
        session=session,
        actor=actor,
    )


def milestone_token(serial: int) -> str:
    return (FIRST_FORECAST + dt.timedelta(days=serial)).isoformat()


def move(session: Session, actor: Actor, milestone_id: int, token: str, version: int) -> None:
    commands.move_milestone(
        milestone_id,
        dt.date.fromisoformat(token),
        reported_on=TODAY,
        reason=token,
        expected_version=version,
        session=session,
        actor=actor,
    )


def reassess(
    session: Session, actor: Actor, risk_id: int, token: str, probability: int, version: int
) -> None:
    commands.update_risk(
        risk_id,
        {"probability": probability, "mitigation": token},
        assessed_on=TODAY,
        note=token,
        expected_version=version,
        session=session,
        actor=actor,
    )


def stored(url: str) -> dict[str, dict[str, Counter]]:
    """Tokens found in the database: {kind: {"record": Counter, "audit": Counter}}."""
    found = {kind: {"record": Counter(), "audit": Counter()} for kind in KINDS}
    found["status"]["record"].update(
        read_df("SELECT summary FROM status_report", url=url).summary.tolist()
    )
    history = read_df(
        "SELECT reason, forecast_date FROM milestone_history WHERE change = 'forecast'", url=url
    )
    # A history row is only the move's if it holds the date the move asked for.
    found["milestone"]["record"].update(
        r for r, d in zip(history.reason, history.forecast_date, strict=True) if r == str(d)
    )
    found["risk"]["record"].update(read_df("SELECT note FROM risk_assessment", url=url).note)
    audit = AuditLog.__table__
    field = {"status_report": "summary", "milestone": "forecast_date", "risk": "mitigation"}
    kind = {"status_report": "status", "milestone": "milestone", "risk": "risk"}
    with get_engine(url).connect() as conn:
        rows = conn.execute(
            sa.select(audit.c.entity, audit.c.after).where(
                audit.c.entity.in_(field), audit.c.action.in_(("create", "update"))
            )
        )
        for entity, after in rows:
            if after and field[entity] in after:
                found[kind[entity]]["audit"][after[field[entity]]] += 1
    return found


def version_of(url: str, table: str, row_id: int) -> int:
    return int(
        read_df(f"SELECT version FROM {table} WHERE id = :id", {"id": row_id}, url).version[0]
    )


def write_forever(
    url: str, project_id: int, milestone_id: int, risk_id: int, first_serial: int
) -> None:
    """Status updates, milestone moves and risk re-assessments in turn, without end; each
    token is printed (and flushed) only after its write committed."""
    actor = Actor(person_id=None, name="stream writer", role="admin")
    for serial in itertools.count(first_serial):
        kind = KINDS[serial % 3]
        with session_scope(url) as session:
            if kind == "status":
                token = f"stream-{serial}"
                status_update(session, actor, project_id, token, float(serial % 100))
            elif kind == "milestone":
                token = milestone_token(serial)
                move(
                    session, actor, milestone_id, token, version_of(url, "milestone", milestone_id)
                )
            else:
                token = f"stream-{serial}"
                risk = read_df(
                    "SELECT version, probability FROM risk WHERE id = :id", {"id": risk_id}, url
                )
                # Another probability than now, so the change is a re-assessment.
                probability = int(risk.probability[0]) % 5 + 1
                reassess(session, actor, risk_id, token, probability, int(risk.version[0]))
        print(kind, token, flush=True)


class WriterProcess:
    """A `write_forever` process whose reports are read as they come, for the kill and backup
    tests. Only a whole line (ended by its newline) is a report: a line cut short when the
    process is stopped or killed in the middle of printing it is not, so it is never read as a
    record. Every test of this kind reads the writer through this class."""

    def __init__(self, url: str, project: int, milestone: int, risk: int, first_serial: int = 0):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.tracked_writes", url]
            + [str(project), str(milestone), str(risk), "--first-serial", str(first_serial)],
            cwd=APP_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self._lines: list[str] = []
        self._changed = threading.Condition()
        self._ended = False
        self.errors = ""
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            with self._changed:
                if line.endswith("\n"):
                    self._lines.append(line)
                self._changed.notify_all()
        with self._changed:
            self._ended = True
            self._changed.notify_all()

    @property
    def count(self) -> int:
        """Writes reported so far."""
        with self._changed:
            return len(self._lines)

    def wait_for(self, count: int, timeout: float) -> None:
        """Until `count` writes are reported; fails with the writer's errors if it ends or
        stays silent first (the timeout only guards against a hang)."""
        with self._changed:
            self._changed.wait_for(lambda: len(self._lines) >= count or self._ended, timeout)
            if len(self._lines) >= count:
                return
        self.stop()
        raise AssertionError(f"writer reported {self.count} of {count} writes: {self.errors}")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """Stop (or, with SIGKILL, kill) the writer and read what it printed before."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        self.process.wait()
        self._reader.join()
        self.errors = self.process.stderr.read()
        self.process.stdout.close()
        self.process.stderr.close()

    def reported(self) -> dict[str, set[str]]:
        """The tokens of every write reported so far, by kind."""
        with self._changed:
            lines = list(self._lines)
        tokens: dict[str, set[str]] = {kind: set() for kind in KINDS}
        for line in lines:
            kind, token = line.split()
            tokens[kind].add(token)
        return tokens


def main() -> None:
    parser = argparse.ArgumentParser(description=write_forever.__doc__)
    parser.add_argument("url")
    parser.add_argument("project_id", type=int)
    parser.add_argument("milestone_id", type=int)
    parser.add_argument("risk_id", type=int)
    parser.add_argument("--first-serial", type=int, default=0)
    args = parser.parse_args()
    write_forever(args.url, args.project_id, args.milestone_id, args.risk_id, args.first_serial)


if __name__ == "__main__":
    main()
