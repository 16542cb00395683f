"""Scale-out on PostgreSQL (issue 19): several app processes on one database, many people at once.

Readers are WebSocket clients that speak Streamlit's own protocol (the BackMsg and ForwardMsg
protobufs a browser exchanges with the server), each signed in with a session cookie of its
own and kept on one process, as the README's sticky proxy keeps a browser. A page view is a
rerun request for a page until the server reports the run finished; it costs the server what a
browser's costs it, without a Chromium per person (sixty of them would not fit this machine).
Writers save status updates through the data layer, as the processes' forms do, so every
reader's next view pays for what changed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import sqlalchemy as sa
import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from benchmarks.browser import rss_mb, streamlit_servers
from benchmarks.writes import save_status_update
from data_access.core import sessions
from data_access.core.db import get_engine

# What people open in a review week: the overview most, then a project, milestones, risks.
PAGES = (
    ("", ""),
    ("", ""),
    ("project", "project={code}"),
    ("milestones", ""),
    ("risks", ""),
    ("meeting", ""),
    ("updates", ""),
)
P95_TARGET_MS = 2_000  # at tier L (issue 19)
WINDOW_S = 30  # views are also summed up by the 30 s in which they were asked for


@dataclass(frozen=True)
class Pace:
    """How people use the app: a person reads a page for a while before opening the next; a
    project manager filling in a form saves every minute or so; people arrive over the first
    seconds, not all at once."""

    think: tuple[float, float] = (10.0, 30.0)
    write_every: tuple[float, float] = (30.0, 90.0)
    arrive_within: float = 20.0


@dataclass
class Views:
    """Page views timed by the readers: (page, seconds from the start to the request,
    seconds the view took), and what went wrong."""

    timings: list[tuple[str, float, float]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    writes: int = 0
    write_errors: list[str] = field(default_factory=list)


def _people(url: str, n: int) -> list[tuple[int, str, str]]:
    """`n` sign-ins, taking the portfolio's people in turn: (person, role, project code)."""
    with get_engine(url).connect() as conn:
        people = conn.execute(
            sa.text(
                "SELECT p.id, p.role, MIN(pr.code) FROM person p "
                "JOIN project pr ON pr.manager_id = p.id OR p.role = 'admin' "
                "WHERE p.role IN ('admin', 'project_manager') AND pr.status = 'active' "
                "GROUP BY p.id, p.role ORDER BY p.id LIMIT :n"
            ),
            {"n": n},
        ).all()
    return [tuple(people[i % len(people)]) for i in range(n)]


def _cookie(url: str, person_id: int, role: str) -> str:
    """A signed-in browser's session cookie (the one-time code traded as the page trades it)."""
    _, code = sessions.start_session(person_id, role, client="scale-out", url=url)
    return f"{sessions.SESSION_COOKIE}={sessions.redeem_code(code, url=url)}"


def _rerun(page: str, query: str) -> bytes:
    msg = BackMsg()
    msg.rerun_script.query_string = query
    msg.rerun_script.page_name = page
    return msg.SerializeToString()


async def _view(ws, page: str, query: str) -> tuple[float, str | None]:
    """Ask for a page and wait until its run has finished; the seconds and any error shown."""
    started = time.perf_counter()
    await ws.send(_rerun(page, query))
    error = None
    while True:
        msg = ForwardMsg()
        msg.ParseFromString(await ws.recv())
        kind = msg.WhichOneof("type")
        element = msg.delta.new_element if kind == "delta" else None
        shown = element.WhichOneof("type") if element is not None else None
        if shown == "exception":
            error = element.exception.message[:200]
        elif shown == "alert" and element.alert.format == element.alert.ERROR:
            error = element.alert.body[:200]
        elif shown == "button" and element.button.label == "Sign in":
            error = "shown the sign-in form: the session cookie was refused"
        elif kind == "page_not_found":
            error = "page not found"
        elif kind == "script_finished" and msg.script_finished in (
            ForwardMsg.FINISHED_SUCCESSFULLY,
            ForwardMsg.FINISHED_WITH_COMPILE_ERROR,
        ):
            return time.perf_counter() - started, error


async def _reader(
    base: str, cookie: str, code: str, start: float, until: float, views: Views, seed: int, pace
):
    rng = random.Random(seed)
    await asyncio.sleep(rng.uniform(0, pace.arrive_within))
    ws_url = base.replace("http://", "ws://") + "/_stcore/stream"
    headers = {"Cookie": cookie, "Origin": base}
    async with websockets.connect(
        ws_url, additional_headers=headers, subprotocols=["streamlit"], max_size=None
    ) as ws:
        first = True
        while time.perf_counter() < until:
            page, query = rng.choice(PAGES)
            asked = time.perf_counter() - start
            try:
                seconds, error = await _view(ws, page, query.format(code=code))
            except Exception as exc:  # a lost connection is a failed view, reported
                views.errors.append(f"{page or 'overview'}: {exc!r}"[:200])
                return
            # A session's first view builds its session state: timed apart.
            name = ("first " if first else "") + (page or "overview")
            views.timings.append((name, asked, seconds))
            if error:
                views.errors.append(f"{page or 'overview'}: {error}")
            first = False
            await asyncio.sleep(rng.uniform(*pace.think))


def _writer(
    url: str, projects: list[int], today: dt.date, until: float, views: Views, seed: int, pace
):
    rng = random.Random(seed)
    i = 0
    while time.perf_counter() < until:
        time.sleep(rng.uniform(*pace.write_every))
        try:
            save_status_update(url, rng.choice(projects), today, 10_000 * seed + i)
            views.writes += 1
        except Exception as exc:  # a failed save is reported, not hidden
            views.write_errors.append(repr(exc)[:200])
        i += 1


def _percentile(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def measure_scale_out(
    url: str,
    today: dt.date,
    log_dir: Path,
    *,
    processes: int = 3,
    readers: int = 60,
    writers: int = 10,
    seconds: float = 120.0,
    pace: Pace = Pace(),
) -> dict:
    """`readers` people browsing and `writers` saving for `seconds` on `processes` app
    processes; page-view times (p50, p95) by page, errors, and each process's memory."""
    people = _people(url, readers)
    cookies = [(_cookie(url, person, role), code) for person, role, code in people]
    with get_engine(url).connect() as conn:
        projects = list(
            conn.execute(sa.text("SELECT id FROM project WHERE status = 'active'")).scalars()
        )
    views = Views()
    with streamlit_servers(url, log_dir, count=processes, PMO_DEMO_DATA="off") as servers:
        start = time.perf_counter()
        until = start + seconds
        threads = [
            threading.Thread(target=_writer, args=(url, projects, today, until, views, w, pace))
            for w in range(writers)
        ]
        for thread in threads:
            thread.start()

        async def everyone():
            await asyncio.gather(
                *(
                    _reader(servers[i % processes].url, cookie, code, start, until, views, i, pace)
                    for i, (cookie, code) in enumerate(cookies)
                )
            )

        # The readers' event loop runs in a thread of its own, as the writers do: the calling
        # thread may be running one already (sync Playwright, in a test module with a browser).
        with ThreadPoolExecutor(max_workers=1) as readers_thread:
            readers_thread.submit(asyncio.run, everyone()).result()
        for thread in threads:
            thread.join()
        rss = [round(rss_mb(s.process.pid), 1) for s in servers]
    later = [s for page, _, s in views.timings if not page.startswith("first ")]
    firsts = [s for page, _, s in views.timings if page.startswith("first ")]
    by_page: dict[str, list[float]] = {}
    # By when the view was asked for: a queue left by everyone arriving at once drains, or
    # the processes cannot keep up and it grows.
    by_window: dict[int, list[float]] = {}
    for page, asked, s in views.timings:
        by_page.setdefault(page.removeprefix("first "), []).append(s)
        by_window.setdefault(int(asked // WINDOW_S) * WINDOW_S, []).append(s)
    return {
        "processes": processes,
        "readers": readers,
        "writers": writers,
        "seconds": seconds,
        "pace": asdict(pace),
        "views": len(views.timings),
        "p50_ms": round(_percentile(later, 50) * 1000),
        "p95_ms": round(_percentile(later, 95) * 1000),
        "first_view_p50_ms": round(_percentile(firsts, 50) * 1000),
        "first_view_p95_ms": round(_percentile(firsts, 95) * 1000),
        "by_page_p95_ms": {p: round(_percentile(v, 95) * 1000) for p, v in sorted(by_page.items())},
        "by_window": [
            {
                "from_s": w,
                "views": len(v),
                "p50_ms": round(_percentile(v, 50) * 1000),
                "p95_ms": round(_percentile(v, 95) * 1000),
            }
            for w, v in sorted(by_window.items())
        ],
        "errors": views.errors[:20],
        "error_count": len(views.errors),
        "writes": views.writes,
        "write_errors": views.write_errors[:5],
        "rss_mb": rss,
    }
