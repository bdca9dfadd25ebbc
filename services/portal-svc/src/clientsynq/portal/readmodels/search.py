"""What an invoice search matches, for the Mongo read model and the in-memory fake alike.

A search `q` matches an invoice when, casefolded, it occurs in "<number> <customer name>"
starting at the beginning of a word: "inv-00", "1001", "zoë lum" and "lumber" find
"INV-1001 Zoë Lumber"; "umber" does not. Starting at a word is what lets a search be served
from postings per word prefix (`PREFIX` characters, `adapters/mongo_invoice_search.py`):
then every word of the query of `PREFIX` or more characters begins a word of the invoice,
so the invoice is in that word's posting, whichever word is used to find it.
"""
from __future__ import annotations

import re

PREFIX = 3
_WORD = re.compile(r"\w+")


def search_text(doc_number: str | None, customer_name: str | None) -> str:
    return " ".join(part.casefold() for part in (doc_number, customer_name) if part)


def normalise(query: str) -> str:
    return query.strip().casefold()


def matches(text: str, query: str) -> bool:
    """`query` normalised; `text` from `search_text`."""
    if not query:
        return True
    start = text.find(query)
    while start >= 0:
        if start == 0 or not _is_word(text[start - 1]) or not _is_word(query[0]):
            return True
        start = text.find(query, start + 1)
    return False


def prefixes(text: str) -> set[str]:
    """The posting keys of an invoice: the first PREFIX characters of each of its words of
    PREFIX or more characters (a shorter word can never hold a query word long enough to be
    looked up, so it needs no posting)."""
    return {word[:PREFIX] for word in _WORD.findall(text) if len(word) >= PREFIX}


def query_prefixes(query: str) -> list[str]:
    """Posting keys that must hold every match: one per query word long enough, longest
    words first (usually the rarer)."""
    words = sorted({w for w in _WORD.findall(query) if len(w) >= PREFIX}, key=len, reverse=True)
    return list(dict.fromkeys(w[:PREFIX] for w in words))


def _is_word(char: str) -> bool:
    return bool(_WORD.fullmatch(char))
