"""Small widgets and messages shared by the pages: choices kept in the URL, pickers, a field's
problem under it, save confirmations and refusals."""

from __future__ import annotations

import streamlit as st

from components.common.safe_text import md_escape
from data_access.core.writes import WriteError


def field_error(errors: dict[str, str], field: str, container=st) -> None:
    """The problem of one field, in red, right under it."""
    if field in errors:
        container.markdown(f":red[:material/error: {md_escape(errors[field])}]")


def flash(key: str) -> None:
    """Show (once) what the last save did."""
    message = st.session_state.pop(f"{key}_flash", None)
    if message:
        st.success(message, icon=":material/check_circle:")


def refusal(exc: WriteError) -> None:
    st.error(md_escape(exc), icon=":material/block:")


def choice(container, label: str, options, *, default, key: str, **kwargs):
    """A required choice among a few `options` (a list, or values -> shown text)."""
    labels = options if isinstance(options, dict) else {o: o for o in options}
    return container.segmented_control(
        label,
        list(labels),
        format_func=labels.get,
        default=default,
        required=True,
        key=key,
        **kwargs,
    )


def url_choice(container, label: str, options, *, default, key: str, **kwargs):
    """A `choice` kept in the URL under `key`, so that a link opens the same view."""
    return choice(
        container, label, options, default=default, key=key, bind="query-params", **kwargs
    )


def pick(container, label: str, labels: dict, *, placeholder: str, key: str, **kwargs):
    """A selectbox over `labels` (value -> shown text), empty until the user chooses."""
    return container.selectbox(
        label,
        list(labels),
        format_func=labels.get,
        index=None,
        placeholder=placeholder,
        key=key,
        **kwargs,
    )


def date_range(columns, errors: dict[str, str], labels: tuple[str, str], key: str):
    """First and last day side by side, each with its problems (and the pair's) under it."""
    start = columns[0].date_input(labels[0], value=None, key=f"{key}_start")
    field_error(errors, "start_date", columns[0])
    end = columns[1].date_input(labels[1], value=None, key=f"{key}_end")
    field_error(errors, "end_date", columns[1])
    field_error(errors, "", columns[1])
    return start, end
