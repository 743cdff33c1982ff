"""The pool of query workers of ``sslmb serve``: a fixed number of worker processes (:mod:`kg.endpoint.worker`),
handed out by a fair queue (:mod:`kg.endpoint.scheduler`), killed and replaced at the timeout, and moved as a set to
the generation a load makes current."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from kg.endpoint.settings import Settings

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any


class QueryTimeout(Exception):
    pass


class WorkerDied(Exception):
    pass


def _exit_reason(code: int | None) -> str:
    import signal

    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        hint = {"SIGABRT": "out of memory", "SIGSEGV": "a crash (stack overflow?)", "SIGKILL": "killed"}.get(name, "")
        return f"{name}{', ' + hint if hint else ''}"
    return f"exit code {code}"


class _Process:
    """A worker process started with :mod:`subprocess` (no multiprocessing: no resource tracker, and the worker
    does not import the server's ``__main__``), with the few methods the pool uses."""

    def __init__(self, popen: Any) -> None:
        self.popen = popen
        self.pid = popen.pid

    def is_alive(self) -> bool:
        return self.popen.poll() is None

    @property
    def exitcode(self) -> int | None:
        return self.popen.poll()

    def kill(self) -> None:
        try:
            self.popen.kill()
        except OSError:
            pass

    def join(self, timeout: float) -> None:
        import subprocess

        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            pass


@dataclass(eq=False)  # workers are told apart by identity (kept in a set)
class _Worker:
    process: _Process
    channel: Any  # kg.endpoint.channel.AsyncChannel
    generation: str | None = None  # the store generation it answers from (None: the shipped graph)
    info: dict[str, Any] = field(default_factory=dict)

    async def wait_ready(self, timeout: float) -> dict[str, Any]:
        import asyncio

        from kg.endpoint.channel import ChannelClosed

        try:
            self.info = await asyncio.wait_for(self.channel.recv(), timeout)
        except (asyncio.TimeoutError, ChannelClosed):
            raise WorkerDied("a worker did not start in time") from None
        return self.info

    async def call(self, request: dict[str, Any], timeout: float) -> tuple[int, str, dict[str, str], bytes]:
        import asyncio

        from kg.endpoint.channel import ChannelClosed

        try:
            await self.channel.send(request)
            return await asyncio.wait_for(self.channel.recv(), timeout)
        except asyncio.TimeoutError:
            raise QueryTimeout from None
        except (ChannelClosed, OSError) as exc:
            raise WorkerDied(str(exc)) from None

    def stop(self, kill: bool = False) -> None:
        """Close the channel (on the event loop's thread) and end the process."""
        if kill:
            self.process.kill()
        self.channel.close()
        self._reap()

    def _reap(self) -> None:
        self.process.join(2)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(2)


class WorkerPool:
    """A fixed number of worker processes, each with the graph loaded; a fair queue (kg/scheduler.py) hands them
    out.

    A worker whose query runs past the timeout is killed and a fresh one started in its place, in the
    background, so the request that timed out gets its 503 at once.

    Serving an on-disk store, the pool holds a lease on the generation it answers from (``sslmb load`` does not
    delete a leased generation) and watches the store's metadata: when a load makes another generation current,
    a whole new set of workers starts on it and, once every one is ready, takes over at once; the old set
    finishes the queries it has and stops. So all workers answer from one generation, and a client never sees
    an older one after a newer.
    """

    def __init__(self, settings: Settings) -> None:
        from concurrent.futures import ThreadPoolExecutor

        from kg.endpoint.scheduler import SlowQueries

        self.settings = settings
        self._executor = ThreadPoolExecutor(max_workers=4 * settings.workers + 4, thread_name_prefix="sslmb-pool")
        self._queue: Any = None  # kg.endpoint.scheduler.FairQueue, made in start() on the serving loop
        self._loop: Any = None
        self._all: set[_Worker] = set()
        self._closing = False
        self._slow = SlowQueries()
        self._lease: Any = None
        self._watch: Any = None
        self.generation: str | None = None
        self.graphs: frozenset[str] = frozenset()
        self.isolated = False
        self.triples = 0
        self.statements = 0  # a triple stated by several sources (named graphs) counts once per source
        self.replaced = 0
        self.switches = 0
        self._tasks: set[Any] = set()  # replacements being started

    def _spawn(self, generation: str | None) -> _Worker:
        """Start a worker process; it gets its end of a socket pair and, as its first message, the settings."""
        import socket
        import subprocess
        import sys

        from kg.endpoint.channel import AsyncChannel, frame

        env = dict(os.environ)
        # glibc reserves 64 MiB of address space per malloc arena, up to 8 per core: under the worker's address
        # space limit that made RocksDB's thread start-up fail now and then. Two arenas are plenty for a worker.
        env.setdefault("MALLOC_ARENA_MAX", "2")
        package_root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
        ours, theirs = socket.socketpair()
        try:
            ours.sendall(frame((self.settings, generation)))  # the worker reads it first; small, fits the buffer
            popen = subprocess.Popen(
                [sys.executable, "-m", "kg.endpoint.worker", str(theirs.fileno())],
                pass_fds=[theirs.fileno()],
                stdin=subprocess.DEVNULL,
                env=env,
                start_new_session=False,
            )
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        worker = _Worker(_Process(popen), AsyncChannel(ours, self._loop), generation)
        self._all.add(worker)
        return worker

    async def _start_set(self, generation: str | None) -> tuple[list[_Worker], list[dict[str, Any]]]:
        import asyncio

        workers = [self._spawn(generation) for _ in range(self.settings.workers)]
        try:
            infos = await asyncio.gather(*(w.wait_ready(120.0) for w in workers))
        except (WorkerDied, EOFError, OSError):
            for w in workers:
                self._discard_quietly(w)
            raise
        return workers, list(infos)

    async def start(self) -> None:
        import asyncio

        from kg.endpoint.scheduler import FairQueue

        self._loop = asyncio.get_running_loop()
        self._queue = FairQueue(self.settings.workers, slow=self._slow)
        if self.settings.store is not None:
            from kg.core.backends.disk import lease_current

            self._lease = lease_current(self.settings.store)
            self.generation = self._lease.generation
        try:
            workers, infos = await self._start_set(self.generation)
        except (WorkerDied, EOFError, OSError):
            self.close()
            raise RuntimeError("the query workers did not start (see the messages above)") from None
        self._adopt(workers, infos)
        if self.settings.store is not None:
            self._watch = asyncio.ensure_future(self._watch_store())

    def _adopt(self, workers: list[_Worker], infos: list[dict[str, Any]]) -> None:
        self.graphs = frozenset(infos[0]["graphs"])
        self.isolated = all(i["isolated"] for i in infos)
        self.triples = infos[0]["triples"]
        self.statements = infos[0].get("statements", self.triples)
        for w in workers:
            self._queue.put(w)

    async def _watch_store(self) -> None:
        """Follow the store to the generation ``sslmb load`` makes current (polled: the metadata file is tiny)."""
        import asyncio

        from kg.core.backends.disk import lease_current, metadata_stamp

        store = self.settings.store
        assert store is not None
        stamp = metadata_stamp(store)
        while not self._closing:
            await asyncio.sleep(0.5)
            now = metadata_stamp(store)
            if now == stamp:
                continue
            stamp = now
            try:
                lease = await self._loop.run_in_executor(self._executor, lease_current, store)
            except Exception:  # a store being rewritten, or gone: keep serving what we have
                continue
            if lease.generation == self.generation:
                lease.release()
                continue
            try:
                workers, infos = await self._start_set(lease.generation)
            except (WorkerDied, EOFError, OSError):
                lease.release()
                continue
            old, self._lease = self._lease, lease
            self.generation = lease.generation
            for w in self._queue.idle:  # the idle old workers stop now; the busy ones when their query ends
                self._retire(w)
            self._queue.idle.clear()
            self._adopt(workers, infos)
            self.switches += 1
            self._executor.submit(self._release_lease_when_unused, old)

    def _retire(self, worker: _Worker) -> None:
        """Stop a worker that is done (on the loop's thread: its channel lives there); wait for it elsewhere."""
        self._all.discard(worker)
        worker.channel.close()
        self._executor.submit(worker._reap)

    def _discard_quietly(self, worker: _Worker) -> None:
        worker.process.kill()
        self._retire(worker)

    def _release_lease_when_unused(self, lease: Any) -> None:
        import time

        while any(w.generation == lease.generation for w in list(self._all)) and not self._closing:
            time.sleep(0.1)
        lease.release()

    async def run(
        self, request: dict[str, Any], *, client: str = "", digest: bytes | None = None
    ) -> tuple[int, str, dict[str, str], bytes]:
        """Run ``request`` on a worker (``digest``: its query text's, when the caller has it); raises Busy,
        QueryTimeout or WorkerDied."""
        import asyncio

        if digest is None:
            digest = self._slow.digest(request.get("query", "")) if request.get("op") == "query" else b""
        worker = await self._queue.get(client, digest=digest, timeout=self.settings.queue_timeout)
        task = asyncio.ensure_future(self._call(worker, request, client, digest))
        return await asyncio.shield(task)  # a client that goes away must not leak the worker

    async def _call(
        self, worker: _Worker, request: dict[str, Any], client: str, digest: bytes
    ) -> tuple[int, str, dict[str, str], bytes]:
        import time

        started = time.monotonic()
        try:
            reply = await worker.call(request, self.settings.query_timeout)
        except QueryTimeout:
            self._finished(client, digest, slow=True)
            self._discard(worker)
            raise
        except WorkerDied:
            # it is dying: let it finish (off the event loop), to learn how it ended
            await self._loop.run_in_executor(self._executor, worker.process.join, 1.0)
            self._finished(client, digest, slow=True)
            self._discard(worker)
            raise WorkerDied(_exit_reason(worker.process.exitcode)) from None
        self._finished(client, digest, slow=time.monotonic() - started >= self.settings.slow_seconds)
        self._release(worker)
        return reply

    def _finished(self, client: str, digest: bytes, slow: bool) -> None:
        if self._closing:
            return
        self._queue.done(client)
        if slow and digest:
            self._slow.add(digest)

    def _release(self, worker: _Worker) -> None:
        if self._closing:
            return
        if worker.generation == self.generation:
            self._queue.put(worker)
        else:  # an old generation's worker: the new set has taken over
            self._retire(worker)

    def _discard(self, worker: _Worker) -> None:
        self._discard_quietly(worker)
        if not self._closing:
            self.replaced += 1
            asyncio_task = self._loop.create_task(self._replace(worker.generation))
            self._tasks.add(asyncio_task)
            asyncio_task.add_done_callback(self._tasks.discard)

    async def _replace(self, generation: str | None) -> None:
        import asyncio

        for attempt in range(5):
            if self._closing or generation != self.generation:
                return
            worker = self._spawn(generation)
            try:
                await worker.wait_ready(120.0)
            except (WorkerDied, EOFError, OSError):
                self._discard_quietly(worker)
                await asyncio.sleep(0.5 * (attempt + 1))
                continue
            self._release(worker)
            return

    def close(self) -> None:
        self._closing = True
        if self._watch is not None:
            self._watch.cancel()
        for task in list(self._tasks):
            task.cancel()
        for worker in list(self._all):
            worker.stop()
        self._all.clear()
        self._executor.shutdown(wait=False, cancel_futures=True)
        if self._lease is not None:
            self._lease.release()
