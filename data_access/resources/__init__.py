"""People, capacity and allocations, and money over time: reads aggregated in SQL and the
allocation writes.
"""
