"""Running the app for real: Streamlit server processes, scratch PostgreSQL databases and a
headless Chromium, with helpers that wait for Streamlit to settle.

Registered as a pytest plugin in tests/conftest.py, so the browser tests under tests/e2e/ and
the team-deployment and fault tests share the same fixtures.
"""

from __future__ import annotations

import os
import re
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from benchmarks.browser import (  # noqa: F401 (re-exported for the tests)
    CHROMIUM,
    CHROMIUM_ARGS,
    RECORD_CHANGES,
    choose_option,
    free_port,
    open_options,
    settled_at,
    sign_in_demo,
    sign_in_demo_admin,
    streamlit_servers,
)
from data_access.core import clock
from data_access.core.config import APP_ROOT
from data_access.core.db import dispose_engines, read_df, session_scope
from data_access.core.settings import get_settings
from data_access.core.writes import SYSTEM
from data_access.portfolio.reads import project_facts
from data_access.updates import commands
from domain.health import compute_health

VIEWPORT = {"width": 1920, "height": 1080}
SCREENSHOTS = APP_ROOT / "test-artifacts" / "screenshots"
# Generous: a guard against a hang, not a speed test. On a small, busy machine the first visit
# of a fresh server (migrations, demo portfolio) can take most of a minute.
TIMEOUT_MS = 120_000


def pytest_sessionstart(session) -> None:
    """Screenshots are this run's: clear the last run's (once, not in each xdist worker)."""
    if not hasattr(session.config, "workerinput"):
        shutil.rmtree(SCREENSHOTS, ignore_errors=True)


# --- scratch PostgreSQL databases -------------------------------------------------------


def pg_admin_url() -> str:
    from tests.conftest import PG_ADMIN_URL

    return PG_ADMIN_URL


def require_postgres() -> None:
    from tests.conftest import _pg_reachable

    reason = _pg_reachable()
    if reason:
        pytest.skip(reason)


@contextmanager
def scratch_pg_database(prefix: str = "pmo_scratch") -> Iterator[str]:
    """A new, empty PostgreSQL database (no schema yet); dropped afterwards."""
    require_postgres()
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = sa.create_engine(pg_admin_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.make_url(pg_admin_url()).set(database=name).render_as_string(hide_password=False)
    finally:
        dispose_engines()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# --- the browser ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    """Headless Debian Chromium driven by Playwright (one per test module)."""
    from playwright.sync_api import sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `./pmo.sh test` installs Debian chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, request):
    """Make pages in fresh browser contexts (a new visitor each; `options` for the context, e.g.
    storage_state), closed after the test."""
    contexts = []
    request.node.browser_contexts = contexts  # for the failure report below

    def make(color_scheme: str = "light", **options):
        context = browser.new_context(viewport=VIEWPORT, color_scheme=color_scheme, **options)
        context.set_default_timeout(TIMEOUT_MS)
        context.add_init_script(RECORD_CHANGES)
        contexts.append(context)
        page = context.new_page()
        _record_events(page)
        return page

    yield make
    for context in contexts:
        context.close()


def _record_events(page) -> None:
    """Keep what the browser said (console warnings and errors) and the app's WebSocket
    coming and going, with the time, for the failure report."""
    events = page.pmo_events = []

    def note(text: str) -> None:
        events.append(f"{time.strftime('%H:%M:%S')}.{int(time.time() * 1000) % 1000:03d} {text}")

    def console(message) -> None:
        if message.type in ("error", "warning"):
            note(f"console {message.type}: {message.text[:300]}")

    def websocket(ws) -> None:
        # Each rerun the page asks for is one message sent (a click, a changed widget).
        note(f"websocket open {ws.url}")
        ws.on("framesent", lambda payload: note(f"sent {len(payload)} bytes"))
        ws.on("close", lambda _: note(f"websocket closed {ws.url}"))

    page.on("console", console)
    page.on("websocket", websocket)
    page.on("framenavigated", lambda f: note(f"navigated {f.url}") if f == page.main_frame else 0)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed browser test reports what each of its pages showed and the end of its app
    server's log: a failure seen once in CI can then be read, not guessed."""
    report = yield
    if report.when == "call" and report.failed:
        for context in getattr(item, "browser_contexts", []):
            for i, page in enumerate(context.pages):
                with suppress(Exception):  # a page that is gone has nothing to tell
                    shown = page.get_by_test_id("stMain").inner_text(timeout=5_000)
                    screenshot(page, f"failed-{item.name}-{i}")
                    report.sections.append((f"page {page.url}", shown[-4_000:]))
                    events = "\n".join(getattr(page, "pmo_events", [])[-60:])
                    report.sections.append((f"browser events {page.url}", events))
        server = item.funcargs.get("server")
        if hasattr(server, "log"):
            report.sections.append(("app server log", server.log()))
    return report


@pytest.fixture
def page(new_page):
    return new_page()


def settle(page) -> None:
    """Wait until the script run is over, nothing is loading and the page stopped changing."""
    settled_at(page, timeout_ms=TIMEOUT_MS)


# Nothing animates the element, its content or its frame (an animation that never ends, such as
# a spinner, does not count).
STILL_JS = """(el) => !document.getAnimations().some((a) => {
    const target = a.effect && a.effect.target;
    return target && a.playState === "running" && a.effect.getTiming().iterations !== Infinity
        && (el.contains(target) || target.contains(el));
})"""


def still(locator):
    """The element once nothing moves it (an expander opening, a dialog appearing): a click
    meanwhile can press on one element and be released on another as the content moves, and
    the browser then clicks neither (a form's submit that never reached the server)."""
    locator.wait_for()
    locator.page.wait_for_function(
        STILL_JS, arg=locator.element_handle(), polling=50, timeout=TIMEOUT_MS
    )
    return locator


def open_expander(scope, label: str, *, exact: bool = True):
    """Open the expander headed `label` (in `scope`, a page or a part of it); returns it once
    it has finished opening (Streamlit animates it for half a second)."""
    page = getattr(scope, "page", scope)  # `has` locators are built from the page
    expander = scope.get_by_test_id("stExpander").filter(
        has=page.locator("summary").get_by_text(label, exact=exact)
    )
    expander.locator("summary").click()
    expander.locator("details[open]").wait_for()
    return still(expander)


def open_app(page, url: str) -> None:
    page.goto(url)
    settle(page)
    sign_in_if_asked(page)


def sign_in_if_asked(page) -> None:
    """Once sign-in (issue 8) guards the app, a new visitor takes the demo PMO admin account;
    the address asked for opens after it."""
    sign_in_demo_admin(page, settle_after_action)


def sign_in_as(page, base: str, role_label: str) -> None:
    """Open the app and take the demo account of `role_label` ("PMO admin", "Project manager")."""
    page.goto(base)
    settle(page)
    sign_in_demo(page, role_label, settle_after_action)


def sign_in_with_password(page, email: str, password: str) -> None:
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    settle_after_action(page)


NAV_LINK = '[data-testid="stSidebar"] [data-testid="stPageLink-NavLink"]'


def nav_titles(page) -> list[str]:
    """The page titles of the sidebar menu (the pages the signed-in role may use)."""
    page.locator(NAV_LINK).first.wait_for()
    # A link reads "<icon name>\n<title>": keep the title.
    return [t.strip().split("\n")[-1] for t in page.locator(NAV_LINK).all_inner_texts()]


def go_to(page, title: str) -> None:
    """Open another page through the sidebar menu, as a user does."""
    page.locator(NAV_LINK, has_text=title).first.click()
    settle_after_action(page)


def settle_after_action(page) -> None:
    """Settle after a click or key that starts a rerun."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    # The run may be over before we look; then there is nothing more to wait for.
    with suppress(PlaywrightTimeout):
        page.wait_for_selector(
            '[data-testid="stApp"]:not([data-test-script-state="notRunning"])', timeout=2_000
        )
    settle(page)


def rerun(page) -> None:
    """Rerun the script in the same session, as the R key does for a user."""
    page.locator("body").press("r")
    settle_after_action(page)


def shown_errors(page) -> list[str]:
    """Exceptions and error boxes on the page, as their text."""
    return page.locator(
        '[data-testid="stException"], [data-testid="stAlertContentError"]'
    ).all_inner_texts()


def metric_value(page, label: str):
    """The value of the st.metric with this label (or "label · share"), a locator for `expect`."""
    title = re.compile(rf"^{re.escape(label)}( · .*)?$")
    box = page.locator('[data-testid="stMetric"]').filter(
        has=page.get_by_test_id("stMetricLabel").get_by_text(title)
    )
    return box.get_by_test_id("stMetricValue").first


def grid(page):
    """The first st.dataframe's grid; its aria-rowcount is the number of rows + 1 (header)."""
    return page.locator('[data-testid="stDataFrame"] [role="grid"]').first


def grid_column(page, header: str) -> list[str]:
    """One column of the first st.dataframe, read from the grid's accessible cells."""
    rows = grid(page).locator('[role="row"]')
    rows.first.wait_for(state="attached")  # the grid's accessible table is visually hidden
    headers = rows.first.locator('[role="columnheader"]').all_inner_texts()
    index = [h.strip() for h in headers].index(header)
    return [
        row.locator('[role="gridcell"]').nth(index).inner_text().strip() for row in rows.all()[1:]
    ]


HEATMAP_OVERALL = '[data-testid="stVegaLiteChart"] svg [aria-label^="column: Overall; label: "]'


def health_shown(page) -> dict[str, tuple[str, str]]:
    """{project code: (overall letter, the words shown with it)} as the portfolio page shows
    them: read from the marks of the health heatmap (issue 3), or from the health table."""
    if page.locator(HEATMAP_OVERALL).count():
        labels = page.locator(HEATMAP_OVERALL).evaluate_all(
            "marks => marks.map(m => m.getAttribute('aria-label'))"
        )
        shown = {}
        for text in labels:
            parts = dict(p.split(": ", 1) for p in text.split("; ") if ": " in p)
            if "rag" in parts:  # the cell; its letter is a second mark on top
                shown[parts["label"].split()[0]] = (parts["rag"], text)
        return shown
    if not grid(page).count():  # neither drawn yet (a redraw between the two looks): not yet
        return {}
    columns = [grid_column(page, c) for c in ("Code", "Overall", "Why")]
    return {code: (rag, why) for code, rag, why in zip(*columns, strict=True)}


def eventually(check, timeout_ms: int = TIMEOUT_MS):
    """Wait until `check()` returns something true, and return it (a chart draws a moment
    after the run; a view being redrawn may not be readable for an instant)."""
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        try:
            result = check()
        except Exception as exc:  # not readable yet; said if it never becomes so
            result, last = None, exc
        else:
            last = result
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"not the case after {timeout_ms / 1000:.0f} s; last: {last!r}")
        time.sleep(0.2)


def count_shown(page) -> int:
    """How many projects the portfolio view shows (heatmap rows, or table rows)."""
    if page.locator(HEATMAP_OVERALL).count():
        return len(health_shown(page))
    if not grid(page).count():
        return 0
    return int(grid(page).get_attribute("aria-rowcount")) - 1


def wait_for_count(page, count: int) -> None:
    """Wait until the portfolio view shows `count` projects."""
    eventually(lambda: count_shown(page) == count)


def projects_shown(page, count: int) -> dict[str, tuple[str, str]]:
    """Wait until the portfolio view shows `count` projects, then read them (see health_shown;
    a long table is only read as far as it is drawn, so keep `count` small to read them all)."""
    wait_for_count(page, count)
    return health_shown(page)


def choose(page, label: str, option: str) -> None:
    """Pick one option of a sidebar multiselect, as a user does, and wait for the rerun."""
    choose_option(page, label, option)
    settle_after_action(page)


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# --- what the pages should show, computed from the database -----------------------------


def portfolio_health(url: str) -> pd.DataFrame:
    """Every project's health today, by the same rules the pages use."""
    settings = get_settings(url)
    today = clock.today()
    facts = project_facts(today, high_from=settings["band_high_from"], url=url)
    return compute_health(facts, settings, today)


def submit_red_override(url: str, code: str, reason: str) -> int:
    """A PM's status update overriding the project to Red (the data layer the form calls)."""
    project = read_df(
        "SELECT id, actual_cost, forecast_at_completion, percent_complete FROM project "
        "WHERE code = :code",
        {"code": code},
        url=url,
    ).iloc[0]
    with session_scope(url) as session:
        return commands.submit_status_report(
            {
                "project_id": int(project.id),
                "report_date": clock.today(),
                "override_rag": "R",
                "override_reason": reason,
                "summary": reason,
                "percent_complete": float(project.percent_complete),
                "cost_to_date": float(project.actual_cost),
                "forecast_at_completion": float(project.forecast_at_completion),
            },
            session=session,
            actor=SYSTEM,
        )


def fill_date(form, label: str, day) -> None:
    """Type a date into a date field's year, month and day segments, as a user does."""
    field = form.get_by_label(label, exact=True).first
    field.locator('[data-type="year"]').click()
    field.page.keyboard.type(day.strftime("%Y%m%d"))


def pick(page, form, label: str, option: str) -> None:
    """Choose `option` of a drop-down field of `form`."""
    open_options(form.get_by_role("combobox", name=label).first)
    page.keyboard.type(option)  # a long list shows only what matches the typing
    page.get_by_role("option", name=option, exact=True).click()


# A data editor (st.data_editor) is a canvas grid: a user clicks a cell, moves with the arrow
# keys and presses Enter to type into it. Its rows are 35 px high under a 35 px header.
# A click on the cell already selected opens it for typing instead of selecting it, and the
# grid shows its selection a moment late, so the helpers clear the selection (Escape) before
# they click rather than read what is selected.
ROW_PX = 35


def _cell_editor(editor):
    """The input of the cell open for typing (none when no cell is open)."""
    return editor.page.locator("input:focus, textarea:focus")


def _click_first_cell(editor, row: int) -> None:
    """Click the first cell of `row` (on the empty row after the last, this adds a row)."""
    editor.evaluate("e => e.scrollIntoView({block: 'center'})")
    editor.click(trial=True)  # waits until it stands still
    box = editor.bounding_box()
    editor.page.mouse.click(box["x"] + 45, box["y"] + ROW_PX * (row + 1) + ROW_PX / 2)


def add_row(editor) -> None:
    """Add an empty row at the end of a data editor with dynamic rows."""
    rows = editor.locator('[role="row"]')
    before = rows.count()  # the header is a row
    _click_first_cell(editor, before - 1)
    expect(rows).to_have_count(before + 1)
    # The new row's first cell opens for typing: close it, keeping the row.
    expect(_cell_editor(editor)).to_have_count(1)
    editor.page.keyboard.press("Escape")
    expect(_cell_editor(editor)).to_have_count(0)


def edit_cell(editor, row: int, column: int, value: str) -> None:
    """Type `value` into a data editor's cell (a drop-down cell: the option it starts with)."""
    editor.get_by_test_id("data-grid-canvas").focus()
    editor.page.keyboard.press("Escape")  # no cell selected, so the click selects one
    _click_first_cell(editor, row)
    expect(editor.locator(f"#glide-cell-1-{row}")).to_have_attribute("aria-selected", "true")
    for _ in range(column):
        editor.page.keyboard.press("ArrowRight")
    editor.page.keyboard.press("Enter")
    expect(_cell_editor(editor)).to_have_count(1)
    _cell_editor(editor).fill(value)
    editor.page.keyboard.press("Enter")
    expect(_cell_editor(editor)).to_have_count(0)
    expect(editor.locator(f"#glide-cell-{column + 1}-{row}")).to_contain_text(value)


def fill_path_to_green(page, form, green, action: str, owner: str, due) -> None:
    """The status update's recovery plan: a cause, the back-to-green date and one new action."""
    pick(page, form, "Cause", "Supplier")
    fill_date(form, "Expected back to Green", green)
    form.get_by_role("textbox", name="New action 1", exact=True).fill(action)
    pick(page, form, "Owner", owner)
    fill_date(form, "Due date", due)
