"""Batch jobs run from the CLI: expiring dishonesty records, exporting credit changes."""
