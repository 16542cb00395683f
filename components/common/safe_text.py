"""User text shown as text, never as markup.

`st.markdown`, `st.title`, `st.caption`, metric and widget labels interpret Markdown (and
Streamlit's own `:red[...]`, `:material/...:` and `$...$` syntax). Whatever a user typed
(names, summaries, risk titles) goes through `md_escape` before it reaches one of those; or
it is shown with `st.text`, in a text input, or in a dataframe cell, which never interpret it.
Raw HTML (`unsafe_allow_html=True`, `st.html`) is never fed user data: tests/test_auth_safety.py
fails on any use of it.
"""

from __future__ import annotations

import re

# Every ASCII punctuation character may be backslash-escaped in CommonMark; escaping them
# all leaves no Markdown, HTML, directive or LaTeX syntax in the text.
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def md_escape(text: object) -> str:
    """`text` as Markdown that shows exactly these characters."""
    if text is None:
        return ""
    escaped = _PUNCTUATION.sub(r"\\\1", str(text))
    # Line breaks stay line breaks, not paragraphs or headings of the enclosing Markdown.
    return escaped.replace("\r\n", "\n").replace("\n", "  \n")
