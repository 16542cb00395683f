"""One form pattern for adding and editing records (used by the admin page).

- every problem is shown at once, next to its field, and what the user typed stays on screen;
- an edit sends only the fields the user changed, with the version the form was opened at,
  so a save never overwrites someone else's change: a conflict says who changed what, and
  one button re-applies the user's own changes on top of the current record;
- a refused write (no permission) says so in words; nothing is written partially.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from components.common.edit_form import same
from components.common.safe_text import md_escape
from data_access.core.writes import ConflictError, PermissionDenied, ValidationFailed

FLASH_KEY = "record_form_flash"
# A select box holding None shows "no selection"; "—" stands for None inside the widget.
NONE = "—"


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    # text, textarea, password, select, multiselect, number, int, checkbox, date
    kind: str = "text"
    options: Sequence[Any] = ()
    labels: dict[Any, str] = field(default_factory=dict)  # option -> label, for select
    help: str | None = None
    min_value: float | None = None
    max_value: float | None = None
    step: float | None = None
    max_chars: int | None = None


def _widget(f: FormField, key: str) -> None:
    common = {"key": key, "help": f.help}
    if f.kind in ("text", "password"):
        st.text_input(
            f.label,
            type="password" if f.kind == "password" else "default",
            max_chars=f.max_chars,
            **common,
        )
    elif f.kind == "textarea":
        st.text_area(f.label, max_chars=f.max_chars, **common)
    elif f.kind == "select":
        st.selectbox(
            f.label,
            [NONE if o is None else o for o in f.options],
            format_func=lambda o: f.labels.get(None if o == NONE else o, str(o)),
            **common,
        )
    elif f.kind == "multiselect":
        st.multiselect(
            f.label, list(f.options), format_func=lambda o: f.labels.get(o, str(o)), **common
        )
    elif f.kind == "date":
        st.date_input(
            f.label,
            format="YYYY-MM-DD",
            min_value=dt.date(1990, 1, 1),
            max_value=dt.date(2100, 12, 31),
            **common,
        )
    elif f.kind in ("number", "int"):
        st.number_input(
            f.label, min_value=f.min_value, max_value=f.max_value, step=f.step, **common
        )
    elif f.kind == "checkbox":
        st.toggle(f.label, **common)
    else:  # a programming error, not a user one
        raise ValueError(f"unknown field kind {f.kind}")


def _typed(f: FormField, value: Any) -> Any:
    """The value in the type its widget needs (a float setting may be stored as 5)."""
    if f.kind == "multiselect":
        return list(value or [])
    if value is None:
        return NONE if f.kind == "select" else None
    if f.kind == "date" and isinstance(value, str):  # a conflict's record holds ISO text
        return dt.date.fromisoformat(value[:10])
    if f.kind == "number":
        return float(value)
    if f.kind == "int":
        return int(value)
    if f.kind == "checkbox":
        return bool(value)
    return value


def _problem(message: str) -> None:
    st.markdown(f":red[:material/error: {md_escape(message)}]")


def flash(message: str) -> None:
    """A confirmation shown once, on the next rerun."""
    st.session_state[FLASH_KEY] = message


def show_flash() -> None:
    message = st.session_state.pop(FLASH_KEY, None)
    if message:
        st.success(md_escape(message), icon=":material/check_circle:")


def record_form(
    key: str,
    fields: Sequence[FormField],
    values: dict[str, Any],
    save: Callable[[dict[str, Any], Any], Any],
    *,
    version: Any = None,
    submit_label: str = "Save",
    saved_message: str = "Saved.",
    columns: int = 1,
) -> None:
    """Draw a form pre-filled with `values`; on submit call `save(changes, version)`.

    `version` is what the write function checks for concurrency (None for a new record,
    where `changes` holds every field). The form remembers the values and version it was
    opened with until a save succeeds, whatever reruns happen in between.
    """
    base_key, errors_key, conflict_key = f"{key}.base", f"{key}.errors", f"{key}.conflict"
    widget_keys = {f.name: f"{key}.{f.name}" for f in fields}
    if base_key not in st.session_state or any(
        k not in st.session_state for k in widget_keys.values()
    ):
        st.session_state[base_key] = {"values": dict(values), "version": version}
        for f in fields:
            st.session_state[widget_keys[f.name]] = _typed(f, values.get(f.name))
    base = st.session_state[base_key]
    errors: dict[str, str] = st.session_state.get(errors_key, {})

    with st.form(key, enter_to_submit=False):
        cells = st.columns(columns) if columns > 1 else [st.container()]
        for i, f in enumerate(fields):
            with cells[i % len(cells)]:
                _widget(f, widget_keys[f.name])
                if f.name in errors:
                    _problem(errors[f.name])
        for name, message in errors.items():
            if name not in widget_keys:
                _problem(f"{name}: {message}" if name else message)
        submitted = st.form_submit_button(submit_label, type="primary")

    reapply = False
    conflict = st.session_state.get(conflict_key)
    if conflict is not None:
        reapply = _show_conflict(key, conflict, fields, base)

    if not (submitted or reapply):
        return
    typed = {
        name: None if st.session_state[widget_key] == NONE else st.session_state[widget_key]
        for name, widget_key in widget_keys.items()
    }
    if base["version"] is None:
        changes = typed
    else:
        changes = {k: v for k, v in typed.items() if v != base["values"].get(k)}
        if not changes:
            st.info("Nothing changed.")
            return
    try:
        save(changes, base["version"])
    except ValidationFailed as exc:
        st.session_state[errors_key] = exc.errors
        st.rerun()
    except ConflictError as exc:
        st.session_state[conflict_key] = exc.current
        st.session_state.pop(errors_key, None)
        st.rerun()
    except PermissionDenied as exc:
        st.error(md_escape(str(exc)), icon=":material/lock:")
    else:
        for k in (base_key, errors_key, conflict_key, *widget_keys.values()):
            st.session_state.pop(k, None)
        flash(saved_message)
        st.rerun()


def _show_conflict(key: str, current: dict, fields: Sequence[FormField], base: dict) -> bool:
    """Say who changed what since the form was opened; True when the user re-applies."""
    lines = []
    for f in fields:
        if f.name in current and not same(current[f.name], base["values"].get(f.name)):
            value = current[f.name]
            now = (
                ", ".join(f.labels.get(v, str(v)) for v in value) or "none"
                if f.kind == "multiselect"
                else f.labels.get(value, value)
            )
            lines.append(f"- {md_escape(f.label)}: now **{md_escape(now)}**")
    by = md_escape(current.get("_changed_by") or "someone else")
    st.warning(
        f"**{by} saved this since you opened it.** Your changes were not saved.\n\n"
        + ("\n".join(lines) if lines else "They changed fields this form does not show.")
        + "\n\nRe-apply only the fields you changed on top of the current record, or reload.",
        icon=":material/sync_problem:",
    )
    left, right = st.columns(2)
    if right.button("Discard mine and reload", key=f"{key}.reload"):
        for k in list(st.session_state):
            if isinstance(k, str) and k.startswith(f"{key}."):
                del st.session_state[k]
        st.rerun()
    if left.button("Re-apply my changes", key=f"{key}.reapply", type="primary"):
        # Keep the values the form was opened with: only the fields this user changed are sent.
        base["version"] = current.get("_versions") or current.get("version")
        st.session_state.pop(f"{key}.conflict", None)
        return True
    return False
