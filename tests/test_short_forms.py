"""Short forms that let a tile or a slide say a value or a reason in the room it has (issue 28),
instead of cutting it."""

from __future__ import annotations

import pytest

from domain.formatting import fmt_money, fmt_money_short
from domain.slides import short_reason

SCHEDULE = (
    "Forecast finish 02 Jun 2027 is 107 days after the baseline finish 15 Feb 2027: 31.7 % of "
    "the 338-day plan (Amber above 5 %, Red above 10 %). 1 milestone overdue (at least Amber)."
)
COST = (
    "Forecast at completion 919,600 is 16.1 % over the approved budget 792,000 (Amber above 5 %, "
    "Red above 10 %). CPI 0.86: earned value 506,088 for 588,000 spent (Amber below 0.95, Red "
    "below 0.9)."
)
RISK = (
    "Highest open risk score 25 (Amber from 10: High, Red from 15: Critical); 7 open risks "
    "scored 10 or more."
)


def test_a_reason_that_fits_is_said_whole():
    assert short_reason(RISK, 200) == RISK


def test_a_long_reason_is_its_first_sentence_never_cut_mid_sentence():
    assert short_reason(COST, 140) == (
        "Forecast at completion 919,600 is 16.1 % over the approved budget 792,000 "
        "(Amber above 5 %, Red above 10 %)."
    )
    assert short_reason(SCHEDULE, 140) == SCHEDULE.split(". ")[0] + "."


def test_a_first_sentence_too_long_is_its_first_clause_with_the_rule():
    # The first clause keeps its number; the thresholds it is judged by come along.
    assert (
        short_reason(RISK, 80)
        == "Highest open risk score 25 (Amber from 10: High, Red from 15: Critical)"
    )
    assert short_reason(SCHEDULE, 115) == (
        "Forecast finish 02 Jun 2027 is 107 days after the baseline finish 15 Feb 2027 "
        "(Amber above 5 %, Red above 10 %)"
    )


def test_only_free_text_without_a_clause_short_enough_is_cut_at_a_word():
    reason = "Override: set to Red by Ann " + "because the supplier keeps slipping " * 5
    short = short_reason(reason, 60)
    assert len(short) <= 60 and short.endswith("…")
    assert short.startswith("Override: set to Red by Ann because")


@pytest.mark.parametrize(
    ("value", "currency", "short"),
    [
        (22_812_345, "EUR", "22.8 M€"),
        (925_700, "EUR", "926 k€"),
        (2_812_345_678, "USD", "2.8 bn$"),
        (9_500, "GBP", "9,500 £"),
        (22_812_345, "CHF", "22.8 M CHF"),
    ],
)
def test_tile_amounts_have_a_short_unit_form(value, currency, short):
    assert fmt_money_short(value, currency) == short
    assert fmt_money(value, currency) != short  # the full amount is the tooltip's
