"""Risks page: cached risk and RAID reads, risk tables and the one-risk panel."""
