"""The GraphQL schema: types per domain, the root query, the security extensions."""
