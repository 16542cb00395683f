"""Database layer: models, engine, reads that return DataFrames, and audited writes.

`core/` holds what every feature builds on, `demo/` the demo generator, and each feature has
its own package (`reads.py`, `commands.py`) that imports only `core/`. Nothing here imports
Streamlit, so the same code serves the app, the CLI and the tests.
"""
