"""Encodings built as channel objects.

Altair 6.3 turns a shorthand string or a dict given to `encode()` into its channel through
`from_dict`, which hashes the whole Vega-Lite schema on every call (2-4 ms a channel, paid on
every rerun; vega/altair#3547 would fix it upstream). Charts therefore pass channel objects:
`alt.X("x:Q")`, `alt.OpacityValue(0.5)`, and conditions through `conditional`.
"""

from __future__ import annotations

from typing import Any

import altair as alt


def conditional(channel: type[alt.SchemaBase], predicate: Any, if_true: Any, if_false: Any):
    """`alt.condition(...)` as the `channel` value class (e.g. alt.ColorValue): the same spec."""
    return channel(**alt.condition(predicate, if_true, if_false))
