"""Chart titles that wrap to the width the chart is drawn at, instead of ending in "…".

Vega-Lite cuts a title at the chart's width. A spec passes through `fit_title` once (it is
cached with the spec); its title text becomes an expression that picks, from the chart's
`width` when drawn, the title broken into lines short enough for it.
"""

from __future__ import annotations

import json
import math

# Pixels per character of a title in the charts' type (15 to 17 px, bold): a generous mean.
PX_PER_CHAR = 9.0
# The room a title has: the width of the element the chart is drawn in, known before the
# first layout (the chart's `width` signal settles a pass later under "fit" sizing, and a title
# that gains a line then is drawn above the chart, cut); `width` where there is no element.
ROOM = "(containerSize()[0] || width)"
LINE_CHARS = (14, 20, 28, 38, 52)  # the line lengths offered, narrowest first


def wrap(text: str, chars: int) -> list[str]:
    """`text` broken at spaces into lines of at most `chars` characters (a longer word gets a
    line of its own)."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= chars:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def title_expression(lines: list[str], px_per_char: float = PX_PER_CHAR) -> str | None:
    """A Vega expression choosing, by the room it has (ROOM), the title broken to fit; None
    when the title is short enough for any width the page gives a chart."""
    longest = max((len(line) for line in lines), default=0)
    if longest <= LINE_CHARS[0]:
        return None
    # The widest breaking that fits: lines of `chars` need `chars` x px_per_char pixels.
    offered = [c for c in LINE_CHARS if c < longest]
    expression = json.dumps(lines)  # as written, once the chart is wide enough for it
    for chars, room in reversed(list(zip(offered, [*offered[1:], longest], strict=True))):
        wrapped = [part for line in lines for part in wrap(line, chars)]
        expression = (
            f"{ROOM} < {math.ceil(room * px_per_char)} ? {json.dumps(wrapped)} : ({expression})"
        )
    return expression


def fit_title(spec: dict) -> dict:
    """The spec with its top-level title wrapping to the drawn width (the spec is changed)."""
    title = spec.get("title")
    if title is None:
        return spec
    if not isinstance(title, dict):
        title = {"text": title}
    text = title.get("text")
    lines = [text] if isinstance(text, str) else text
    if not isinstance(lines, list) or not all(isinstance(line, str) for line in lines):
        return spec
    expression = title_expression(lines)
    if expression is not None:
        spec["title"] = {**title, "text": {"expr": expression}}
    return spec
