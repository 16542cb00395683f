"""Milestones page: cached milestone reads and charts."""
