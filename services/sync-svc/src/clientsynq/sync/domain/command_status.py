"""The states of a Pro write command in the ledger (stored on its document; the handlers
decide by them, the ledger adapter stores them: one source for both).

`in_progress`: taken, nothing sent yet, or a worker died mid-POST. `unknown`: a POST may
have reached QBO; only the same `requestid` replayed, or a read-back, can say.
`succeeded`, `failed`: settled, never carried out again.
"""
from __future__ import annotations

IN_PROGRESS, UNKNOWN = "in_progress", "unknown"
SUCCEEDED, FAILED = "succeeded", "failed"
OPEN = (IN_PROGRESS, UNKNOWN)
