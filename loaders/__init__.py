"""Batch ingestion of department exports into the county graph."""
