"""Exceptions that carry a user-facing message; the CLI turns them into one line on stderr and an exit code."""

from __future__ import annotations

from collections.abc import Sequence

# What a message repeats of the user's input at most: a 100,000-character name is not echoed whole.
ECHO_LIMIT = 80


def echo(text: object, limit: int = ECHO_LIMIT) -> str:
    """``repr(text)`` for a message, cut to about ``limit`` characters with the full length said.

    >>> echo("LLZO")
    "'LLZO'"
    >>> echo("x" * 1000, limit=10)
    "'xxxxxxxxxx…' (1000 characters)"
    """
    text = str(text)
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}"[:-1] + f"…{repr(text)[-1]} ({len(text)} characters)"


class KGError(Exception):
    """Base class of the errors a user can cause; ``exit_code`` is what the CLI exits with."""

    exit_code = 2


class InputError(KGError):
    """A file or text given by the user cannot be read: bad syntax, missing file, unknown format."""


class ListedInputError(InputError):
    """Several problems of one input file, each on a line of its own with its ``file:line`` (the CLI prints them
    as they are rather than folding them into one line)."""

    listing = True


class NotFoundError(KGError):
    """No entity matches the text the user typed; ``candidates`` holds the nearest labels."""

    def __init__(self, text: str, candidates: Sequence[str] = (), *, what: str = "entity") -> None:
        self.text = text
        self.candidates = list(candidates)
        hint = f"; did you mean: {', '.join(echo(c) for c in self.candidates)}?" if self.candidates else ""
        super().__init__(f"no {what} matches {echo(text)}{hint}")


class AmbiguousError(KGError):
    """Several entities match equally well; ``candidates`` lists them as ``(label, iri, kind)``."""

    def __init__(self, text: str, candidates: Sequence[tuple[str, str, str]]) -> None:
        self.text = text
        self.candidates = list(candidates)
        listing = "; ".join(f"{label} [{kind}] <{iri}>" for label, iri, kind in self.candidates)
        super().__init__(f"{echo(text)} is ambiguous, it matches: {listing}. Give the label in full or the IRI")


def _a(word: str) -> str:
    return ("an " if word[:1] in "aeiou" else "a ") + word


class WrongKindError(NotFoundError):
    """The text names an entity, but not of a kind the operation takes (an electrolyte given to
    ``mitigations``); ``label`` and ``kind`` say what it names, ``expected`` the kinds wanted."""

    def __init__(self, text: str, label: str, kind: str, expected: Sequence[str]) -> None:
        self.text, self.label, self.kind = text, label, kind
        self.candidates = []
        self.expected = list(expected)
        wanted = " or ".join(
            [", ".join(self.expected[:-1]), self.expected[-1]] if len(self.expected) > 2 else self.expected
        )
        KGError.__init__(self, f"{echo(label)} is {_a(kind)}, not {_a(wanted)}")


def check_count(name: str, value: object, minimum: int = 1) -> int:
    """``value`` when it is a whole number of at least ``minimum``; otherwise an :class:`InputError` naming the
    argument (a negative limit silently dropped rows; a negative hop count read as 0).

    >>> check_count("limit", -3)
    Traceback (most recent call last):
    kg.core.errors.InputError: limit must be a whole number of at least 1, got -3
    """
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        shown = value if isinstance(value, int) else echo(value, 20)
        raise InputError(f"{name} must be a whole number of at least {minimum}, got {shown}")
    return value
