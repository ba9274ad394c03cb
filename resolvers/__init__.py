"""GraphQL resolvers and their data access: the named Cypher each domain runs, the per-request
DataLoaders (loaders of the request context, not the department feeds of `loaders/`), and the
analytics the schema's fields call. schema/ holds the types and root fields that use them."""
