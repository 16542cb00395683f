"""Intake and selection page: proposals, scores, selection, scenarios, drivers, benefits."""
