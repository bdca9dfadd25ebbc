"""Rows that tie on the sort key come back in a new order on every request (an option).

QBO orders a query by its ORDERBY key and promises nothing within equal keys; bulk imports
put hundreds of rows in one LastUpdatedTime second. A client that pages by STARTPOSITION
through such a tie can see a row twice and miss another; one that keeps a "last time seen"
cursor must re-read the boundary second. The sandbox shows that by shuffling each run of
equal keys that a page touches, afresh for each request.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

Entity = dict[str, Any]
Key = Callable[[Entity], Any]


def shuffled_runs(rows: list[Entity], key: Key, rng: random.Random) -> list[Entity]:
    """The rows with every run of equal keys shuffled in place of the run."""
    result: list[Entity] = []
    run: list[Entity] = []
    for row in rows:
        if run and key(row) != key(run[0]):
            rng.shuffle(run)
            result.extend(run)
            run = []
        run.append(row)
    rng.shuffle(run)
    result.extend(run)
    return result


def page(rows: list[Entity], start: int, count: int, key: Key,
         rng: random.Random) -> list[Entity]:
    """rows[start:start + count], the tie runs at and inside its edges shuffled first."""
    end = min(start + count, len(rows))
    if start >= end:
        return []
    low, high = start, end
    while low > 0 and key(rows[low - 1]) == key(rows[start]):
        low -= 1
    while high < len(rows) and key(rows[high]) == key(rows[end - 1]):
        high += 1
    window = shuffled_runs(rows[low:high], key, rng)
    return window[start - low:end - low]
