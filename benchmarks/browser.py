"""Browser timings on a real server: navigation until every chart is drawn, filter change until
the page settles, and the server's memory with ten open sessions."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
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


# --- Streamlit servers ------------------------------------------------------------------


class StreamlitServer:
    """`streamlit run app.py` as a real server process on a free loopback port."""

    def __init__(self, database_url: str, log_path: Path, **env: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.env = {**os.environ, "DATABASE_URL": database_url, **env}
        self.process: subprocess.Popen | None = None

    def start(self) -> StreamlitServer:
        command = [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.port",
            str(self.port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--server.fileWatcherType",
            "none",
            "--browser.gatherUsageStats",
            "false",
        ]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        return self

    def wait_ready(self, timeout: float = 60) -> StreamlitServer:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited ({self.process.returncode}):\n{self.log()}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as resp:
                    if resp.status == 200:
                        return self
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"streamlit did not answer on {self.url}:\n{self.log()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log(self, tail: int = 4000) -> str:
        return self.log_path.read_text(errors="replace")[-tail:] if self.log_path.exists() else ""


@contextmanager
def streamlit_servers(database_url: str, log_dir: Path, count: int = 1, **env: str):
    """Start `count` servers on one database at the same moment; stop them afterwards."""
    servers = [
        StreamlitServer(database_url, log_dir / f"streamlit-{i}.log", **env) for i in range(count)
    ]
    try:
        for server in servers:
            server.start()
        for server in servers:
            server.wait_ready()
        yield servers
    finally:
        for server in servers:
            server.stop()


@contextmanager
def streamlit_server(url: str):
    """One server on `url` for the benchmark; yields its address and process id."""
    with (
        tempfile.TemporaryDirectory() as logs,
        streamlit_servers(url, Path(logs), PMO_DEMO_DATA="off") as (server,),
    ):
        yield server.url, server.process.pid


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


def sign_in_demo_admin(page: Page) -> None:
    """Take the sign-in page's one-click demo PMO admin account, when the app asks."""
    button = page.get_by_role("button", name=re.compile(r"^Demo · PMO admin"))
    if button.count():
        started = time.perf_counter()
        button.first.click()
        wait_settled(page, started)


def measure_browser(url: str, pages: list[str], sessions: int = 10) -> dict:
    """Navigation and filter timings per page, then server memory with `sessions` sessions."""
    result: dict = {"pages": {}, "filter_change_ms": None, "rss_mb": {}}
    with streamlit_server(url) as (base, pid), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1920, "height": 1080})
        page = context.new_page()
        page.goto(base)
        wait_settled(page, time.perf_counter())
        sign_in_demo_admin(page)
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
            sign_in_demo_admin(other)
            contexts.append(ctx)
        result["rss_mb"][f"{sessions}_sessions"] = round(rss_mb(pid), 1)
        for ctx in contexts:
            ctx.close()
        browser.close()
    return result
