"""Reads only the API and the OData feed need: per-project facts the pages draw as charts."""
