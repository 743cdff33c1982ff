"""A release of the graph: one folder with the graph in every format (TriG with its named graphs, Turtle,
N-Triples, JSON-LD, GEXF, KGX), ``stats.json`` and an RO-Crate, ``ro-crate-metadata.json``.

A release is reproducible: built twice from the same files it is the same bytes. Nothing in it reads the clock:
its date is ``SOURCE_DATE_EPOCH`` when set (the reproducible-builds convention), else the time of the checkout's
commit, else the newest modification time of the input files; blank nodes get canonical labels
(:mod:`kg.output.canonical`) and every list is sorted.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

import pyoxigraph as ox

from kg.core.namespaces import PREFIXES

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from kg.core.graph import Graph

#: The files of a release, in the order they are written, with their media types and what they hold.
FILES: tuple[tuple[str, str, str], ...] = (
    ("sslmb-kg.trig", "application/trig",
     "The whole graph: the ontology in the default graph, each source's facts in its own named graph."),
    ("sslmb-kg.ttl", "text/turtle", "The whole graph as Turtle: the union of the named graphs, each triple once."),
    ("sslmb-kg.nt", "application/n-triples",
     "The whole graph as N-Triples: the union of the named graphs, each triple once."),
    ("sslmb-kg.jsonld", "application/ld+json",
     "The whole graph as compact JSON-LD with the vocabulary's context, the named graphs kept."),
    ("sslmb-kg.gexf", "application/gexf+xml", "The entity network for Gephi (GEXF 1.3)."),
    ("kgx/nodes.tsv", "text/tab-separated-values",
     "The entity network's nodes in KGX TSV (Biolink categories where clear)."),
    ("kgx/edges.tsv", "text/tab-separated-values",
     "The entity network's edges in KGX TSV, with their knowledge sources."),
    ("stats.json", "application/json",
     "Counts per class and per source, the commit, the inputs' SHA-256 and the library versions."),
)  # fmt: skip
METADATA = "ro-crate-metadata.json"
#: Libraries whose versions a release records (they decide the bytes written).
LIBRARIES = ("sslmb-kg", "pyoxigraph", "rdflib", "networkx", "rocrate")


@dataclass(frozen=True)
class Provenance:
    """Where a release comes from: the commit (``"unknown"`` outside a git checkout), the date and what it was
    taken from (``SOURCE_DATE_EPOCH``, ``commit`` or ``input files``), and each input file's SHA-256."""

    commit: str
    date: str
    date_from: str
    inputs: tuple[tuple[str, str], ...]


def input_files() -> list[Path]:
    """Every file the shipped graph is built from: the ontology, the review's instance files, the sources' graphs,
    and what those graphs are made from (curation files, SSSOM decisions, data sets, mappings)."""
    from kg.core import resources

    folder = resources.sources_dir()
    made_from = [
        p
        for p in folder.rglob("*")
        if p.is_file() and p.parent != folder / "graphs" and not (p.parent == folder and p.suffix == ".md")
    ]  # the graphs are in graph_files(); the notes beside the curation files are not inputs
    return sorted({*resources.graph_files(), resources.context_file(), *made_from})


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def provenance() -> Provenance:
    """The commit, date and input hashes of a release of the shipped graph (see the module for the date)."""
    from kg.core.errors import InputError
    from kg.core.resources import data_root

    root = data_root()
    files = input_files()
    commit = _git(root, "rev-parse", "HEAD") or "unknown"
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is not None:
        if not epoch.strip().isdigit():
            raise InputError(f"SOURCE_DATE_EPOCH must be a whole number of seconds, got {epoch[:40]!r}")
        seconds, source = int(epoch), "SOURCE_DATE_EPOCH"
    elif commit != "unknown" and (when := _git(root, "log", "-1", "--format=%ct", commit)):
        seconds, source = int(when), "commit"
    else:
        seconds, source = int(max(p.stat().st_mtime for p in files)), "input files"
    date = datetime.fromtimestamp(seconds, tz=timezone.utc).isoformat().replace("+00:00", "Z")
    inputs = tuple((p.relative_to(root).as_posix(), _sha256(p)) for p in files)
    return Provenance(commit, date, source, inputs)


def library_versions() -> dict[str, str]:
    """The versions of Python and of :data:`LIBRARIES` (``"not installed"`` for one that is missing)."""
    import platform
    from importlib import metadata

    versions = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def _rdf(graph: Graph) -> dict[str, bytes]:
    from kg.output.canonical import canonical_quads, canonical_triples
    from kg.output.jsonld import to_jsonld

    quads, _ = canonical_quads(graph.store.quads_for_pattern(None, None, None, None))
    triples = canonical_triples(quads)
    return {
        "sslmb-kg.trig": ox.serialize(quads, None, ox.RdfFormat.TRIG, prefixes=PREFIXES) or b"",
        "sslmb-kg.ttl": ox.serialize(triples, None, ox.RdfFormat.TURTLE, prefixes=PREFIXES) or b"",
        "sslmb-kg.nt": ox.serialize(triples, None, ox.RdfFormat.N_TRIPLES) or b"",
        "sslmb-kg.jsonld": to_jsonld(quads),
    }


def stats_document(graph: Graph, where: Provenance, network_size: tuple[int, int], quads: int) -> dict:
    """The content of ``stats.json``: sizes, counts per class and per source (with each source's record), the
    commit, the date, the inputs' SHA-256 and the library versions."""
    from kg.model.sources import sources
    from kg.model.stats import stats

    counts = stats(graph)
    records = {s.key: s for s in sources(graph)}
    per_source = []
    for share in counts.sources:
        record = records.get(share.key)
        per_source.append(
            {
                **asdict(share),
                "kind": record.kind if record else None,
                "title": record.title if record else None,
                "doi": record.doi if record else None,
                "url": record.url if record else None,
                "licence": record.licence if record else None,
                "graph": record.graph if record else None,
            }
        )
    totals = {k: v for k, v in asdict(counts).items() if k not in ("classes", "sources")}
    return {
        "name": "sslmb-kg",
        "date": where.date,
        "date_from": where.date_from,
        "git_commit": where.commit,
        "quads": quads,
        **totals,
        "network": {"nodes": network_size[0], "edges": network_size[1]},
        "classes": [asdict(c) for c in counts.classes],
        "sources": per_source,
        "inputs": [{"path": path, "sha256": digest} for path, digest in where.inputs],
        "libraries": library_versions(),
    }


def build(graph: Graph, folder: str | Path) -> list[tuple[str, int]]:
    """Write a release of ``graph`` (the shipped graph: its inputs are hashed) into ``folder`` (created when
    missing; it may hold a previous release, nothing else), every file atomically, ``ro-crate-metadata.json`` last;
    the files written and their sizes."""
    from kg.core.formats import Format
    from kg.output import kgx, subgraph
    from kg.output.crate import metadata
    from kg.output.rdf import serialize

    target = kgx.prepare_folder(folder)
    ours = {name for name, _, _ in FILES} | {METADATA}
    others = sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file())
    others = [name for name in others if name not in ours]
    if others:  # the crate must describe everything in the folder: no stray file in a release
        from kg.core.errors import InputError
        from kg.core.files import name as shown

        raise InputError(
            f"{shown(target)} holds files that are not part of a release ({', '.join(others[:3])}"
            f"{', ...' if len(others) > 3 else ''}); release into a new or empty folder, or a previous release"
        )
    where = provenance()
    network = subgraph.network(graph)
    files = _rdf(graph)
    files["sslmb-kg.gexf"] = serialize(graph, Format.GEXF)
    files.update({f"kgx/{name}": data for name, data in kgx.to_kgx(graph, network).items()})
    quads = sum(1 for _ in graph.store.quads_for_pattern(None, None, None, None))
    document = stats_document(graph, where, (network.number_of_nodes(), network.number_of_edges()), quads)
    files["stats.json"] = (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    assert [name for name, _, _ in FILES] == list(files), "FILES and the files built must agree"
    files[METADATA] = metadata(graph, where.date, [(n, media, text, len(files[n])) for n, media, text in FILES])
    written = []
    for name, data in files.items():
        kgx.prepare_folder((target / name).parent)
        kgx.write_folder((target / name).parent, {Path(name).name: data})
        written.append((name, len(data)))
    return written
