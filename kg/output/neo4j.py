"""The entity network as the CSV files of Neo4j's bulk importer, ``neo4j-admin database import full``.

``nodes.csv`` has the header ``iri:ID`` (the IRI, unique), ``:LABEL`` (``Entity`` and the entity's kind in
CamelCase: ``Entity;FailureMode``) and typed properties: ``curie``, ``name``, ``kind``, ``family``,
``description``, ``categories:string[]``, ``synonyms:string[]``, ``sources:string[]``, ``value:double`` and
``unit`` for a quantity, and one ``:double`` column per key number of the GEXF export (``ionic_conductivity_s_cm``).
``relationships.csv`` has ``:START_ID``, ``:END_ID``, ``:TYPE`` (the relation's local name in upper snake case:
``sslmb:hasQuantity`` → ``HAS_QUANTITY``), ``relation`` (its CURIE), ``label``, ``references:string[]``,
``reference_count:int``, ``publications:string[]``, ``section``, ``scope``, ``exceptions`` and ``sources:string[]``.
Arrays use the importer's default delimiter ``;`` (taken out of the items); text is kept on one line, so the
importer needs no ``--multiline-fields``. The nodes and edges are those of :func:`kg.output.kgx.records`.
"""

from __future__ import annotations

import csv
import io
import re

from kg.output.kgx import curie, records, streamed_records

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path
    from typing import IO

    import networkx as nx

    from kg.analysis.network import Projection
    from kg.core.graph import Graph
    from kg.output.kgx import Edge, Node

#: How to load the two files once copied into import/ (Neo4j 5; the database must be stopped, and is replaced).
IMPORT_COMMAND = (
    "neo4j-admin database import full --overwrite-destination "
    "--nodes=import/nodes.csv --relationships=import/relationships.csv neo4j"
)
#: The files of the export, in a folder.
FILES = ("nodes.csv", "relationships.csv")
NODE_COLUMNS = (
    "iri:ID", ":LABEL", "curie", "name", "kind", "family", "description", "categories:string[]",
    "synonyms:string[]", "sources:string[]", "value:double", "unit",
)  # fmt: skip
RELATIONSHIP_COLUMNS = (
    ":START_ID", ":END_ID", ":TYPE", "relation", "label", "references:string[]", "reference_count:int",
    "publications:string[]", "section", "scope", "exceptions", "sources:string[]",
)  # fmt: skip


def relationship_type(relation: str) -> str:
    """A relation's CURIE or IRI as a Neo4j relationship type, Cypher's convention (upper snake case).

    >>> relationship_type("sslmb:hasQuantity"), relationship_type("prov:wasDerivedFrom"), relationship_type("rdf:type")
    ('HAS_QUANTITY', 'WAS_DERIVED_FROM', 'TYPE')
    """
    local = re.split(r"[:/#]", relation)[-1]
    return re.sub(r"[^0-9A-Za-z]+", "_", re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", local)).strip("_").upper()


def label(kind: str) -> str:
    """A kind (``failure mode``) as a Neo4j label (``FailureMode``)."""
    return "".join(word[:1].upper() + word[1:] for word in re.split(r"[^0-9A-Za-z]+", kind) if word) or "Thing"


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _array(items: list[str]) -> str:
    return ";".join(_one_line(i).replace(";", ",") for i in items if i)


def _node_row(n: Node, numbers: list[str]) -> list[str]:
    return [
        n.iri,
        f"Entity;{label(n.kind)}",
        curie(n.iri),
        _one_line(n.label),
        n.kind,
        _one_line(n.family),
        _one_line(n.description),
        _array(n.categories),
        _array(n.synonyms),
        _array(n.sources),
        "" if n.value is None else repr(n.value),
        n.unit,
        *("" if k not in n.numbers else repr(n.numbers[k]) for k in numbers),
    ]


def _edge_row(e: Edge) -> list[str]:
    return [
        e.subject,
        e.object,
        relationship_type(curie(e.relation)),
        curie(e.relation),
        _one_line(e.label),
        _array(e.reference_numbers),
        str(len(e.reference_numbers)),
        _array(e.publications),
        _one_line(e.section),
        _one_line(e.scope),
        _one_line(e.exceptions),
        _array(e.sources),
    ]


def _numbers(nodes: Iterable[Node]) -> list[str]:
    return sorted({k for n in nodes for k in n.numbers} - {c.split(":")[0] for c in NODE_COLUMNS})


def _write_csv(out: IO[str], columns: list[str], rows: Iterable[list[str]]) -> None:
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(columns)
    writer.writerows(rows)


def _csv(columns: list[str], rows: Iterable[list[str]]) -> bytes:
    out = io.StringIO()
    _write_csv(out, columns, rows)
    return out.getvalue().encode("utf-8")


def to_neo4j(graph: Graph, network: nx.MultiDiGraph) -> dict[str, bytes]:
    """``{"nodes.csv": ..., "relationships.csv": ...}`` for ``network`` (a projection of ``graph``)."""
    nodes, edges = records(graph, network)
    numbers = _numbers(nodes)
    return {
        "nodes.csv": _csv([*NODE_COLUMNS, *(f"{k}:double" for k in numbers)], (_node_row(n, numbers) for n in nodes)),
        "relationships.csv": _csv(list(RELATIONSHIP_COLUMNS), map(_edge_row, edges)),
    }


def write_neo4j(graph: Graph, folder: str | Path, projection: Projection) -> list[Path]:
    """:func:`to_neo4j` of the whole projection, each file written as its rows are read from the store (atomically).
    The nodes are read twice: the header names the number columns, which are known only once every node is."""
    from kg.core.files import AtomicWriter
    from kg.output.kgx import prepare_folder

    target = prepare_folder(folder)
    numbers = _numbers(streamed_records(graph, projection)[0])
    nodes, edges = streamed_records(graph, projection)
    for file, columns, rows in (
        ("nodes.csv", [*NODE_COLUMNS, *(f"{k}:double" for k in numbers)], (_node_row(n, numbers) for n in nodes)),
        ("relationships.csv", list(RELATIONSHIP_COLUMNS), map(_edge_row, edges)),
    ):
        with AtomicWriter(target / file) as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8", newline="", write_through=True)
            _write_csv(text, columns, rows)
            text.detach()
    return [target / file for file in FILES]
