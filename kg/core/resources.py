"""The one place that knows where the packaged data files (ontology, shapes, queries) live."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parents[1]  # kg/, this file being kg/core/resources.py


@cache
def data_root() -> Path:
    """Return the folder that holds ``ontology/``, ``shapes/`` and ``queries/``.

    An installed wheel carries them inside the package (``kg/_data``); a source checkout or an
    editable install reads them from the repository root.

    >>> (data_root() / "ontology" / "sslmb.ttl").is_file()
    True
    """
    packaged = _PACKAGE_DIR / "_data"
    if (packaged / "ontology").is_dir():
        return packaged
    checkout = _PACKAGE_DIR.parent
    if (checkout / "ontology").is_dir():
        return checkout
    raise FileNotFoundError(
        f"sslmb-kg data folders not found in {packaged} or {checkout}; the installation is incomplete"
    )


def ontology_file() -> Path:
    """The OWL ontology, ``ontology/sslmb.ttl``."""
    return data_root() / "ontology" / "sslmb.ttl"


def context_file() -> Path:
    """The JSON-LD context of the vocabulary, ``ontology/context.jsonld`` (served by ``sslmb serve`` at
    ``/context.jsonld``; the compact JSON-LD exports carry it inline)."""
    return data_root() / "ontology" / "context.jsonld"


def instance_files() -> list[Path]:
    """The instance data files, ``ontology/instances/*.ttl``, in a stable order."""
    return sorted((data_root() / "ontology" / "instances").glob("*.ttl"))


#: The key of the first source, the 2020 review, whose facts are the Turtle files of ``ontology/instances/``.
REVIEW_KEY = "wang2020"


def sources_dir() -> Path:
    """The folder of sources: curation files ``<key>.yaml``, their decisions ``<key>.sssom.tsv``, the built graphs
    ``graphs/<key>.trig``, data sets under ``data/`` and their column mappings under ``mappings/``."""
    return data_root() / "sources"


def source_graph_files() -> list[Path]:
    """The graphs of the sources added with ``sslmb add`` (one TriG file per source), in a stable order."""
    return sorted((sources_dir() / "graphs").glob("*.trig"))


def schema_file() -> Path:
    """The JSON Schema of the curation format, ``sources/schema.json``."""
    return sources_dir() / "schema.json"


def graph_files() -> list[Path]:
    """Everything that makes up the shipped graph: the ontology first, then the review's instance files, then the
    graphs of the other sources.

    >>> graph_files()[0].name
    'sslmb.ttl'
    """
    return [ontology_file(), *instance_files(), *source_graph_files()]


def target_graph(path: Path) -> str | None:
    """The named graph a shipped file is read into: the review's for its instance files; ``None`` for the ontology
    (the default graph) and for TriG and N-Quads files, which name their graphs themselves.

    >>> target_graph(instance_files()[0])
    'https://w3id.org/sslmb/graph/wang2020'
    """
    from kg.core.backends.union import graph_iri

    if path.parent == data_root() / "ontology" / "instances" and path.suffix == ".ttl":
        return graph_iri(REVIEW_KEY)
    return None


def shape_files() -> list[Path]:
    """The SHACL shapes, ``shapes/*.shacl.ttl``."""
    return sorted((data_root() / "shapes").glob("*.shacl.ttl"))


def queries_dir() -> Path:
    """The folder of stored SPARQL queries (``cq/``, ``checks/``, ``reports/``)."""
    return data_root() / "queries"
