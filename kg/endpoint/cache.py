"""The answer cache of ``sslmb serve``: a bounded store of recent successful answers, in the server process.

The graph a server reads does not change while it serves a generation (the shipped graph never does; an on-disk
store changes only by ``sslmb load`` making another generation current, and the pool moves to it as a whole). So
the same request (the same query text, result format and protocol dataset, or the same entity page) has the same
answer until the generation changes, and the server can send it again without a worker.

- Only complete answers are kept: status 200 and not truncated by the row cap. Refusals, timeouts, errors and
  answers cut at the row cap always go to a worker.
- A query that calls a function whose value is not fixed by the data (``RAND``, ``NOW``, ``UUID``, ``STRUUID``,
  ``BNODE``) is never kept: every request runs it.
- Memory is bounded: at most ``max_bytes`` of answer bodies in all (least recently used first out), and an
  answer larger than an eighth of that is not kept.
- The same request arriving while its answer is being computed waits for that one computation instead of
  starting another (a burst of identical queries costs one worker run).
- The key holds the generation; moving to a new generation empties the cache.

Answers sent from the cache carry ``X-Cache: hit``; the others ``X-Cache: miss`` (or nothing, when not kept).
``sslmb serve --cache-mb 0`` turns the cache off.
"""

from __future__ import annotations

from collections import OrderedDict

from kg.endpoint.scheduler import SlowQueries  # its digest of a query text: one hashing for both

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from typing import Any

    Reply = tuple[int, str, dict[str, str], bytes]

# Functions whose value a query cannot fix from the data: a query calling one is answered afresh every time.
VOLATILE = frozenset({"RAND", "NOW", "UUID", "STRUUID", "BNODE"})


def is_volatile(text: str) -> bool:
    """Whether the query calls a function whose value changes from one run to the next. Strings, IRIs and
    comments are skipped whole, so a word inside them does not count.

    >>> is_volatile("SELECT (RAND() AS ?r) {}"), is_volatile('SELECT * { ?s ?p "now()" } # uuid()')
    (True, False)
    >>> is_volatile("SELECT ?now { ?now ?p ?o }")
    False
    """
    from kg.core.backends.sparqltext import token_pattern

    pattern = token_pattern(text)
    previous = None
    for match in pattern.finditer(text):
        kind = match.lastgroup
        if kind == "comment" or (kind == "other" and match.group().isspace()):
            continue
        if previous is not None and previous[0] == "word" and previous[1].upper() in VOLATILE and match.group() == "(":
            return True
        previous = (kind, match.group())
    return False


class AnswerCache:
    """Recent complete answers, keyed by generation and request; see the module's text."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.max_entry = max_bytes // 8
        self._entries: OrderedDict[tuple, Reply] = OrderedDict()
        self._pending: dict[tuple, Any] = {}  # key -> asyncio.Future of the computation under way
        self._volatile: dict[bytes, bool] = {}  # digest of a query text -> whether it is volatile
        self.size = 0
        self.generation: str | None = None  # the generation the kept answers belong to
        self.hits = 0
        self.misses = 0

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        self._entries.clear()
        self.size = 0

    def key_of(self, generation: str | None, request: dict[str, Any]) -> tuple | None:
        """The key of ``request``'s answer in ``generation``, or None when it is not to be kept (the cache is
        off, another kind of request, a volatile query). A new generation empties the cache first."""
        if not self.enabled or request["op"] not in ("query", "entity", "sources"):
            return None
        text = request.get("query") or request.get("name") or ""
        digest = SlowQueries.digest(text)
        if request["op"] == "query":
            volatile = self._volatile.get(digest)
            if volatile is None:
                volatile = is_volatile(text)
                if len(self._volatile) >= 4096:
                    self._volatile.clear()
                self._volatile[digest] = volatile
            if volatile:
                return None
        if generation != self.generation:  # the pool moved to another generation: the kept answers are old
            self.clear()
            self.generation = generation
        return self.key(generation, request, digest)

    @staticmethod
    def key(generation: str | None, request: dict[str, Any], digest: bytes | None = None) -> tuple:
        """What tells two requests' answers apart (``digest``: that of the query text or name, when known).
        Texts are kept as digests: a megabyte of query text must not stay in memory because it was asked once."""
        dataset = request.get("dataset")
        if digest is None:
            digest = SlowQueries.digest(request.get("query") or request.get("name") or "")
        return (
            generation,
            request["op"],
            digest,
            request.get("format"),
            SlowQueries.digest(repr((dataset[0], dataset[1]))) if dataset else None,
        )

    async def answer(self, key: tuple, compute: Callable[[], Awaitable[Reply]]) -> Reply:
        """The kept answer for ``key``, or the one ``compute`` gives (kept when complete); concurrent callers
        with the same key share one computation."""
        import asyncio

        kept = self._entries.get(key)
        if kept is not None:
            self._entries.move_to_end(key)
            self.hits += 1
            return _marked(kept, "hit")
        pending = self._pending.get(key)
        if pending is not None:
            status, media, headers, body = await asyncio.shield(pending)
            self.hits += 1
            return _marked((status, media, headers, body), "hit")
        self.misses += 1
        future = asyncio.get_running_loop().create_future()
        self._pending[key] = future
        try:
            reply = await compute()
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: a caller that waited gets it, nobody else is told it went unread
            raise
        finally:
            self._pending.pop(key, None)
        future.set_result(reply)
        if _complete(reply) and len(reply[3]) <= self.max_entry:
            self._keep(key, reply)
            return _marked(reply, "miss")
        return reply

    def _keep(self, key: tuple, reply: Reply) -> None:
        old = self._entries.pop(key, None)
        if old is not None:
            self.size -= len(old[3])
        self._entries[key] = reply
        self.size += len(reply[3])
        while self.size > self.max_bytes and self._entries:
            _, dropped = self._entries.popitem(last=False)
            self.size -= len(dropped[3])


def _complete(reply: Reply) -> bool:
    status, _, headers, _ = reply
    return status == 200 and headers.get("X-Rows-Truncated") != "true"


def _marked(reply: Reply, how: str) -> Reply:
    status, media, headers, body = reply
    return status, media, {**headers, "X-Cache": how}, body
