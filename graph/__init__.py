"""Neo4j access: the local server, the driver, the model's labels, migrations and statistics."""
