"""How the server process and a query worker talk: one Unix socket pair per worker, each message a pickled
Python object after its length (8 bytes, big-endian).

The worker's side (:class:`Channel`) blocks, as the worker does one thing at a time. The server's side
(:class:`AsyncChannel`) lives on the event loop: a request is written with ``loop.sock_sendall`` and the reply read
by a reader the loop calls when bytes arrive, so a query costs no thread hand-off in the server, and a large
reply is read piece by piece while the loop serves other clients.

Only the server and its own workers hold the two ends (the pair is made before the worker starts and handed to
it alone), so unpickling what comes through is unpickling what the server itself wrote.
"""

from __future__ import annotations

import pickle
import struct

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    import socket
    from typing import Any

_HEADER = struct.Struct(">Q")


class ChannelClosed(EOFError):
    """The other end went away (the worker died, or the server closed the pair)."""


def frame(obj: Any) -> bytes:
    payload = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    return _HEADER.pack(len(payload)) + payload


class Channel:
    """The worker's end: blocking ``send`` and ``recv`` of whole messages."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock

    def send(self, obj: Any) -> None:
        try:
            self.sock.sendall(frame(obj))
        except OSError as exc:
            raise ChannelClosed(str(exc)) from None

    def recv(self) -> Any:
        (size,) = _HEADER.unpack(self._exactly(_HEADER.size))
        return pickle.loads(self._exactly(size))

    def _exactly(self, size: int) -> bytes:
        buffer = bytearray(size)
        view = memoryview(buffer)
        got = 0
        while got < size:
            try:
                n = self.sock.recv_into(view[got:], size - got)
            except OSError as exc:
                raise ChannelClosed(str(exc)) from None
            if n == 0:
                raise ChannelClosed("the server closed the channel")
            got += n
        return bytes(buffer)

    def close(self) -> None:
        self.sock.close()


class AsyncChannel:
    """The server's end, on the running event loop: ``await send(obj)``, ``await recv()`` (one reader at a time)."""

    def __init__(self, sock: socket.socket, loop: Any) -> None:
        sock.setblocking(False)
        self.sock = sock
        self.loop = loop
        self._buffer = bytearray()
        self._waiter: Any = None
        self._closed: Exception | None = None
        self._reading = False

    async def send(self, obj: Any) -> None:
        if self._closed is not None:
            raise ChannelClosed(str(self._closed))
        try:
            await self.loop.sock_sendall(self.sock, frame(obj))
        except OSError as exc:
            raise ChannelClosed(str(exc)) from None

    async def recv(self) -> Any:
        message = self._take()
        if message is not None:
            return message[0]
        if self._closed is not None:
            raise ChannelClosed(str(self._closed))
        self._waiter = self.loop.create_future()
        if not self._reading:
            self.loop.add_reader(self.sock.fileno(), self._readable)
            self._reading = True
        try:
            return await self._waiter
        finally:
            self._waiter = None

    def _take(self) -> tuple[Any] | None:
        """The first whole message in the buffer (in a 1-tuple), or None."""
        if len(self._buffer) < _HEADER.size:
            return None
        (size,) = _HEADER.unpack_from(self._buffer)
        end = _HEADER.size + size
        if len(self._buffer) < end:
            return None
        payload = bytes(memoryview(self._buffer)[_HEADER.size : end])
        del self._buffer[:end]
        return (pickle.loads(payload),)

    def _readable(self) -> None:
        try:
            data = self.sock.recv(1 << 20)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as exc:
            data, self._closed = b"", exc
        if not data:
            self._closed = self._closed or ChannelClosed("the worker closed the channel")
            self._stop_reading()
            if self._waiter is not None and not self._waiter.done():
                self._waiter.set_exception(ChannelClosed(str(self._closed)))
            return
        self._buffer += data
        if self._waiter is not None and not self._waiter.done():
            message = self._take()
            if message is not None:
                self._waiter.set_result(message[0])

    def _stop_reading(self) -> None:
        if self._reading:
            self._reading = False
            try:
                self.loop.remove_reader(self.sock.fileno())
            except (ValueError, OSError):
                pass

    def close(self) -> None:
        if self.sock.fileno() >= 0:
            self._stop_reading()
        self._closed = self._closed or ChannelClosed("closed")
        self.sock.close()
