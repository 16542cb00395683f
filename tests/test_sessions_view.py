"""The open-sessions table names each session's browser, whether or not it sent one."""

import pandas as pd

from components.access.sessions_view import browser_name


def test_a_session_without_a_user_agent_beside_one_with_it_reads_unknown():
    # Read from the database, a missing agent among present ones arrives as NaN.
    agents = pd.Series(["Mozilla/5.0 (X11) Chrome/140.0 Safari/537.36", None], dtype="str")
    assert agents.map(browser_name).tolist() == ["Chrome", "unknown"]
    assert browser_name(None) == "unknown"
    assert browser_name("Mozilla/5.0 Firefox/140.0") == "Firefox"
