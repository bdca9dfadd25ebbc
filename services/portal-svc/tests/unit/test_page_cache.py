"""The page cache's own bounds (what decides *whether* a page may be kept, the list version
and today's date, is tested through the API in test_api_reads and test_api_page_cache)."""
from __future__ import annotations

from clientsynq.portal.api.page_cache import CachedPage, PageCache


class Renders:
    """A render that says how many times it ran."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> CachedPage:
        self.count += 1
        return CachedPage(body=f"page {self.count}".encode(), etag=f'"{self.count}"')


def test_a_page_is_served_again_until_it_is_older_than_the_max_age():
    now = [100.0]
    cache = PageCache(entries=8, max_age_seconds=60, clock=lambda: now[0])
    render = Renders()
    assert cache.get_or_render("k", render).body == b"page 1"
    now[0] += 60
    assert cache.get_or_render("k", render).body == b"page 1"
    now[0] += 0.5
    assert cache.get_or_render("k", render).body == b"page 2"
    assert render.count == 2


def test_least_recently_used_pages_go_first_and_zero_entries_keeps_nothing():
    cache = PageCache(entries=2, clock=lambda: 0.0)
    a, b, c = Renders(), Renders(), Renders()
    cache.get_or_render("a", a)
    cache.get_or_render("b", b)
    cache.get_or_render("a", a)  # a is now the most recent
    cache.get_or_render("c", c)  # b goes
    cache.get_or_render("a", a)
    cache.get_or_render("b", b)
    assert (a.count, b.count, c.count, len(cache)) == (1, 2, 1, 2)
    off, render = PageCache(entries=0), Renders()
    off.get_or_render("a", render)
    off.get_or_render("a", render)
    assert (render.count, len(off)) == (2, 0)
