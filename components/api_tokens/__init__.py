"""Personal access tokens for the API and the OData feed: create, list, revoke."""
