"""GraphQL resolvers, per-request data loaders and the analytics they call (the API issue)."""
