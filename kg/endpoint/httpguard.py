"""The HTTP/1.1 connection of ``sslmb serve``: uvicorn's h11 protocol with the limits a public server needs.

uvicorn closes an idle keep-alive connection, but a connection that has sent part of a request head and then
nothing is held forever (slowloris), and a head over h11's size limit ends with a 400 and an immediate close,
which the client, still sending, sees as a reset. This protocol:

- answers **414** when the request line (the URL) is longer than the URL limit and **431** when the header
  fields are larger than the header limit, reads and discards what the client still sends for a moment, then
  closes, so that the client reads the answer rather than a reset;
- answers **408** and closes when a request head is not complete ``head_timeout`` seconds after its first byte
  (or after the connection opened, when nothing came).

Imported only by :func:`kg.endpoint.serve.serve` (it needs uvicorn).
"""

from __future__ import annotations

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

LINGER_SECONDS = 3.0  # how long a refused client may go on sending before the connection is closed


def guarded_protocol(*, max_url_bytes: int, max_header_bytes: int, head_timeout: float) -> type[H11Protocol]:
    """An ``H11Protocol`` class with these limits, for ``uvicorn.Config(http=...)``."""

    class GuardedH11Protocol(H11Protocol):
        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            self._refused = False
            self._head_timer: Any = None
            self._reset_head()
            self._start_head_timer()

        # ---------------------------------------------------------------------------- the request head

        def _reset_head(self) -> None:
            # positions only (no copy of the data): bytes of the head so far, where its first line and the head
            # end, and the last bytes seen (a line end may straddle two reads)
            self._seen = 0
            self._line_end = -1
            self._head_end = -1
            self._tail = b""

        def _start_head_timer(self) -> None:
            if self._head_timer is None:
                self._head_timer = self.loop.call_later(head_timeout, self._head_too_slow)

        def _stop_head_timer(self) -> None:
            if self._head_timer is not None:
                self._head_timer.cancel()
                self._head_timer = None

        def _head_too_slow(self) -> None:
            self._head_timer = None
            if self.transport.is_closing() or self.conn.their_state is not h11.IDLE:
                return
            if self._seen:
                self._refuse(408, f"the request head did not arrive within {head_timeout:g} s")
            else:
                self.transport.close()  # a connection that never said anything

        def data_received(self, data: bytes) -> None:
            if self._refused:
                return  # lingering: read and drop, so the client gets the answer rather than a reset
            if self.conn.their_state is h11.IDLE and self._head_end < 0:
                self._start_head_timer()
                window = self._tail + data
                offset = self._seen - len(self._tail)
                if self._line_end < 0:
                    found = window.find(b"\n")
                    self._line_end = offset + found if found >= 0 else -1
                found = window.find(b"\r\n\r\n")
                if found < 0:
                    found = window.find(b"\n\n")
                if found >= 0:
                    self._head_end = offset + found
                self._seen += len(data)
                self._tail = window[-3:]
                line = self._line_end if self._line_end >= 0 else self._seen
                if line > max_url_bytes:
                    self._refuse(414, f"the request line is longer than {max_url_bytes} bytes")
                    return
                head = self._head_end if self._head_end >= 0 else self._seen
                if self._line_end >= 0 and head - self._line_end > max_header_bytes:
                    self._refuse(431, f"the request header fields are larger than {max_header_bytes} bytes")
                    return
            super().data_received(data)
            if self.conn.their_state is not h11.IDLE:  # the head is complete: the app has the request
                self._stop_head_timer()
                self._reset_head()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._reset_head()

        def connection_lost(self, exc: Exception | None) -> None:
            self._stop_head_timer()
            super().connection_lost(exc)

        # ---------------------------------------------------------------------------- refusing

        def _refuse(self, status: int, message: str) -> None:
            self._refused = True
            self._stop_head_timer()
            reason = {408: b"Request Timeout", 414: b"URI Too Long", 431: b"Request Header Fields Too Large"}[status]
            body = (message + "\n").encode()
            self.transport.write(
                b"HTTP/1.1 %d %s\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: %d\r\n"
                b"connection: close\r\nx-content-type-options: nosniff\r\n\r\n%s" % (status, reason, len(body), body)
            )
            if self.transport.can_write_eof():
                self.transport.write_eof()
            self.loop.call_later(LINGER_SECONDS, self.transport.close)

    return GuardedH11Protocol
