"""Writing the whole graph to a file, atomically: a failed export never leaves a half-written file.

(:func:`atomic_write` lives in :mod:`kg.core.files`; it is imported here for the callers that know it from here.)"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import pyoxigraph as ox

from kg.core.errors import InputError
from kg.core.files import STDOUT, AtomicWriter, atomic_write, output_file, write_output
from kg.core.formats import Format
from kg.core.namespaces import PREFIXES

if TYPE_CHECKING:
    from kg.core.graph import Graph

_OX_FORMATS = {
    Format.TURTLE: ox.RdfFormat.TURTLE,
    Format.NTRIPLES: ox.RdfFormat.N_TRIPLES,
    Format.JSONLD: ox.RdfFormat.JSON_LD,
    Format.RDFXML: ox.RdfFormat.RDF_XML,
    Format.TRIG: ox.RdfFormat.TRIG,
    Format.NQUADS: ox.RdfFormat.N_QUADS,
}
_DATASET_FORMATS = (Format.TRIG, Format.NQUADS)
_STREAMED = (Format.GEXF, Format.GRAPHML)  # the whole network is written as it is read (write_network)


def serialize(
    graph: Graph,
    format: Format | str,
    *,
    around: str | None = None,
    hops: int = 1,
    bibliographic: bool = True,
    schema: bool = False,
) -> bytes:
    """The graph in ``format``: an RDF format gives the whole graph (ontology and data: TriG and N-Quads with each
    source's named graph kept, the others the union's triples, each once), a network format
    (GEXF, GraphML) the entity network (:mod:`kg.output.gexf`). ``bibliographic``/``schema`` choose the network's
    nodes (:func:`kg.analysis.network.to_networkx`). ``around`` keeps only the entities within ``hops`` links of one
    entity: for RDF, the triples among them plus their literals, types, labels and link evidence
    (:func:`kg.output.subgraph.rdf_store`)."""
    fmt = format if isinstance(format, Format) else Format.from_name(format)
    if fmt.is_folder:
        raise InputError(f"{fmt.value} is a folder of files: write it with export(folder, format={fmt.value!r})")
    store = graph.store
    if fmt in _STREAMED and around is None:
        import io

        buffer = io.BytesIO()
        write_network(graph, buffer, fmt, bibliographic=bibliographic, schema=schema)
        return buffer.getvalue()
    if not fmt.is_rdf or around is not None:
        from kg.output import subgraph

        network = subgraph.network(graph, around=around, hops=hops, bibliographic=bibliographic, schema=schema)
        if not fmt.is_rdf:
            from kg.output import gexf

            gexf.add_sources(graph, network)
            if fmt is Format.GEXF:
                return gexf.to_gexf(network, description=_describe(graph, around, hops))
            return gexf.to_graphml(network)
        store = subgraph.rdf_store(graph, set(network.nodes))
    elif not bibliographic or schema:
        raise InputError(
            "--no-bibliographic and --schema shape the entity network: use them with --around or gexf/graphml"
        )
    if fmt is Format.JSONLD:  # compact, with the vocabulary's context (kg.output.jsonld), the named graphs kept
        from kg.output.canonical import canonical_quads
        from kg.output.jsonld import to_jsonld

        return to_jsonld(canonical_quads(store.quads_for_pattern(None, None, None, None))[0])
    prefixes = PREFIXES if fmt in (Format.TURTLE, Format.RDFXML, Format.TRIG) else None
    if fmt in _DATASET_FORMATS:  # every graph kept: the ontology as the default graph, each source's as its own
        return store.dump(format=_OX_FORMATS[fmt], prefixes=prefixes) or b""
    return store.dump(format=_OX_FORMATS[fmt], from_graph=ox.DefaultGraph(), prefixes=prefixes) or b""


def write_network(
    graph: Graph, out: BinaryIO, fmt: Format, *, bibliographic: bool = True, schema: bool = False
) -> None:
    """The whole entity network in a network format, written to ``out`` as it is read from the store
    (:class:`kg.analysis.network.Projection`): what :func:`serialize` gives, without holding it in memory."""
    from kg.analysis.network import Projection
    from kg.output import gexf

    projection = Projection(graph, bibliographic=bibliographic, schema=schema)
    if fmt is Format.GEXF:
        gexf.write_gexf(graph, out, projection, description=_describe(graph, None, 1))
    elif fmt is Format.GRAPHML:
        gexf.write_graphml(graph, out, projection)
    else:
        raise ValueError(f"{fmt.value} is not written as a stream")


def _describe(graph: Graph, around: str | None, hops: int) -> str:
    from kg.model.sources import sources

    keys = ", ".join(s.key for s in sources(graph)) or "none"
    what = f"Entity network of the sslmb-kg knowledge graph (sources: {keys})"
    if around is None:
        return what
    from kg.model.search import resolve

    return f"{what}: the entities within {hops} link(s) of {resolve(graph, around).label}"


def export(graph: Graph, path: str | Path, *, format: Format | str | None = None, **options: Any) -> Path | None:
    """Write the graph to ``path``; the format is taken from the extension when not given. ``path`` ``"-"`` is
    standard output (then ``format`` is needed, and None is returned). ``options`` are those of
    :func:`serialize` (``around``, ``hops``, ``bibliographic``, ``schema``). A folder format (``kgx``, ``neo4j``)
    writes its files into the folder ``path`` (created when missing), and ``path`` is returned.

    A target that is not a regular file (a folder, a device, a FIFO) is refused before anything is computed.
    """
    fmt = None if format is None else format if isinstance(format, Format) else Format.from_name(format)
    if fmt is not None and fmt.is_folder:
        return _export_folder(graph, path, fmt, **options)
    if str(path) != STDOUT:
        output_file(path)
    if fmt is None:
        if str(path) == STDOUT:
            raise InputError("-o - writes to standard output: give the format too (--format ttl, nt, ...)")
        fmt = Format.from_extension(path)
    if fmt in _STREAMED and options.get("around") is None:  # streamed: the document is never held in memory
        network_options = {k: v for k, v in options.items() if k in ("bibliographic", "schema")}
        if str(path) == STDOUT:
            sys.stdout.flush()
            write_network(graph, sys.stdout.buffer, fmt, **network_options)
            sys.stdout.buffer.flush()
            return None
        with AtomicWriter(path) as out:
            write_network(graph, out, fmt, **network_options)
        return Path(path)
    return write_output(path, serialize(graph, fmt, **options))


def _export_folder(graph: Graph, path: str | Path, fmt: Format, **options: Any) -> Path:
    from kg.output import kgx, neo4j, subgraph

    if str(path) == STDOUT:
        raise InputError(f"{fmt.value} writes a folder of files: give a folder with -o, not -")
    kgx.prepare_folder(path)
    if options.get("around") is None:  # streamed: no file is held in memory
        from kg.analysis.network import Projection

        if options.get("hops", 1) < 0:
            raise InputError(f"--hops must be 0 or more, got {options['hops']}")
        projection = Projection(
            graph, bibliographic=options.get("bibliographic", True), schema=options.get("schema", False)
        )
        (kgx.write_kgx if fmt is Format.KGX else neo4j.write_neo4j)(graph, path, projection)
        return Path(path)
    network = subgraph.network(graph, **options)
    files = kgx.to_kgx(graph, network) if fmt is Format.KGX else neo4j.to_neo4j(graph, network)
    kgx.write_folder(path, files)
    return Path(path)


__all__ = ["atomic_write", "export", "serialize"]
