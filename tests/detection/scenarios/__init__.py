"""Scenarios written from the domain reference (docs/domain.md), not from the synthetic county's
generator: what investigators must be told, and what they must not be told."""
