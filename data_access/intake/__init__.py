"""Intake and selection: proposals, drivers, scores, scenarios and benefits (reads and writes)."""
