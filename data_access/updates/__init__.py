"""Writes of the Quick updates page: projects, status reports, milestones, risks and other RAID
items, and the all-or-nothing batches of the bulk editor and spreadsheet import.
"""
