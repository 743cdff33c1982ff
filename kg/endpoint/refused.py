"""A request the endpoint will not run, with the HTTP status that says why (the guard, the negotiation and the
routes all refuse this way)."""

from __future__ import annotations


class Refused(Exception):
    """A request the endpoint will not run: ``status`` is the HTTP status, the message says why."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}
