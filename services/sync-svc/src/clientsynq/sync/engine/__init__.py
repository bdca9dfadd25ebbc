"""The run engine. Its public face for handlers is this module: mapping a few QBO rows to
snapshots (`PageContext`, `to_snapshot`) and reading the rows related to a change
(`payments_of`, `read_by_ids`). Everything else in the package is the engine's own, used
by the runner and wired by bootstrap (issue 9: handlers do not import engine internals)."""
from clientsynq.sync.engine.pages import PageContext, to_snapshot
from clientsynq.sync.engine.related import payments_of, read_by_ids

__all__ = ["PageContext", "payments_of", "read_by_ids", "to_snapshot"]
