"""One way for every entry form to behave (brief: "Forms").

An `EditForm` is a form over one record. It
- remembers the record as it was loaded (values and version, plain values in session state),
  so a save names the version it was based on and the user's edit is what they changed;
- draws each field with its problem, in plain words, right under it, all problems at once;
- keeps what the user typed: the widgets are keyed by record, loaded version and a counter,
  so they keep their values until a save succeeds (then the form shows what is stored);
- turns a ConflictError into a panel saying, field by field, what the other person changed
  and what this user typed, with one click to re-apply this user's edit onto the new version.

The save itself runs in the submit button's callback, before the page is drawn again, so
the same run that draws the form already knows the outcome.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import pandas as pd
import sqlalchemy as sa
import streamlit as st

from data_access.core.db import DatabaseUnavailable
from data_access.core.writes import ConflictError, ValidationFailed, WriteError
from domain.audit_text import value_words
from domain.labels import field_of_rule, label, without_label

log = logging.getLogger("pmo")

# save(values, changes, version) -> words for the success message. `values` is the whole
# record as typed, `changes` only what the user changed from what was loaded, `version` what
# the record was loaded at (or, when re-applying, the version it is at now).
Save = Callable[[dict[str, Any], dict[str, Any], int], str]
Check = Callable[[dict[str, Any]], dict[str, str]]

UNREACHABLE = (
    "The database cannot be reached right now; nothing was saved. "
    "What you typed is still here: try again in a moment."
)


def comparable(value: Any) -> Any:
    """Values as both sides of a comparison hold them: dates may come back as ISO text."""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if value == "":
        return None
    return value


def same(a: Any, b: Any) -> bool:
    return comparable(a) == comparable(b)


def picker(label_text: str, words: dict[Any, str], *, key: str, **kwargs) -> Any:
    """A segmented control over `words` (value -> label) that always has a choice."""
    return st.segmented_control(
        label_text,
        list(words),
        format_func=words.get,
        default=kwargs.pop("default", next(iter(words))),
        required=True,
        key=key,
        **kwargs,
    )


class EditForm:
    def __init__(
        self,
        name: str,
        record_id: int | str,
        values: dict[str, Any],
        version: int,
        save: Save,
        *,
        check: Check | None = None,
        names: dict[str, dict[int, str]] | None = None,
        token: Callable[[dict], int] = lambda current: current["version"],
    ):
        """`values` and `version`: the record as stored now (used when the form first opens
        and after each save); `token` reads the version to re-apply onto from a conflict's
        current record."""
        self.name, self.record_id = name, record_id
        self.save_fn, self.check_fn, self.token = save, check, token
        self.names = names or {}
        self.kinds: dict[str, str] = {}
        self._state = f"form:{name}:{record_id}"
        snapshot = st.session_state.get(self._state)
        if snapshot is None:
            snapshot = {"values": dict(values), "version": int(version)}
            st.session_state[self._state] = snapshot
        self.loaded: dict[str, Any] = snapshot["values"]
        self.version: int = snapshot["version"]
        self.stored_version = int(version)
        self.gen = st.session_state.get(f"gen:{name}", 0)

    # --- state -----------------------------------------------------------------------

    def key(self, field: str) -> str:
        return f"{self.name}-{self.record_id}-v{self.version}-g{self.gen}-{field}"

    @property
    def errors(self) -> dict[str, str]:
        return st.session_state.get(f"errors:{self._state}", {})

    @property
    def conflict(self) -> dict | None:
        return st.session_state.get(f"conflict:{self._state}")

    def _set(self, what: str, value: Any) -> None:
        if value:
            st.session_state[f"{what}:{self._state}"] = value
        else:
            st.session_state.pop(f"{what}:{self._state}", None)

    def _reset(self, message: str) -> None:
        """After a save: forget the snapshot and the typed values, say what happened."""
        st.session_state.pop(self._state, None)
        st.session_state[f"gen:{self.name}"] = self.gen + 1
        self._set("errors", None)
        self._set("conflict", None)
        st.session_state[f"done:{self.name}"] = message

    # --- fields ------------------------------------------------------------------------

    def _problem(self, field: str) -> None:
        message = self.errors.get(field)
        if message:
            st.error(self._sentence(field, message), icon=":material/error:")

    def _register(self, field: str, kind: str) -> str:
        self.kinds[field] = kind
        return self.key(field)

    def text(
        self,
        field: str,
        *,
        area: bool = False,
        help: str | None = None,
        height: int = 100,
        label_text: str | None = None,
    ) -> None:
        key = self._register(field, "text")
        value = self.loaded.get(field) or ""
        shown = label_text or label(field)
        if area:
            st.text_area(shown, value, key=key, help=help, height=height, persist_state="session")
        else:
            st.text_input(shown, value, key=key, help=help, persist_state="session")
        self._problem(field)

    def number(
        self, field: str, *, step: float = 1.0, fmt: str = "%.0f", help: str | None = None
    ) -> None:
        key = self._register(field, "number")
        value = self.loaded.get(field)
        st.number_input(
            label(field),
            value=None if value is None else float(value),
            step=step,
            format=fmt,
            key=key,
            help=help,
            persist_state="session",
        )
        self._problem(field)

    def date(
        self,
        field: str,
        *,
        optional: bool = False,
        help: str | None = None,
        label_text: str | None = None,
    ) -> None:
        key = self._register(field, "date")
        value = self.loaded.get(field)
        st.date_input(
            label_text or label(field),
            value=value if value is not None or optional else "today",
            key=key,
            help=help,
            persist_state="session",
            format="YYYY-MM-DD",
            min_value=dt.date(1990, 1, 1),
            max_value=dt.date(2100, 12, 31),
        )
        self._problem(field)

    def choice(
        self,
        field: str,
        options: Sequence[Any],
        *,
        format_func: Callable[[Any], str] = str,
        help: str | None = None,
        label_text: str | None = None,
        horizontal: bool = False,
    ) -> None:
        key = self._register(field, "choice")
        options = list(options)
        current = self.loaded.get(field)
        index = options.index(current) if current in options else None
        # A row of radio buttons for a few short choices (G/A/R), a drop-down otherwise.
        widget, extra = (
            (st.radio, {"horizontal": True})
            if horizontal
            else (st.selectbox, {"placeholder": "Choose…"})
        )
        widget(
            label_text or label(field),
            options,
            index=index,
            format_func=format_func,
            key=key,
            help=help,
            persist_state="session",
            **extra,
        )
        self._problem(field)

    def checkbox(
        self, field: str, *, help: str | None = None, label_text: str | None = None
    ) -> None:
        key = self._register(field, "bool")
        st.checkbox(
            label_text or label(field),
            bool(self.loaded.get(field)),
            key=key,
            help=help,
            persist_state="session",
        )
        self._problem(field)

    def note(self, field: str) -> None:
        """The problem of a part of the form that has no widget of its own (a list of rows),
        shown where that part is rather than only on top."""
        self.kinds[field] = "note"
        self._problem(field)

    def typed(self) -> dict[str, Any]:
        """Every field drawn on the last run, as the user left it."""
        return {f: st.session_state.get(self.key(f)) for f, k in self.kinds.items() if k != "note"}

    # --- messages around the form -------------------------------------------------------

    def banner(self) -> None:
        """Above the fields: the last save's outcome, or that someone saved meanwhile."""
        done = st.session_state.pop(f"done:{self.name}", None)
        if done:
            st.success(done, icon=":material/check_circle:")
        if self.stored_version != self.version and not self.conflict:
            st.info(
                "Someone saved this record after you opened it. Your form still shows what you "
                "opened; when you save you will see what changed and can re-apply your edit.",
                icon=":material/info:",
            )

    def summary(self) -> None:
        """All problems at once on top when there are several (long forms scroll) or when one
        belongs to no field on the form; each is also shown under its field."""
        errors = self.errors
        loose = [f for f in errors if f not in self.kinds]
        if len(errors) < 2 and not loose:
            return
        count = len(errors)
        st.error(
            f"Nothing was saved: {count} problem{'s' if count > 1 else ''} to fix"
            + (", each also shown under its field" if not loose else "")
            + ". What you typed is kept."
            + "".join(f"\n\n- {self._sentence(f, m)}" for f, m in errors.items()),
            icon=":material/error:",
        )

    @staticmethod
    def _sentence(field: str, message: str) -> str:
        return f"**{label(field)}** {without_label(label(field), message)}" if field else message

    @contextmanager
    def layout(self, submit_text: str = "Save") -> Iterator[None]:
        """The form: outcome and problems on top, the caller's fields, the save button, and a
        conflict (drawn above the form once the fields are known)."""
        top = st.container()
        with st.form(f"{self.name}-{self.record_id}-form", enter_to_submit=False):
            self.banner()
            slot = st.container()
            yield
            with slot:
                self.summary()
            st.form_submit_button(
                submit_text, type="primary", on_click=self._on_submit, icon=":material/save:"
            )
        with top:
            self.conflict_panel()

    # --- saving ------------------------------------------------------------------------

    def _place(self, errors: dict[str, str]) -> dict[str, str]:
        """Record-level rules go next to the field they are about when they name one."""
        placed: dict[str, str] = {}
        for field, message in errors.items():
            if not field:
                field = field_of_rule(message, list(self.kinds))
            placed.setdefault(field, message)
        return placed

    def _attempt(self, values: dict, changes: dict, version: int) -> bool:
        """Check and save; on any refusal keep everything typed and record why."""
        errors = self.check_fn(values) if self.check_fn else {}
        if errors:
            self._set("errors", self._place(errors))
            return False
        try:
            message = self.save_fn(values, changes, version)
        except ValidationFailed as exc:
            self._set("errors", self._place(exc.errors))
            return False
        except ConflictError as exc:
            self._set("errors", None)
            self._set(
                "conflict",
                {"current": exc.current, "changes": changes, "values": values, "text": str(exc)},
            )
            return False
        except WriteError as exc:  # permission refused, record gone
            self._set("errors", {"": str(exc)})
            return False
        except (DatabaseUnavailable, sa.exc.OperationalError):
            log.exception("save failed: database unreachable")
            self._set("errors", {"": UNREACHABLE})
            return False
        self._reset(message)
        return True

    def _on_submit(self) -> None:
        typed = self.typed()
        values = {**self.loaded, **typed}
        changes = {f: v for f, v in typed.items() if not same(v, self.loaded.get(f))}
        self._attempt(values, changes, self.version)

    def _current_values(self, current: dict) -> dict[str, Any]:
        out = {}
        for field in self.kinds:
            if field in current:
                value = current[field]
                if self.kinds[field] == "date" and isinstance(value, str):
                    value = dt.date.fromisoformat(value[:10])
                out[field] = value
        return out

    def _reapply(self) -> None:
        conflict = self.conflict
        current = conflict["current"]
        values = {**conflict["values"], **self._current_values(current), **conflict["changes"]}
        self._attempt(values, conflict["changes"], self.token(current))

    def _discard(self) -> None:
        self._reset("Your edit was discarded; the form shows the record as it is now.")

    def conflict_panel(self) -> None:
        """What the other person changed and what this user typed, field by field."""
        conflict = self.conflict
        if not conflict:
            return
        current, changes = conflict["current"], conflict["changes"]
        who = current.get("_changed_by") or "someone else"
        rows = []
        for field in self.kinds:
            theirs = field in current and not same(current[field], self.loaded.get(field))
            if not theirs and field not in changes:
                continue
            was, now = self.loaded.get(field), current.get(field)
            rows.append(
                {
                    "Field": label(field),
                    # Narrow enough for a form in a column: "was → now" in one cell.
                    f"{who} changed": f"{self._words(field, was)} → {self._words(field, now)}"
                    if theirs
                    else "",
                    "Your edit": (
                        self._words(field, changes[field])
                        + (" (replaces theirs)" if theirs else "")
                    )
                    if field in changes
                    else "",
                }
            )
        with st.container(border=True, key=f"conflict-{self.name}-{self.record_id}"):
            st.warning(
                f"**Not saved: {who} changed this record while you were editing it.** "
                "Nothing you typed is lost. Re-apply your edit onto their version (what only "
                "they changed keeps their value), or discard your edit.",
                icon=":material/sync_problem:",
            )
            st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
            buttons = st.container(horizontal=True)
            buttons.button(
                "Re-apply my edit",
                key=f"reapply-{self._state}",
                type="primary",
                on_click=self._reapply,
                icon=":material/replay:",
                help="Save your changes on top of the version saved meanwhile",
            )
            buttons.button(
                "Discard my edit",
                key=f"discard-{self._state}",
                on_click=self._discard,
                icon=":material/undo:",
            )

    def _words(self, field: str, value: Any) -> str:
        return value_words(field, value, self.names)
