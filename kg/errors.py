"""Exceptions that carry a user-facing message; the CLI turns them into one line on stderr and an exit code."""

from __future__ import annotations

from collections.abc import Sequence


class KGError(Exception):
    """Base class of the errors a user can cause; ``exit_code`` is what the CLI exits with."""

    exit_code = 2


class InputError(KGError):
    """A file or text given by the user cannot be read: bad syntax, missing file, unknown format."""


class NotFoundError(KGError):
    """No entity matches the text the user typed; ``candidates`` holds the nearest labels."""

    def __init__(self, text: str, candidates: Sequence[str] = (), *, what: str = "entity") -> None:
        self.text = text
        self.candidates = list(candidates)
        hint = f"; did you mean: {', '.join(repr(c) for c in self.candidates)}?" if self.candidates else ""
        super().__init__(f"no {what} matches {text!r}{hint}")


class AmbiguousError(KGError):
    """Several entities match equally well; ``candidates`` lists them as ``(label, iri, kind)``."""

    def __init__(self, text: str, candidates: Sequence[tuple[str, str, str]]) -> None:
        self.text = text
        self.candidates = list(candidates)
        listing = "; ".join(f"{label} [{kind}] <{iri}>" for label, iri, kind in self.candidates)
        super().__init__(f"{text!r} is ambiguous, it matches: {listing}. Give the label in full or the IRI")
