"""People, capacity and money page: cached reads, the capacity and money views, the allocation
forms.
"""
