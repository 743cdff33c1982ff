"""Who gets the next idle query worker of ``sslmb serve``: a fair queue over clients, with a short wait.

A worker runs one query at a time and an Oxigraph query cannot be interrupted short of killing its process, so a
few slow queries can hold every worker until their timeout. The queue therefore:

- serves the clients (by address) in turn, one request each, preferring a client that holds fewer than
  ``per_client`` workers; within a client, first come first served;
- never gives the last idle worker to a query known to be slow (:class:`SlowQueries`: the same text ran past
  ``slow_seconds`` or its timeout a short while ago), so while those run one worker stays free for the rest;
- nor, while other clients have been active in the last ``active_seconds``, to a client that already holds a
  worker: one client cannot take every worker from the others, whatever text it sends (a lone client may);
- lets a request wait at most ``timeout`` seconds; then the caller answers 503 with ``Retry-After``.

Everything runs on the server's event loop; :meth:`FairQueue.put` is the only entry from elsewhere (through
``loop.call_soon_threadsafe``).
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections import Counter, OrderedDict, deque
from dataclasses import dataclass, field

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class Busy(Exception):
    """Every worker stayed busy for the whole wait."""


@dataclass(eq=False)
class _Waiter:
    client: str
    digest: bytes  # of the query text (b"" for other requests): whether it is known slow is asked at dispatch
    future: asyncio.Future[Any] = field(repr=False)


class SlowQueries:
    """Digests of query texts that ran long recently (bounded: the oldest are forgotten first)."""

    def __init__(self, remember_seconds: float = 600.0, size: int = 4096) -> None:
        self.remember_seconds = remember_seconds
        self.size = size
        self._until: OrderedDict[bytes, float] = OrderedDict()

    @staticmethod
    def digest(text: str) -> bytes:
        return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()

    def add(self, digest: bytes) -> None:
        self._until[digest] = time.monotonic() + self.remember_seconds
        self._until.move_to_end(digest)
        while len(self._until) > self.size:
            self._until.popitem(last=False)

    def __contains__(self, digest: bytes) -> bool:
        if not digest:
            return False
        until = self._until.get(digest)
        if until is None:
            return False
        if until < time.monotonic():
            del self._until[digest]
            return False
        return True


class FairQueue:
    """Idle workers and the requests waiting for one (see the module's docstring)."""

    def __init__(
        self,
        total: int,
        *,
        slow: SlowQueries | None = None,
        per_client: int | None = None,
        active_seconds: float = 10.0,
    ) -> None:
        self.total = total
        self.slow = slow if slow is not None else SlowQueries()
        self.per_client = per_client if per_client is not None else max(1, total - 1)
        self.active_seconds = active_seconds
        self.idle: list[Any] = []
        self.waiting: OrderedDict[str, deque[_Waiter]] = OrderedDict()
        self.running: Counter[str] = Counter()
        self.seen: OrderedDict[str, float] = OrderedDict()  # client -> when it last asked (most recent last)

    def _others_active(self, client: str) -> bool:
        horizon = time.monotonic() - self.active_seconds
        for other, when in reversed(self.seen.items()):
            if when < horizon:
                return False
            if other != client:
                return True
        return False

    def put(self, worker: Any) -> None:
        """A worker is idle (a new one, or one whose query ended)."""
        self.idle.append(worker)
        self._dispatch()

    def done(self, client: str) -> None:
        """``client``'s query ended (its worker comes back through :meth:`put`, or is replaced)."""
        self.running[client] -= 1
        if self.running[client] <= 0:
            del self.running[client]

    async def get(self, client: str, *, digest: bytes = b"", timeout: float) -> Any:
        """A worker for ``client``'s request (``digest``: of its query text, see :class:`SlowQueries`); raises
        :class:`Busy` after ``timeout`` seconds."""
        loop = asyncio.get_running_loop()
        self.seen[client] = time.monotonic()
        self.seen.move_to_end(client)
        while len(self.seen) > 4096:
            self.seen.popitem(last=False)
        waiter = _Waiter(client, digest, loop.create_future())
        self.waiting.setdefault(client, deque()).append(waiter)
        self._dispatch()
        try:
            done, _ = await asyncio.wait({waiter.future}, timeout=timeout)
        except BaseException:  # cancelled: a worker it was given meanwhile goes back
            self._withdraw(waiter)
            raise
        if not done:
            self._withdraw(waiter)
            raise Busy
        return waiter.future.result()

    def _withdraw(self, waiter: _Waiter) -> None:
        queue = self.waiting.get(waiter.client)
        if queue is not None and waiter in queue:
            queue.remove(waiter)
            if not queue:
                del self.waiting[waiter.client]
        if waiter.future.done() and not waiter.future.cancelled():
            self.done(waiter.client)
            self.put(waiter.future.result())
        else:
            waiter.future.cancel()

    def _dispatch(self) -> None:
        while self.idle and self.waiting:
            waiter = self._choose()
            if waiter is None:
                return
            queue = self.waiting.pop(waiter.client)
            queue.remove(waiter)
            if queue:
                self.waiting[waiter.client] = queue  # back of the line: the next client goes first
            self.running[waiter.client] += 1
            waiter.future.set_result(self.idle.pop())

    def _choose(self) -> _Waiter | None:
        last = len(self.idle) == 1 and self.total > 1
        fallback = None
        for client, queue in self.waiting.items():
            if last and self.running[client] and self._others_active(client):
                continue  # the last idle worker is kept for the other clients
            # and for queries not known to be slow
            waiter = next((w for w in queue if w.digest not in self.slow), None) if last else queue[0]
            if waiter is None:
                continue
            if self.running[waiter.client] < self.per_client:
                return waiter
            if fallback is None:
                fallback = waiter
        return fallback
