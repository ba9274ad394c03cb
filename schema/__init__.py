"""Data shapes: pydantic models for department feeds (and, later, GraphQL types and inputs)."""
