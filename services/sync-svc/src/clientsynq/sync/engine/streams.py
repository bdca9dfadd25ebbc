"""Executing the three kinds of stream, each checkpointed after every page.

- pages: a full segment. Count it, then fetch every page not yet checkpointed, up to the
  limiter's concurrency at once; then one page past the counted end, in case rows arrived.
- cdc: one CDC call for one entity. At the 1000-object cap the answer may be cut short,
  so the stream falls back to keyset paging by LastUpdatedTime from the same instant.
- since: that keyset paging, sequential by nature.
"""
from __future__ import annotations

import math
import time
from concurrent.futures import FIRST_EXCEPTION, Future, wait
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from clientsynq.sync.domain import plan
from clientsynq.sync.domain.plan import Stream
from clientsynq.sync.domain.qbo_values import is_deleted_stub, loads
from clientsynq.sync.engine import ties
from clientsynq.sync.engine.context import RunContext
from clientsynq.sync.engine.pages import PageResult, created_edges, rows_of
from clientsynq.sync.engine.related import payments_of

CDC_CAP = 1000
REREAD = "#reread"
# QBO stamps changes in whole seconds: a change in the second of the count may predate it.
COUNT_CLOCK_SLACK = timedelta(seconds=1)


def run_pages(ctx: RunContext, stream: Stream) -> None:
    state = ctx.stream_state(stream.key)
    if state.get("finished"):
        return
    total = state.get("pages")
    if total is None:
        total = _count_pages(ctx, stream)
    done = set(state.get("done") or [])
    futures = [ctx.pages.submit(fetch_page, ctx, stream, page)
               for page in range(total) if page not in done]
    _wait_all(futures)
    if not stream.key.endswith(REREAD) and _unchanged_since_count(ctx, stream, state):
        # Nothing of the entity changed since the count: no row entered or left the
        # segment, so the counted pages are all of it and there is no page past their end
        # to look at (a request of the realm's ten a second saved per segment).
        ties.reread_split_seconds(ctx, stream, max(total - 1, 0), fetch_page)
        _finished(ctx, stream)
        return
    page = total
    while page in done or fetch_page(ctx, stream, page).rows == ctx.page_size:
        page += 1  # the company grew while we paged: keep going until a short page
    ties.reread_split_seconds(ctx, stream, page, fetch_page)
    if not stream.key.endswith(REREAD) and _changed_while_paged(ctx, stream, state):
        run_pages(ctx, replace(stream, key=stream.key + REREAD))
    _finished(ctx, stream)


def _finished(ctx: RunContext, stream: Stream) -> None:
    """A fresh run keeps a segment's end in memory only (one write less per segment, five
    per initial sync: the scale model's run threads spent a fifth of their time writing
    stream states). Every page is checkpointed already, so a run resumed after a crash
    only does the segment's end again: the CDC check since the stored count, and a page
    past the end if something changed. That costs a request or two on a rare resume."""
    ctx.checkpoints.save(stream.key, {"finished": True}, durable=False)


def _unchanged_since_count(ctx: RunContext, stream: Stream, state: dict[str, Any]) -> bool:
    """True when CDC, asked once the counted pages are read, reports no change at all of
    the entity since the count (an answer under CDC's cap). Then no row can have entered
    the segment (a new or changed row would be in the answer) nor left it, so paging past
    the counted end would find nothing and no re-read is due.

    Otherwise (something changed, or the answer is capped, or the count's time is
    unknown) the segment ends as before: a page past the counted end, the split seconds,
    then `_changed_while_paged` asks CDC again, *after* that last positional read, since
    a row leaving between the two could move a row across it. Only a segment whose
    entity changed during paging pays that second call; a quiet one saves the extra page.
    """
    counted_at = state.get("server_time") or ctx.stream_state(stream.key).get("server_time")
    if not counted_at:
        return False
    since = datetime.fromisoformat(str(counted_at)) - COUNT_CLOCK_SLACK
    ctx.check_running()
    body = ctx.conn.cdc([stream.entity], qbo_time(since))
    return _objects(body) < CDC_CAP and not cdc_rows(body, stream.entity)


def _changed_while_paged(ctx: RunContext, stream: Stream, state: dict[str, Any]) -> bool:
    """Positions are stable only while no row enters or leaves the segment. A row that left
    (a customer made inactive, an old invoice paid, a deletion) moves every later row up one
    place, and a page fetched after that skips the row that crossed its boundary — a row
    that did not change, so no later CDC would bring it. Whether anything of this entity
    changed since the count is one CDC call; if so, the segment is read once more (consumers
    keep the newer snapshot, so re-sent rows are harmless). Only a row that *left* the
    segment can hide another, so ordinary edits made meanwhile cost no second read."""
    counted_at = state.get("server_time") or ctx.stream_state(stream.key).get("server_time")
    if not counted_at:
        return True  # we cannot tell: read again rather than risk a hole
    since = datetime.fromisoformat(str(counted_at)) - COUNT_CLOCK_SLACK
    ctx.check_running()
    changed = cdc_rows(ctx.conn.cdc([stream.entity], qbo_time(since)), stream.entity)
    return any(plan.has_left(stream, row) for row in changed)


def _count_pages(ctx: RunContext, stream: Stream) -> int:
    ctx.check_running()
    body = ctx.conn.query(plan.count_query(stream))
    count = int((body.get("QueryResponse") or {}).get("totalCount", 0))
    pages = math.ceil(count / ctx.page_size)
    ctx.checkpoints.save(stream.key, {
        "entity": stream.entity, "pages": pages, "counted": count,
        "server_time": body.get("time")})
    ctx.checkpoints.note_server_time(stream.key, body.get("time"))
    if ctx.progress is not None and not stream.key.endswith(REREAD):
        ctx.progress.expect(stream.entity, count)
    return pages


def fetch_page(ctx: RunContext, stream: Stream, page: int, query: str | None = None
               ) -> PageResult:
    """Fetch, publish, checkpoint: a page is checkpointed only once Kafka has it."""
    ctx.check_running()
    started = time.perf_counter()
    raw = ctx.conn.query_raw(query or plan.page_query(stream, page, ctx.page_size))
    fetched = time.perf_counter()
    if stream.by_paid_date:
        result = _publish_paid_since(ctx, stream, raw)
    else:
        result = ctx.publisher.publish_raw(raw, ctx.page_context(stream.entity, raw))
    published = time.perf_counter()
    ctx.page_published(stream.key, page, stream.entity, result)
    ctx.watch.add_page(fetched - started, result, time.perf_counter() - published)
    return result


def _publish_paid_since(ctx: RunContext, stream: Stream, raw: bytes) -> PageResult:
    """Old settled invoices changed in the window: only those paid in it are in scope (a
    small segment, so it is parsed here and its payments read for their dates)."""
    rows = rows_of(loads(raw), stream.entity)
    payments = payments_of(ctx.conn, rows)
    kept = [row for row in rows if plan.paid_within(row, payments, stream.cutoff)]
    page_ctx = replace(ctx.page_context(stream.entity), payments=payments)
    result = ctx.publisher.publish_rows(kept, page_ctx)
    times = [str((row.get("MetaData") or {}).get("LastUpdatedTime", "")) for row in rows]
    kept_ids = {str(row.get("Id")) for row in kept}
    return replace(result, rows=len(rows), times=times, edges=created_edges(rows),
                   ids=[str(row.get("Id")) for row in rows],
                   skipped=[i for row in rows if (i := str(row.get("Id"))) not in kept_ids])


def _wait_all(futures: list[Future[Any]]) -> None:
    """First failure wins: cancel what has not started, wait for what has, re-raise."""
    finished, pending = wait(futures, return_when=FIRST_EXCEPTION)
    failed = next((f for f in finished if f.exception() is not None), None)
    if failed is not None:
        for future in pending:
            future.cancel()
        wait(pending)
        raise failed.exception()  # type: ignore[misc]


def run_cdc(ctx: RunContext, stream: Stream, since: datetime) -> None:
    state = ctx.stream_state(stream.key)
    if state.get("finished"):
        if state.get("capped"):
            if not state.get("deletions_done"):  # interrupted during the deletion rounds
                ctx.check_running()
                body = ctx.conn.cdc([stream.entity], state["since"])
                _page_deletions(ctx, stream, body, state["since"])
            run_since(ctx, plan.since_stream(stream.entity), state["since"])
        return
    ctx.check_running()
    since_text = qbo_time(since)
    names = ctx.scope.names.get(stream.entity)
    started = time.perf_counter()
    body = ctx.conn.cdc(names.cdc_entities(stream.entity) if names else [stream.entity],
                        since_text)
    fetched = time.perf_counter()
    rows = cdc_rows(body, stream.entity)
    capped = _objects(body) >= CDC_CAP  # the names' changes count towards the cap too
    if names is not None:  # before any row is published: a renamed term shows at once
        names.apply(body, ctx.conn, capped)
    if capped:  # stubs of deleted rows are not visible to queries: keep those we got
        rows = [row for row in rows if is_deleted_stub(row)]
    _publish_in_pages(ctx, stream, rows)
    ctx.checkpoints.save(stream.key, {  # nothing found: a resume may simply ask again
        "entity": stream.entity, "finished": True, "capped": capped, "since": since_text,
        "server_time": body.get("time")}, durable=bool(rows) or capped)
    ctx.watch.add(fetch=fetched - started)
    if capped:
        _page_deletions(ctx, stream, body, since_text)
        run_since(ctx, plan.since_stream(stream.entity), since_text)


def _page_deletions(ctx: RunContext, stream: Stream, body: dict[str, Any], since: str) -> None:
    """The deletion rounds, then a mark that they are done (a run resumed before it asks
    CDC again and repeats them: their pages are checkpointed, so counted once)."""
    _deletion_rounds(ctx, stream, body, since)
    ctx.checkpoints.save(stream.key, {"deletions_done": True})


def _deletion_rounds(ctx: RunContext, stream: Stream, body: dict[str, Any], since: str
                     ) -> None:
    """Queries never show deleted rows, so the keyset fallback cannot find deletions past
    CDC's cap. CDC answers oldest changes first: ask again from the newest change seen
    until an answer is under the cap, keeping only the deleted stubs (the active rows come
    from the keyset paging). Stops if the newest change does not move on (over a thousand
    changes in one second), rather than loop. Each round starts at the newest change of
    the one before, so its stubs of that second come again: they are sent once."""
    rounds, since_time = 0, datetime.fromisoformat(since)
    rows, full = cdc_rows(body, stream.entity), _objects(body) >= CDC_CAP
    sent = {str(row["Id"]) for row in rows if is_deleted_stub(row)}
    while full and rows:
        newest = max(_changed_at(row, since_time) for row in rows)
        if newest <= since_time:
            return
        ctx.check_running()
        rounds, since_time = rounds + 1, newest
        body = ctx.conn.cdc([stream.entity], qbo_time(newest))
        rows, full = cdc_rows(body, stream.entity), _objects(body) >= CDC_CAP
        stubs = [row for row in rows if is_deleted_stub(row) and str(row["Id"]) not in sent]
        sent.update(str(row["Id"]) for row in stubs)
        _publish_in_pages(ctx, replace(stream, key=f"{stream.key}_deleted{rounds}"), stubs)


def _changed_at(row: dict[str, Any], default: datetime) -> datetime:
    stamp = (row.get("MetaData") or {}).get("LastUpdatedTime")
    return datetime.fromisoformat(stamp) if isinstance(stamp, str) else default


def run_since(ctx: RunContext, stream: Stream, start: str) -> None:
    """Each page starts at the last second of the one before, so rows of that second come
    twice: a page's checkpoint counts only rows not published by the page before (whose
    ids in that second, `edge`, travel in the stream's state), so the run's counts are of
    distinct rows."""
    state = ctx.stream_state(stream.key)
    since, strict = state.get("since", start), bool(state.get("strict", False))
    seq, edge = int(state.get("seq", 0)), set(state.get("edge") or [])
    while not state.get("finished"):
        ctx.check_running()
        started = time.perf_counter()
        raw = ctx.conn.query_raw(plan.since_query(stream.entity, since, ctx.page_size, strict))
        fetched = time.perf_counter()
        result = ctx.publisher.publish_raw(raw, ctx.page_context(stream.entity, raw))
        published = time.perf_counter()
        mine = set(result.ids) - set(result.skipped)
        counted = result.published - len(mine & edge)
        since, strict, whole = plan.next_keyset(since, strict, result.times, ctx.page_size)
        if whole:  # a full page inside one second (engine.ties): read it whole
            _, tied = ties.read_whole(ctx, plan.second_stream(stream, since, ties.TIES),
                                      seq * ties.TIE_SEQ_SPAN, fetch_page)
            counted += len(tied - edge - mine)
        ctx.page_published(stream.key, seq, stream.entity, replace(result, published=counted))
        edge = set() if whole else _ids_at(result, since)
        seq += 1
        state = {"entity": stream.entity, "since": since, "strict": strict, "seq": seq,
                 "finished": result.rows < ctx.page_size, "edge": sorted(edge)}
        ctx.checkpoints.save(stream.key, state)
        ctx.watch.add_page(fetched - started, result, time.perf_counter() - published)


def _ids_at(result: PageResult, second: str) -> set[str]:
    """The published rows of a page changed in `second` (the next page reads them again)."""
    skipped = set(result.skipped)
    return {pid for pid, stamp in zip(result.ids, result.times, strict=True)
            if stamp == second and pid not in skipped}


def _publish_in_pages(ctx: RunContext, stream: Stream, rows: list[dict[str, Any]]) -> None:
    """Small batches (CDC answers): invoices get their payments read, for paid dates."""
    for page, first in enumerate(range(0, len(rows), ctx.page_size)):
        chunk = rows[first:first + ctx.page_size]
        page_ctx = ctx.page_context(stream.entity)
        if stream.entity == "Invoice":
            page_ctx = replace(page_ctx, payments=payments_of(ctx.conn, chunk))
        elif stream.entity == "Payment":
            stubs = [str(row["Id"]) for row in chunk if is_deleted_stub(row)]
            page_ctx = replace(page_ctx, last_links=ctx.payments.last_known(stubs))
        result = ctx.publisher.publish_rows(chunk, page_ctx)
        ctx.page_published(stream.key, page, stream.entity, result)
        ctx.watch.add(map=result.map_seconds, publish=result.publish_seconds)


def _objects(body: dict[str, Any]) -> int:
    """Objects of every entity in a CDC answer (QBO's cap counts them all)."""
    return sum(len(rows) for response in body.get("CDCResponse") or []
               for group in response.get("QueryResponse") or []
               for rows in group.values() if isinstance(rows, list))


def cdc_rows(body: dict[str, Any], entity: str) -> list[dict[str, Any]]:
    """Groups may lack the entity key, or the whole answer may be empty, when nothing
    changed (python-quickbooks handles both; so do we)."""
    rows: list[dict[str, Any]] = []
    for response in body.get("CDCResponse") or []:
        for group in response.get("QueryResponse") or []:
            rows.extend(group.get(entity) or [])
    return rows


def qbo_time(moment: datetime) -> str:
    """An explicit offset: QBO reads a time without one in the company's own zone."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S") + "+00:00"
