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
with over 1000 rows in the segment cannot be read in one answer; it is read in several
passes and logged, as no sort key QBO is sure to keep can split it.

Boundary CreateTimes come from the pages (checkpointed with them, so a resumed run knows
them too); a page without them (checkpointed by an older version) costs one tiny probe.
"""
from __future__ import annotations

import logging
from collections.abc import Callable

from clientsynq.sync.domain import plan
from clientsynq.sync.domain.plan import Stream
from clientsynq.sync.domain.qbo_values import loads
from clientsynq.sync.engine.context import RunContext
from clientsynq.sync.engine.pages import created_edges, rows_of

log = logging.getLogger(__name__)
TIES = "#ties"
TIE_PAGE = 1000  # QBO's MAXRESULTS limit: a second of up to 1000 rows is one request
BIG_TIE_PASSES = 3
Fetch = Callable[[RunContext, Stream, int, str], int]


def split_seconds(ctx: RunContext, stream: Stream, last_page: int) -> list[str]:
    """The CreateTime seconds in which page k-1 ends and page k begins, k in 1..last_page."""
    edges = ctx.page_edges(stream.key)
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
        seq = read_whole(ctx, plan.tie_stream(stream, second, TIES), seq, fetch)


def read_whole(ctx: RunContext, tie: Stream, seq: int, fetch: Fetch) -> int:
    """Every row of `tie` (one second), its pages checkpointed from `seq`; the next seq.
    Over 1000 rows cannot come in one answer, and the slices of a shuffled second can miss
    rows: such a second is read in several passes (and logged)."""
    passes, page = 1, 0
    while True:
        rows = fetch(ctx, tie, seq, plan.page_query(tie, page, TIE_PAGE))
        seq, page = seq + 1, page + 1
        if rows == TIE_PAGE:
            continue
        if page == 1 or passes >= BIG_TIE_PASSES:
            break
        passes, page = passes + 1, 0
    if passes > 1:
        log.warning("sync.big_tie", extra={"tenant_id": ctx.tenant_id,
                                           "entity": tie.entity, "passes": passes})
    return seq
