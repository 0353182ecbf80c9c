"""A bounded in-memory cache of whole answers, for a store that never changes under it.

The server opens its store read-only and a build swaps a new store in beside it, so the same
query with the same dataset and the same representation gives the same bytes for as long as
the process runs. Answers that came back whole (not streamed), up to `max_entry` bytes, are
kept in least-recently-used order within `max_bytes`; a hit skips the query process, the
dominant cost of a sub-millisecond query. Never cached: queries whose answer may change
between two runs (SERVICE calls, NOW, RAND, UUID, STRUUID, BNODE), detected conservatively
on the query text: a false alarm only means the answer is not kept.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass

_VOLATILE = re.compile(r"(?<![A-Za-z])(?:SERVICE|NOW|RAND|UUID|STRUUID|BNODE)", re.IGNORECASE)
"""The words of the functions and clauses whose answer may change between two runs, wherever
they stand (in a string or an IRI too): a false alarm only means the answer is not kept. The
engine reads these keywords in ASCII and never behind an escape, so none can hide."""


def cacheable_query(text: str) -> bool:
    """False when the query may give a different answer each time it runs: then neither the
    result cache nor HTTP caching (ETag, max-age, 304) may keep it."""
    return _VOLATILE.search(text) is None


@dataclass(frozen=True, slots=True)
class CachedAnswer:
    content_type: str
    truncated: bool | None
    limit: int | None
    body: bytes


Key = tuple[str, ...]


class ResultCache:
    def __init__(self, max_bytes: int, max_entry: int) -> None:
        self.max_bytes = max_bytes
        self.max_entry = min(max_entry, max_bytes)
        self._entries: OrderedDict[Key, CachedAnswer] = OrderedDict()
        self._bytes = 0
        self.hits = 0
        self.misses = 0

    @property
    def size(self) -> int:
        """Bytes of answer bodies held."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        self._entries.clear()
        self._bytes = 0

    def get(self, key: Key) -> CachedAnswer | None:
        answer = self._entries.get(key)
        if answer is None:
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return answer

    def put(self, key: Key, answer: CachedAnswer) -> None:
        size = len(answer.body)
        if size > self.max_entry or key in self._entries:
            return
        self._entries[key] = answer
        self._bytes += size
        while self._bytes > self.max_bytes:
            _, evicted = self._entries.popitem(last=False)
            self._bytes -= len(evicted.body)
