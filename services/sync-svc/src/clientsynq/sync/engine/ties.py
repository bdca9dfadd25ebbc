"""Seconds split between two pages of a full segment are read again, whole.

QBO orders a full segment by `MetaData.CreateTime` to the second and promises no order among
rows of the same second (a bulk import stamps hundreds alike; the order may differ on every
request). Pages fetched by STARTPOSITION are each a consistent slice, but where page k ends
and page k+1 begins inside one second, each page holds *some* of that second's rows: the two
slices can repeat one row and miss another. Only such a boundary second is at risk: a second
wholly inside one page comes back whole in that page. So after paging, every boundary
second (last CreateTime of page k equals the first of page k+1; both values are fixed,
whatever the order within the second) is queried alone, `... AND MetaData.CreateTime = 't'`,
and published again (consumers keep the newer snapshot, so repeats are harmless). A second
with over 1000 rows in the segment cannot be read in one answer, and no sort key QBO is
sure to keep can split it (Intuit says `Id` will stop being sortable); so its rows are
counted (`COUNT(*)` of the second) and it is read in passes until the distinct Ids seen
reach the count: complete by that check, not by luck. A second that still falls short
after many passes and a fresh count fails the run (QboUnavailable: retried later) rather
than end it with a hole.

Boundary CreateTimes come from the pages (checkpointed with them, so a resumed run knows
them too); a page without them (checkpointed by an older version) costs one tiny probe.
"""
from __future__ import annotations

import logging
from collections.abc import Callable

from clientsynq.sync.domain import plan
from clientsynq.sync.domain.errors import QboUnavailable
from clientsynq.sync.domain.plan import Stream
from clientsynq.sync.domain.qbo_values import loads
from clientsynq.sync.engine.context import RunContext
from clientsynq.sync.engine.pages import PageResult, created_edges, rows_of

log = logging.getLogger(__name__)
TIES = "#ties"
TIE_PAGE = 1000  # QBO's MAXRESULTS limit: a second of up to 1000 rows is one request
BIG_TIE_PASSES = 30  # then the second is counted again, and the run fails if still short
TIE_SEQ_SPAN = 1000  # checkpoint numbers reserved per tied second
Fetch = Callable[[RunContext, Stream, int, str], PageResult]


def split_seconds(ctx: RunContext, stream: Stream, last_page: int) -> list[str]:
    """The CreateTime seconds in which page k-1 ends and page k begins, k in 1..last_page."""
    edges = ctx.checkpoints.page_edges(stream.key)
    seconds: list[str] = []
    for page in range(1, last_page + 1):
        before, after = edges.get(page - 1), edges.get(page)
        if before is None or after is None:
            ctx.check_running()
            probed = rows_of(loads(ctx.conn.query_raw(
                plan.edge_query(stream, page, ctx.page_size))), stream.entity)
            end, start = (created_edges(probed[:1])[0], created_edges(probed[1:])[0])
        else:
            end, start = before[1], after[0]
        if end and end == start and end not in seconds:
            seconds.append(end)
    return seconds


def reread_split_seconds(ctx: RunContext, stream: Stream, last_page: int,
                         fetch: Fetch) -> None:
    """Read each split second whole through `fetch` (fetch, publish, checkpoint)."""
    seq = 0
    for second in split_seconds(ctx, stream, last_page):
        seq, _ = read_whole(ctx, plan.tie_stream(stream, second, TIES), seq, fetch)


def read_whole(ctx: RunContext, tie: Stream, seq: int, fetch: Fetch) -> tuple[int, set[str]]:
    """Every row of `tie` (one second), its pages checkpointed from `seq`: (the next seq,
    the Ids published). Up to 1000 rows come in one consistent answer; more are read in
    passes until the Ids seen reach the second's COUNT(*)."""
    first = fetch(ctx, tie, seq, plan.page_query(tie, 0, TIE_PAGE))
    seen, skipped = set(first.ids), set(first.skipped)
    if first.rows < TIE_PAGE:
        return seq + 1, seen - skipped
    expected, passes, page, seq = _count(ctx, tie), 1, 1, seq + 1
    while len(seen) < expected:
        result = fetch(ctx, tie, seq, plan.page_query(tie, page, TIE_PAGE))
        seen.update(result.ids)
        skipped.update(result.skipped)
        seq, page = seq + 1, page + 1
        if result.rows == TIE_PAGE or len(seen) >= expected:
            continue
        passes, page = passes + 1, 0  # a pass ended short of the count: read it again
        if passes > BIG_TIE_PASSES:
            expected = _still_short(ctx, tie, len(seen))
    log.warning("sync.big_tie", extra={"tenant_id": ctx.tenant_id, "entity": tie.entity,
                                       "rows": len(seen), "passes": passes})
    return seq, seen - skipped


def _count(ctx: RunContext, tie: Stream) -> int:
    ctx.check_running()
    body = ctx.conn.query(plan.count_query(tie))
    return int((body.get("QueryResponse") or {}).get("totalCount", 0))


def _still_short(ctx: RunContext, tie: Stream, seen: int) -> int:
    """After many passes: rows may have left the second meanwhile (a new count says so);
    otherwise the second cannot be read whole now, and the run must not end with a hole."""
    expected = _count(ctx, tie)
    if seen >= expected:
        return expected
    raise QboUnavailable(f"{tie.entity} rows created in one second ({expected}) could not "
                         f"all be read ({seen} after {BIG_TIE_PASSES} passes)")
