"""The Neo4j Community server the project provisions and runs itself: the pinned distribution, a
Java to run it, and the local server's life cycle."""
