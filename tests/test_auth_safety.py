"""Safety rules that hold for the whole code base: no raw HTML from data, user text escaped,
no tracebacks shown to users. (The real-browser proof is in tests/test_auth_browser.py.)"""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from components.common.safe_text import md_escape

ROOT = Path(__file__).resolve().parent.parent
UI_FILES = [
    ROOT / "app.py",
    *sorted((ROOT / "pages").glob("*.py")),
    *sorted((ROOT / "components").glob("*.py")),
]
HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "<script>alert('x')</script>",
    "[click me](javascript:alert(1))",
    "**bold** _it_ `code` # heading",
    ":red[red] :material/warning: $x^2$",
    "Tom & Jerry's <b>R&D</b> | a | b |",
]


def _is_constant(node: ast.AST) -> bool:
    """A string literal, or a module constant by name (UPPER_CASE): no data can reach it."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    name = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")
    return bool(re.fullmatch(r"[A-Z][A-Z0-9_]*", name))


def _raw_html_calls(path: Path, root: Path = ROOT) -> list[str]:
    """Calls that put raw HTML on the page with anything but a constant."""
    offenders = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Call):
            continue
        unsafe = any(
            k.arg == "unsafe_allow_html"
            and not (isinstance(k.value, ast.Constant) and not k.value.value)
            for k in node.keywords
        )
        func = node.func
        html_call = isinstance(func, ast.Attribute) and func.attr == "html"
        if (unsafe or html_call) and not (node.args and _is_constant(node.args[0])):
            offenders.append(f"{path.relative_to(root)}:{node.lineno}")
    return offenders


def test_no_raw_html_is_built_from_data():
    offenders = [o for path in UI_FILES for o in _raw_html_calls(path)]
    assert offenders == [], (
        "Raw HTML (unsafe_allow_html=True, st.html, components.html) may only be given a "
        "constant; show user text with md_escape, st.text or a dataframe cell."
    )


def test_the_check_catches_raw_html_from_data(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import streamlit as st\n"
        "st.markdown(f'<b>{name}</b>', unsafe_allow_html=True)\n"
        "st.html(summary)\n"
        "st.markdown(CSS, unsafe_allow_html=True)\n"
        "st.markdown(text, unsafe_allow_html=False)\n"
    )
    assert _raw_html_calls(bad, tmp_path) == ["bad.py:2", "bad.py:3"]


@pytest.mark.parametrize("text", HOSTILE)
def test_md_escape_leaves_no_markup(text):
    escaped = md_escape(text)
    # Every punctuation character is preceded by a backslash, so none of it is syntax.
    assert re.search(r"(?<!\\)[<>\[\]*_`#:$&|()!]", escaped.replace("\\\\", "")) is None
    # Taking the backslashes away gives back exactly what was typed.
    assert re.sub(r"\\(.)", r"\1", escaped) == text


def test_md_escape_keeps_words_and_line_breaks():
    assert md_escape("Plain words 42") == "Plain words 42"
    assert md_escape("one\ntwo") == "one  \ntwo"
    assert md_escape(None) == ""


def test_user_text_reaches_streamlit_escaped():
    def script():
        import streamlit as st

        from components.common.safe_text import md_escape

        st.title(md_escape(st.session_state["name"]))

    at = AppTest.from_function(script)
    at.session_state["name"] = "<img src=x onerror=alert(1)>"
    at.run()
    assert at.title[0].value == r"\<img src\=x onerror\=alert\(1\)\>"


def test_error_details_are_not_shown_to_users():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"
