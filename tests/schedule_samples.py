"""Schedule files for import tests: MPXJ's real fixtures and richer ones written by MPXJ itself.

The fixtures live beside the clone in `../shared/fixtures/msproject/` (CI puts `shared/` there);
in a git worktree the folder beside the main checkout is used.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from data_access.schedules.files import write_mspdi

ROOT = Path(__file__).resolve().parents[1]
RELATIVE = Path("..") / "shared" / "fixtures" / "msproject"


def _main_checkout() -> Path | None:
    """The main checkout of a git worktree (its .git is a file naming .../.git/worktrees/X)."""
    git = ROOT / ".git"
    if git.is_file() and git.read_text().startswith("gitdir:"):
        return Path(git.read_text().split(":", 1)[1].strip()).parents[2]
    return None


def fixture_folder() -> Path:
    """The real schedule files; skips the test, saying where it looked, if they are absent."""
    places = [ROOT / RELATIVE] + ([main / RELATIVE] if (main := _main_checkout()) else [])
    for place in places:
        if place.is_dir():
            return place.resolve()
    pytest.skip(f"schedule fixtures not found at {' or '.join(map(str, places))}")


GUID = "3f2b8c1e-7d4a-4e5f-9a6b-0c1d2e3f4a5b"
START = dt.date(2026, 1, 5)


def generated_schedule(
    tasks: int = 200,
    *,
    slip_days: int = 0,
    completed: int = 0,
    status_date: dt.date = dt.date(2026, 2, 2),
    guid: str = GUID,
    team_hours: float = 0,
) -> dict:
    """A schedule of `tasks` tasks in phases of 10 (one summary, eight work tasks, one milestone),
    each phase starting a week after the one before; baseline 0 is the plan, baseline 1 is
    two weeks earlier. `slip_days` moves the forecast of every milestone after the first
    `completed` ones (which are finished on their baseline date) that many days later.
    With `team_hours`, TEAM works: Ann Lee `team_hours` on every work task, Bob Stone half
    that on each phase's first one (so Ann's weekly hours rise with the overlapping phases)."""
    specs, phase = [], 0
    uid = 1
    while len(specs) < tasks:
        first = START + dt.timedelta(weeks=phase)
        work_days = [
            (first + dt.timedelta(days=7 * k), first + dt.timedelta(days=7 * k + 4))
            for k in range(8)
        ]
        finish = work_days[-1][1]
        done = phase < completed
        forecast = finish if done else finish + dt.timedelta(days=slip_days)
        specs.append(
            {
                "uid": uid,
                "name": f"Phase {phase + 1}",
                "outline_level": 1,
                "start": first.isoformat(),
                "finish": forecast.isoformat(),
                "baseline_start": {"0": first.isoformat()},
                "baseline_finish": {"0": finish.isoformat()},
                "cost": 8000.0,
                "baseline_cost": {"0": 8000.0},
                "actual_cost": 8000.0 if done else 0.0,
                "percent_complete": 100.0 if done else 0.0,
            }
        )
        for k, (start, end) in enumerate(work_days):
            team = [(1, team_hours)] + ([(2, team_hours / 2)] if k == 0 else [])
            specs.append(
                {
                    "assignments": [
                        {"resource_uid": uid, "work_hours": hours} for uid, hours in team if hours
                    ],
                    "uid": uid + 1 + k,
                    "name": f"Work {phase + 1}.{k + 1}",
                    "outline_level": 2,
                    "start": start.isoformat(),
                    "finish": end.isoformat(),
                    "baseline_finish": {"0": end.isoformat()},
                    "cost": 1000.0,
                    "baseline_cost": {"0": 1000.0},
                }
            )
        specs.append(
            {
                "uid": uid + 9,
                "name": f"Phase {phase + 1} done",
                "outline_level": 2,
                "milestone": True,
                "finish": forecast.isoformat(),
                "actual_finish": finish.isoformat() if done else None,
                "baseline_finish": {
                    "0": finish.isoformat(),
                    "1": (finish - dt.timedelta(days=14)).isoformat(),
                },
            }
        )
        uid += 10
        phase += 1
    return {
        "title": f"Generated plan of {tasks} tasks",
        "guid": guid,
        "status_date": status_date.isoformat(),
        "tasks": specs[:tasks],
        "resources": list(TEAM) if team_hours else [],
    }


TEAM = (
    {"uid": 1, "name": "Ann Lee", "email": "ann.lee@example.org"},
    {"uid": 2, "name": "Bob Stone", "email": "bob.stone@example.org"},
)


def write_schedule(path: Path, schedule: dict) -> Path:
    path.write_bytes(write_mspdi(schedule))
    return path
