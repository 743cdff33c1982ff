"""A curation file (``sources/<key>.yaml``, see ``docs/curation.md``) converted into its source's named graph.

:func:`convert` reads the file (:mod:`.document`: YAML with the line of every value, the JSON Schema, a data set's
table through its mapping), resolves every name it uses against the graph (:mod:`.names`), and builds the quads
(:mod:`.emit`). It writes nothing: :mod:`kg.ingest.add` validates the union and writes the graph atomically.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.core.backends.union import graph_iri
from kg.ingest.convert.document import Source, load
from kg.ingest.convert.names import Names, Unresolved, resolve_names
from kg.model.resolution import Decision

__all__ = ["Conversion", "Unresolved", "convert", "load"]


@dataclass(frozen=True)
class Conversion:
    """What a curation file becomes: the source's ``key`` and named ``graph``, its ``quads``, every resolution
    ``decision`` with the line it was made for, and what was matched and created."""

    key: str
    graph: str
    file: str
    quads: tuple[ox.Quad, ...]
    decisions: tuple[tuple[str, Decision], ...]
    created: tuple[tuple[str, str, str], ...]  # (iri, section, label)
    counts: dict[str, int] = field(default_factory=dict)
    places: dict[str, str] = field(default_factory=dict)  # node (IRI or _:label) -> where in the file
    metrics: tuple[tuple[str, str, str], ...] = ()  # (property text, new metric iri, where first used)

    def where(self, node: str) -> str:
        """Where in the curation file a node of this graph was written (the file itself when unknown)."""
        return self.places.get(node, self.file)

    def outcome_counts(self) -> Counter[str]:
        """How many names were matched, made variants, or are new (the resolution figures of a source)."""
        counts = Counter(decision.outcome for _, decision in self.decisions)
        counts["new"] += len(self.metrics)  # the metrics made for properties the graph has no name for
        return +counts


def convert(graph: Any, path: str | Path | Source, *, prior: list[Decision] | None = None) -> Conversion:
    """Convert a curation file against ``graph`` (a :class:`kg.core.graph.Graph`); raise
    :class:`kg.core.errors.InputError` (every problem with its ``file:line``) or :class:`Unresolved` (the names to
    annotate). ``prior`` are earlier curator decisions (the source's SSSOM file)."""
    from kg.ingest.convert.emit import emit

    source: Source = path if isinstance(path, Source) else load(path)  # read and checked once
    names: Names = resolve_names(graph, source, prior)
    quads, places = emit(graph, source, names)
    counts = {
        section: len(source.data.get(section, []))
        for section in (
            "references",
            "materials",
            "measurements",
            "failure_modes",
            "mechanisms",
            "exposures",
            "strategies",
            "claims",
        )
    }
    counts["quads"] = len(quads)
    return Conversion(
        key=source.key,
        graph=graph_iri(source.key),
        file=source.doc.file,
        quads=tuple(quads),
        decisions=tuple(names.decisions),
        created=tuple(sorted((iri, section, label) for iri, (section, label) in names.created.items())),
        counts=counts,
        places=places,
        metrics=tuple(
            (text, iri, names.metrics_where.get(text, source.doc.file))
            for text, iri in sorted(names.metrics_created.items())
        ),
    )
