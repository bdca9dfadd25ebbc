"""The states a sync run passes through (stored on the run document, named in events)."""
from __future__ import annotations

PENDING, RUNNING, MERGED = "pending", "running", "merged"
COMPLETED, FAILED, SKIPPED = "completed", "failed", "skipped"
