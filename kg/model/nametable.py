"""The search index of :mod:`kg.model.search` as columns: every name of every entity with its field, weight and
folded form, all folded forms also kept as one string, so that the names containing a piece of text are found
by C-level string searches instead of a Python loop over every name.

Built from the store on first need; for a generation of an on-disk store, saved beside it
(``.data-NNNN.names.json``) so that the next process reads it instead of building it again. A generation never
changes, so a saved table stays right for it; removing the generation removes its table
(:func:`kg.core.backends.disk.remove_generation`).
"""

from __future__ import annotations

from bisect import bisect_right

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from kg.core.graph import Graph

# A new version whenever the folding of names (kg.model.search.normalize) or what is indexed changes.
FORMAT = ("sslmb-kg names", 1)


class NameTable:
    """Names as parallel columns: ``iris``, ``texts``, ``fields``, ``weights`` and ``norms`` (folded forms,
    which hold no line break)."""

    __slots__ = ("iris", "texts", "fields", "weights", "norms", "_joined", "_starts")

    def __init__(
        self, iris: list[str], texts: list[str], fields: list[str], weights: list[int], norms: list[str]
    ) -> None:
        if not len(iris) == len(texts) == len(fields) == len(weights) == len(norms):
            raise ValueError("the columns of a name table differ in length")
        self.iris, self.texts, self.fields, self.weights, self.norms = iris, texts, fields, weights, norms
        self._joined: str | None = None
        self._starts: list[int] = []

    def __len__(self) -> int:
        return len(self.iris)

    def containing(self, part: str) -> Iterator[int]:
        """The rows whose folded form contains ``part`` (a non-empty folded text), in row order."""
        if self._joined is None:
            starts, at = [], 0
            for norm in self.norms:
                starts.append(at)
                at += len(norm) + 1
            self._joined, self._starts = "\n".join(self.norms), starts
        joined, starts = self._joined, self._starts
        found = joined.find(part)
        while found >= 0:
            row = bisect_right(starts, found) - 1
            yield row
            end = starts[row] + len(self.norms[row]) + 1  # on to the next row: one hit per row
            found = joined.find(part, end)

    def document(self) -> dict:
        return {
            "format": FORMAT[0],
            "version": FORMAT[1],
            "iris": self.iris,
            "texts": self.texts,
            "fields": self.fields,
            "weights": self.weights,
            "norms": self.norms,
        }

    @classmethod
    def from_document(cls, data: dict) -> NameTable:
        if (data["format"], data["version"]) != FORMAT:
            raise ValueError("another format")
        columns = [data[k] for k in ("iris", "texts", "fields", "weights", "norms")]
        if not all(isinstance(c, list) for c in columns) or any("\n" in n for n in data["norms"] if type(n) is str):
            raise ValueError("not a name table")
        return cls(*columns)


def saved(graph: Graph, build: Callable[[Graph], NameTable]) -> NameTable:
    """The table for ``graph``: read from beside its store generation when a process saved it there before, else
    built with ``build`` and saved there for the next process (best effort: where the folder cannot be written,
    it is only built). Graphs that are not a store generation (in memory, a view, remote) always build."""
    import json
    import os

    prefix = graph.derived
    if prefix is None:
        return build(graph)
    path = f"{prefix}.names.json"
    try:
        with open(path, "rb") as handle:
            return NameTable.from_document(json.loads(handle.read()))
    except (OSError, ValueError, KeyError, TypeError):  # none saved yet, or not one of ours: build it
        pass
    table = build(graph)
    temporary = f"{path}.{os.getpid()}.tmp"
    try:
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump(table.document(), handle, ensure_ascii=False, separators=(",", ":"))
        os.replace(temporary, path)  # whole or not at all: a reader never sees half a table
    except OSError:
        try:
            os.unlink(temporary)
        except OSError:
            pass
    return table
