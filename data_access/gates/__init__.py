"""Methodology: lifecycle templates, project lifecycles, stage gates and their decisions."""
