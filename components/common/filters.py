"""The sidebar filters shared by every page, kept in the URL so a link reproduces the view.

The URL is the source of truth: every run seeds the widgets from `st.query_params`, and a
widget's `on_change` callback writes its new value back. The widgets are not bound with
`bind="query-params"` because Streamlit 1.67 binds them to the first page of a session and
then drops them on the first page switch. The page menu is drawn with links that carry the
filter, because Streamlit's own menu clears every query parameter when the page changes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from urllib.parse import urlencode

import streamlit as st

from components.common import data
from data_access.core.models import PHASES, PROJECT_STATUSES
from domain.filters import PortfolioFilter
from domain.formatting import RAG_LABELS, RAG_ORDER

# Query-parameter names (short, so shared links stay readable).
KEYS = {
    "portfolio": "portfolio",
    "program": "program",
    "department": "dept",
    "manager": "pm",
    "phase": "phase",
    "status": "status",
    "health": "health",
}
TEXT_KEY = "q"


def _write_to_url(key: str) -> None:
    """on_change: the widget's new value becomes the URL's (no value: the parameter goes)."""
    value = st.session_state[key]
    if value:
        st.query_params[key] = value
    elif key in st.query_params:
        del st.query_params[key]


def url_choices(key: str, options: Sequence[str]) -> list[str]:
    """The URL's values for `key` that are valid options; the URL is corrected if some were not."""
    raw = st.query_params.get_all(key)
    valid = [v for v in dict.fromkeys(raw) if v in options]
    if valid != raw:
        if valid:
            st.query_params[key] = valid
        elif key in st.query_params:
            del st.query_params[key]
    return valid


def url_multiselect(label: str, options: Sequence[str], key: str, **kwargs) -> list[str]:
    st.session_state[key] = url_choices(key, options)
    return st.multiselect(label, options, key=key, on_change=_write_to_url, args=(key,), **kwargs)


def url_option(
    widget: Callable, label: str, options: Sequence[str], key: str, default: str, **kwargs
) -> str:
    """A single choice (`widget`: st.selectbox, st.segmented_control, st.radio...) kept in the
    URL as `?key=value`; `default` when the URL has none, and left out of the URL."""
    chosen = url_choices(key, options)
    st.session_state[key] = chosen[-1] if chosen else default
    value = widget(label, options, key=key, on_change=_write_to_url, args=(key,), **kwargs)
    return default if value is None else value


def sidebar_filters(version: data.Version) -> PortfolioFilter:
    """Draw the filters in the sidebar and return the choice as plain values."""
    options = data.filter_options(version)
    choices = {
        "portfolio": options["portfolio"],
        "program": options["program"],
        "department": options["department"],
        "manager": options["manager"],
        "phase": list(PHASES),
        "status": list(PROJECT_STATUSES),
        "health": [RAG_LABELS[k] for k in RAG_ORDER],
    }
    with st.sidebar:
        st.markdown("**Filter the portfolio**")
        st.session_state[TEXT_KEY] = st.query_params.get(TEXT_KEY, "")
        text = st.text_input(
            "Search",
            key=TEXT_KEY,
            on_change=_write_to_url,
            args=(TEXT_KEY,),
            placeholder="Code, name or manager",
        )
        values = {}
        for field, key in KEYS.items():
            # A single portfolio needs no picker.
            if field == "portfolio" and len(choices[field]) < 2:
                values[field] = ()
                continue
            values[field] = tuple(
                url_multiselect(field.capitalize(), choices[field], key, placeholder="All")
            )
    return PortfolioFilter(**values, text=(text or "").strip())


def query_params(f: PortfolioFilter, **extra: str) -> dict[str, list[str] | str]:
    """The filter (plus `extra`) as query parameters, under the names the sidebar reads."""
    params: dict[str, list[str] | str] = {
        key: list(getattr(f, field)) for field, key in KEYS.items() if getattr(f, field)
    }
    if f.text:
        params[TEXT_KEY] = f.text
    return {**params, **extra}


def page_href(url_path: str, f: PortfolioFilter, **extra: str) -> str:
    """A relative link to a page of this app that keeps the filter: `project?project=X&dept=IT`."""
    query = urlencode(query_params(f, **extra), doseq=True)
    return f"{url_path}?{query}" if query else url_path


def page_menu(menu, pages: dict[str, list], f: PortfolioFilter) -> None:
    """Fill `menu` (a sidebar container) with links to `pages` that carry the filter."""
    params = query_params(f)
    with menu:
        for section, entries in pages.items():
            st.caption(section)
            for page in entries:
                st.page_link(page, query_params=params)
