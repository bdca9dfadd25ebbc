"""Projections: events in, read models out (idempotent, version-guarded)."""
