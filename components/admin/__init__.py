"""Admin page: cached reads of people, organisation and settings."""
