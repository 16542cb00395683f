"""Browser timings on a real server: navigation until every chart is drawn, filter change until
the page settles, and the server's memory with ten open sessions."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# True once the script run is over and every chart on the page has drawn its canvas or SVG.
SETTLED_JS = """() => {
  const running = document.querySelector('[data-testid="stStatusWidget"]');
  const charts = document.querySelectorAll('[data-testid="stVegaLiteChart"]');
  const drawn = [...charts].filter(c => c.querySelector('canvas, svg.marks'));
  const skeleton = document.querySelector('[data-testid="stSkeleton"]');
  return !running && !skeleton && charts.length === drawn.length
         && document.querySelector('[data-testid="stMain"]') !== null
         && document.querySelector('[data-testid="stAppViewContainer"]') !== null;
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def streamlit_server(url: str):
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "PMO_DEMO_DATA": "off"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "app.py"),
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--server.fileWatcherType",
            "none",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_healthy(port)
        yield f"http://127.0.0.1:{port}", process.pid
    finally:
        process.terminate()
        process.wait(timeout=20)


def _wait_healthy(port: int, timeout: float = 60) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("streamlit server did not start")


def wait_settled(page: Page, started: float, timeout: float = 60) -> float:
    """Seconds from `started` until the page is settled; a run must have begun first."""
    page.wait_for_timeout(100)  # let the rerun start before polling for its end
    page.wait_for_function(SETTLED_JS, timeout=timeout * 1000, polling=50)
    return time.perf_counter() - started


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure_browser(url: str, pages: list[str], sign_in=None, sessions: int = 10) -> dict:
    """Navigation and filter timings per page, then server memory with `sessions` sessions."""
    result: dict = {"pages": {}, "filter_change_ms": None, "rss_mb": {}}
    with streamlit_server(url) as (base, pid), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1920, "height": 1080})
        page = context.new_page()
        page.goto(base)
        wait_settled(page, time.perf_counter())
        if sign_in:
            sign_in(page)
        result["rss_mb"]["after_first_session"] = round(rss_mb(pid), 1)
        for name in pages:
            path = "" if name == "portfolio" else name
            started = time.perf_counter()
            page.goto(f"{base}/{path}")
            result["pages"][name] = round(wait_settled(page, started) * 1000)

        page.goto(base)
        wait_settled(page, time.perf_counter())
        health = page.get_by_test_id("stSidebar").get_by_text("Health", exact=True)
        box = health.locator("xpath=ancestor::div[@data-testid='stMultiSelect']")
        box.click()
        started = time.perf_counter()
        page.get_by_role("option", name="Red").click()
        page.keyboard.press("Escape")
        result["filter_change_ms"] = round(wait_settled(page, started) * 1000)

        contexts = []
        for _ in range(sessions - 1):
            ctx = browser.new_context(viewport={"width": 1920, "height": 1080})
            other = ctx.new_page()
            other.goto(base)
            wait_settled(other, time.perf_counter())
            if sign_in:
                sign_in(other)
            contexts.append(ctx)
        result["rss_mb"][f"{sessions}_sessions"] = round(rss_mb(pid), 1)
        for ctx in contexts:
            ctx.close()
        browser.close()
    return result
