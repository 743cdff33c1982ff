"""The in-memory backend (the default): RDF files parsed into a fresh ``pyoxigraph.Store``, a syntax error named
by file, line and column."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from kg.core import resources
from kg.core.errors import InputError, echo
from kg.core.graph import Graph

_RDF_FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
    ".trig": ox.RdfFormat.TRIG,
    ".nq": ox.RdfFormat.N_QUADS,
}


def load_file(store: ox.Store, path: Path, graph: str | None = None) -> None:
    """Parse one RDF file into ``store`` (a triples file into the named ``graph`` when one is given; TriG and
    N-Quads keep the graphs they name), raising :class:`InputError` that says where parsing failed."""
    from kg.core.files import input_file, name, token_too_long

    fmt = _RDF_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(
            f"{name(path)}: unknown RDF file extension {echo(path.suffix)} (use .ttl, .nt, .jsonld or .rdf)"
        )
    input_file(path)  # a FIFO would block the parser; a symbolic link loop, a folder...: one line each
    try:
        into = ox.NamedNode(graph) if graph and fmt not in (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS) else None
        store.load(path=str(path), format=fmt, base_iri=path.resolve().as_uri(), to_graph=into)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not an RDF file") from None
    except MemoryError as exc:
        raise token_too_long(path, exc) from None
    except SyntaxError as exc:
        line, col = exc.lineno or 0, exc.offset or 0
        message = str(exc.msg) if exc.msg else str(exc)
        message = re.sub(r"^Parser error (at|between) line .*? column \d+: ", "", message)
        raise InputError(f"{path}:{line}:{col}: {message}") from None
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: {exc}") from None


def read_files(paths: Iterable[Path]) -> ox.Store:
    """A fresh in-memory store holding every file of ``paths``."""
    store = ox.Store()
    for path in paths:
        load_file(store, path, resources.target_graph(path))
    return store


def files_to_load(*paths: str | Path, data: bool = True) -> list[Path]:
    """What :func:`load` reads: the shipped graph (ontology and all instance data) and ``paths``; with
    ``data=False`` only ``paths`` (the ontology when none are given)."""
    files: list[Path] = []
    if data:
        files.extend(resources.graph_files())
    elif not paths:
        files.append(resources.ontology_file())
    files.extend(Path(p) for p in paths)
    return files


def load(*paths: str | Path, data: bool = True) -> Graph:
    """The graph of :func:`files_to_load`, parsed into memory (:func:`kg.load` gives it the friendly methods).

    >>> len(load()) > 1000
    True
    """
    files = files_to_load(*paths, data=data)
    return Graph(read_files(files), files)
