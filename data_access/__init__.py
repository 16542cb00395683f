"""Database layer: models, engine, reads that return DataFrames, and audited writes.

Nothing here imports Streamlit, so the same code serves the app, the CLI and the tests.
"""
