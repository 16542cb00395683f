"""One format for dates, weeks, money and status colours across every page (PMO_DOMAIN.md)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

# Okabe-Ito based: readable on projectors and for colour-blind viewers; always shown with a letter.
RAG_COLOURS = {"G": "#009E73", "A": "#E69F00", "R": "#D55E00", "S": "#999999", "C": "#0072B2"}
RAG_LABELS = {"G": "Green", "A": "Amber", "R": "Red", "S": "Stale", "C": "Completed"}
RAG_ORDER = ["R", "A", "S", "G", "C"]
BAND_COLOURS = {"Low": "#009E73", "Medium": "#F0E442", "High": "#E69F00", "Critical": "#D55E00"}
# Opportunities are good news: shades of blue, so they never read as threats.
OPPORTUNITY_COLOURS = {
    "Low": "#D4E9F7",
    "Medium": "#9CCBEE",
    "High": "#56B4E9",
    "Critical": "#0072B2",
}


def fmt_date(value) -> str:
    """25 Nov 2026, or an empty string for a missing date."""
    if isinstance(value, dt.date):  # a Timestamp too; no Timestamp built for a plain date
        return value.strftime("%d %b %Y")
    if value is None or pd.isna(value):
        return ""
    return pd.Timestamp(value).strftime("%d %b %Y")


def iso_week(value) -> str:
    """2026-W48."""
    year, week, _ = pd.Timestamp(value).isocalendar()
    return f"{year}-W{week:02d}"


def iso_weeks(days: pd.Series) -> pd.Series:
    """`iso_week` of each day, worked out once per distinct day (a year of weekly cells of
    5,000 projects holds 52 days)."""
    return days.map({day: iso_week(day) for day in days.unique()})


def fmt_money(value: float, currency: str = "EUR", compact: bool = False) -> str:
    """12,345 EUR, or 1.2 M EUR (2.8 bn EUR) on tiles when compact."""
    if value is None or pd.isna(value):
        return ""
    if compact and abs(value) >= 1_000_000_000:
        return f"{value / 1_000_000_000:,.1f} bn {currency}"
    if compact and abs(value) >= 1_000_000:
        return f"{value / 1_000_000:,.1f} M {currency}"
    if compact and abs(value) >= 10_000:
        return f"{value / 1_000:,.0f} k {currency}"
    return f"{value:,.0f} {currency}"


# Tiles have room for a few characters: "22.8 M€" rather than "22.8 M EUR".
CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "INR": "₹"}


def fmt_money_short(value: float, currency: str = "EUR") -> str:
    """The tile form of an amount: 22.8 M€, 926 k€, 2.8 bn€, 9,500 €; "M CHF" for a currency
    without a symbol. The full amount (`fmt_money`) goes in the tile's tooltip."""
    symbol = CURRENCY_SYMBOLS.get(currency)
    if symbol is None:
        return fmt_money(value, currency, compact=True)
    return (
        fmt_money(value, "", compact=True).rstrip() + ("" if abs(value) >= 10_000 else " ") + symbol
    )


def rag_label(letter: str) -> str:
    return RAG_LABELS.get(letter, letter)


def fmt_dates(values) -> list[str]:
    """`fmt_date` of a column of dates; each distinct date is formatted once."""
    series = pd.Series(values, dtype=object)
    names = {v: fmt_date(v) for v in series.dropna().unique()}
    return [names.get(v, "") for v in series.tolist()]
