"""Quick updates page: one module per form (status, milestones, RAID, project) and the spreadsheet
import and export.
"""
