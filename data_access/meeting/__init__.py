"""Portfolio review: reads for the slides, what changed between two days, the review record with
its decisions and actions.
"""
