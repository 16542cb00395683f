"""PMO administration: people and roles, portfolios, programs, departments, settings."""
