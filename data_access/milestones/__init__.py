"""Milestone reads: burndown, trend (MTA) history and slippage lists."""
