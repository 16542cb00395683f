"""Methodology on the pages: lifecycle bar, gate criteria, submit and decide forms, compliance."""
