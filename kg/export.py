"""Writing the whole graph to a file, atomically: a failed export never leaves a half-written file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.errors import InputError
from kg.formats import Format
from kg.namespaces import PREFIXES

if TYPE_CHECKING:
    from kg.store import KnowledgeGraph

_OX_FORMATS = {
    Format.TURTLE: ox.RdfFormat.TURTLE,
    Format.NTRIPLES: ox.RdfFormat.N_TRIPLES,
    Format.JSONLD: ox.RdfFormat.JSON_LD,
    Format.RDFXML: ox.RdfFormat.RDF_XML,
}


def atomic_write(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to a temporary file beside ``path`` and rename it into place.

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "x.txt"
    >>> atomic_write(target, b"ok").read_bytes()
    b'ok'
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(f"{target}: folder {folder} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def serialize(graph: KnowledgeGraph, format: Format | str) -> bytes:
    """The whole graph (ontology and data) in an RDF format."""
    fmt = format if isinstance(format, Format) else Format.from_name(format)
    prefixes = PREFIXES if fmt in (Format.TURTLE, Format.RDFXML) else None
    return graph.store.dump(format=_OX_FORMATS[fmt], from_graph=ox.DefaultGraph(), prefixes=prefixes) or b""


def export(graph: KnowledgeGraph, path: str | Path, *, format: Format | str | None = None) -> Path:
    """Write the whole graph to ``path``; the format is taken from the extension when not given."""
    if format is None:
        fmt = Format.from_extension(path)
    else:
        fmt = format if isinstance(format, Format) else Format.from_name(format)
    return atomic_write(path, serialize(graph, fmt))
