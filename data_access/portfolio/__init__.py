"""Portfolio reads: the health facts per project, the same facts as of a past day, the project
report.
"""
