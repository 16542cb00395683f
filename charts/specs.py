"""Vega-Lite specs of the chart builders' Altair charts, as the pages hand them to Streamlit.

Altair checks a spec against the Vega-Lite schema as it writes it: about half of what a chart
costs to build (0.13 s of the 0.3 s a small portfolio's overview spent on its three charts on a
cold run). The server skips the check; the tests, which draw every chart of every page, make it
(tests/conftest.py sets PMO_VALIDATE_CHARTS), so a builder that writes an invalid spec fails
there.
"""

from __future__ import annotations

import os

import altair as alt

from charts.titles import fit_title


def vega_lite(chart: alt.TopLevelMixin, *, fit: bool = True) -> dict:
    """The chart's spec; with `fit`, its title wrapping to the drawn width (fit_title)."""
    spec = chart.to_dict(validate=os.environ.get("PMO_VALIDATE_CHARTS") == "1")
    return fit_title(spec) if fit else spec
