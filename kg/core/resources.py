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


def instance_files() -> list[Path]:
    """The instance data files, ``ontology/instances/*.ttl``, in a stable order."""
    return sorted((data_root() / "ontology" / "instances").glob("*.ttl"))


def graph_files() -> list[Path]:
    """Everything that makes up the shipped graph: the ontology first, then the instance files.

    >>> graph_files()[0].name
    'sslmb.ttl'
    """
    return [ontology_file(), *instance_files()]


def shape_files() -> list[Path]:
    """The SHACL shapes, ``shapes/*.shacl.ttl``."""
    return sorted((data_root() / "shapes").glob("*.shacl.ttl"))


def queries_dir() -> Path:
    """The folder of stored SPARQL queries (``cq/``, ``checks/``, ``reports/``)."""
    return data_root() / "queries"
