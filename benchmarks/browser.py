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

from playwright.sync_api import Locator, Page, sync_playwright

from data_access.core.sessions import SESSION_COOKIE

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

# Records when the app's DOM last changed (added to every page before it loads). Nodes outside
# #root (the grid's text measuring, tooltips) change all the time and are left out.
RECORD_CHANGES = """
window.__pmoLastChange = performance.now();
new MutationObserver((changes) => {
    const root = document.getElementById("root");
    if (root && changes.some((c) => root.contains(c.target))) {
        window.__pmoLastChange = performance.now();
    }
}).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
"""
# Elements arrive a little after the script run ends (a table re-renders ~0.3 s later): a page
# is settled when its run is over, every chart is drawn and the DOM has been quiet this long.
QUIET_MS = 400
SETTLED_JS = """(quietMs) => {
    const app = document.querySelector('[data-testid="stApp"]');
    const charts = [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')];
    return app && app.getAttribute("data-test-script-state") === "notRunning"
        && !document.querySelector('[data-testid="stSkeleton"]')
        && charts.every((c) => c.querySelector("canvas, svg.marks"))
        && performance.now() - window.__pmoLastChange > quietMs;
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


def settled_at(page: Page, timeout_ms: float = 120_000) -> float:
    """Wait until the page is settled; returns when (performance.now(), ms since the page's
    navigation began) its DOM last changed, that is when the last chart or row appeared."""
    page.wait_for_timeout(100)  # let a rerun that was just asked for begin
    page.wait_for_function(SETTLED_JS, arg=QUIET_MS, polling=50, timeout=timeout_ms)
    return page.evaluate("window.__pmoLastChange")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def sign_in_demo_admin(page: Page, settle=settled_at) -> None:
    """Take the sign-in page's one-click demo PMO admin account, when the app asks."""
    sign_in_demo(page, "PMO admin", settle)


def sign_in_demo(page: Page, role_label: str, settle=settled_at) -> None:
    """Take the sign-in page's one-click demo account of `role_label`, when the app asks, and
    wait for the session cookie: the page trades its one-time code for it after the rerun, so
    an address opened before then would find the browser signed out."""
    button = page.get_by_role("button", name=re.compile(rf"^Demo · {re.escape(role_label)}"))
    if not button.count():
        return
    button.first.click()
    settle(page)
    deadline = time.monotonic() + 60
    while not any(c["name"] == SESSION_COOKIE for c in page.context.cookies()):
        if time.monotonic() > deadline:
            raise AssertionError("signed in, but the session cookie never came")
        time.sleep(0.1)


def open_options(box: Locator) -> None:
    """Open a drop-down's list with the keyboard, as a user does, once its pane has stopped
    scrolling: the list closes as soon as the pane scrolls under it (a click is taken for
    "close" the same way), and a box at the pane's bottom edge opens its list below the
    window, where showing the first option scrolls the pane."""
    box.evaluate("e => e.scrollIntoView({block: 'center'})")
    box.click(trial=True)  # waits until the box stands still
    box.focus()
    box.press("ArrowDown")
    # The box itself cannot be asked: an open list hides the rest of the page from the
    # accessibility tree, so a locator through its form finds nothing until it closes.
    box.page.get_by_role("listbox").last.wait_for()


def choose_option(page: Page, label: str, option: str) -> None:
    """Pick one option of a multiselect, as a user does."""
    open_options(page.get_by_role("combobox", name=label))
    page.get_by_role("option", name=option, exact=True).click()
    page.keyboard.press("Escape")


def measure_browser(url: str, pages: list[str], sessions: int = 10) -> dict:
    """Navigation and filter timings per page, then server memory with `sessions` sessions."""
    result: dict = {"pages": {}, "filter_change_ms": None, "rss_mb": {}}
    with streamlit_server(url) as (base, pid), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

        def visitor() -> Page:
            context = browser.new_context(viewport={"width": 1920, "height": 1080})
            context.add_init_script(RECORD_CHANGES)
            page = context.new_page()
            page.goto(base)
            settled_at(page)
            sign_in_demo_admin(page)
            return page

        page = visitor()
        result["rss_mb"]["after_first_session"] = round(rss_mb(pid), 1)
        for name in pages:
            page.goto(f"{base}/{'' if name == 'portfolio' else name}")
            # performance.now() counts from the navigation's start.
            result["pages"][name] = round(settled_at(page))

        page.goto(base)
        settled_at(page)
        started = page.evaluate("performance.now()")
        choose_option(page, "Health", "Red")
        result["filter_change_ms"] = round(settled_at(page) - started)

        for _ in range(sessions - 1):
            visitor()
        result["rss_mb"][f"{sessions}_sessions"] = round(rss_mb(pid), 1)
        browser.close()
    return result
