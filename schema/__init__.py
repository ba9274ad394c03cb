"""The GraphQL schema: types, inputs, errors and root fields per domain, and the extensions that
apply the access and field tables."""
