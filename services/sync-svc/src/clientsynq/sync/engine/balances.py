"""The last step of a run that changed invoices or payments: their customers, read again.

QBO recomputes a customer's Balance when its invoices or payments change without
necessarily touching the customer's LastUpdatedTime, so neither CDC nor a Customer webhook
reports it. The run's page checkpoints name every customer whose transactions it
published; those are read by id (batched) and published, so the balance a client sees moves
in the same run. A full customer read in the same run already has them, except for
changes made while it paged — a price worth paying over reading every customer twice.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from clientsynq.sync.domain.plan import FULL, Stream
from clientsynq.sync.engine.context import RunContext
from clientsynq.sync.engine.related import batches

BALANCES = "Customer_balances"


def refresh_balances(ctx: RunContext, entities: list[str], modes: dict[str, str]) -> None:
    if not {"Invoice", "Payment"} & set(entities):
        return
    if modes.get("Customer") == FULL:
        return
    state = ctx.stream_state(BALANCES)
    if state.get("finished"):
        return
    stream = Stream(BALANCES, "Customer", "ids")
    done = set(state.get("done") or [])
    touched = ctx.checkpoints.touched_customers()
    if not touched:  # a quiet run: nothing to read, nothing to checkpoint
        return
    for page, chunk in enumerate(batches(touched)):
        if page in done:
            continue
        ctx.check_running()
        rows: list[dict[str, Any]] = ctx.conn.query_ids("Customer", chunk)
        result = ctx.publisher.publish_rows(rows, ctx.page_context("Customer"))
        ctx.checkpoints.page_done(stream.key, page, "Customer", replace(result, customers=[],
                                                                       edges=None))
    ctx.checkpoints.save(stream.key, {"entity": "Customer", "finished": True})
