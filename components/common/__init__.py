"""Pieces every page shares: cached reads keyed by the data version, the URL-kept filters, page
furniture, small widgets, the two form engines, the record cache, export, the chart cache and
safe text.
"""
