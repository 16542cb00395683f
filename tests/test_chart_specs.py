"""The server skips the Vega-Lite schema check of chart specs; the tests make it."""

import altair as alt
import jsonschema
import pandas as pd
import pytest

from charts.specs import vega_lite

# An encoding type Vega-Lite does not have: only the schema check finds it.
INVALID = alt.Chart(pd.DataFrame({"x": [1]})).mark_bar().encode(x=alt.X("x", type="quantitative"))
INVALID.encoding.x.type = "sideways"


def test_the_tests_check_every_spec_against_the_schema():
    with pytest.raises(jsonschema.ValidationError):
        vega_lite(INVALID)


def test_the_server_draws_without_the_check(monkeypatch):
    monkeypatch.delenv("PMO_VALIDATE_CHARTS")
    assert vega_lite(INVALID)["encoding"]["x"]["type"] == "sideways"
