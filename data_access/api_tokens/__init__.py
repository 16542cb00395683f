"""Personal access tokens for the API and the OData feed: created, used, revoked."""
