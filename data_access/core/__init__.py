"""What every feature builds on: configuration, the clock (today), engine and sessions, schema
upgrade, the models, the audited write machinery, permissions, settings, sign-in accounts,
record reads, shared SQL helpers and backups.
"""
