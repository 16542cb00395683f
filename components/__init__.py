"""Streamlit pieces of the pages: `common/` and `access/` shared by all, one package per feature.

Every page imports this package first, which makes it the place to close a gap in Streamlit:
a server process with a `pages/` folder starts in the legacy folder mode until the first
`st.navigation` call, so the very first request of a fresh process for, say, /admin would run
pages/admin.py alone, without app.py and its sign-in gate. Leaving that mode at once and
rerunning sends even that request through app.py.
"""

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import get_script_run_ctx

if PagesManager.uses_pages_directory and get_script_run_ctx() is not None:
    PagesManager.uses_pages_directory = False
    st.rerun()
