"""``sslmb add`` and ``sslmb remove``: a source's named graph put in, replaced or taken out, all or nothing.

Adding converts the curation file against the graph without the source's previous version (so a source re-added
does not find its own entities), validates the union with the SHACL shapes and the quality checks, and only then
writes: into the project's ``sources/`` folder (``graphs/<key>.trig`` and the decisions ``<key>.sssom.tsv``, both
renamed into place together) or, with ``--store DIR``, into a new generation of the on-disk store that becomes
current in one rename. A problem anywhere leaves everything as it was. Removing validates the graph without the
source first (another source may use what it introduced).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.core import resources
from kg.core.backends.union import UnionStore, graph_iri
from kg.core.errors import InputError, KGError, echo
from kg.core.graph import Graph


class Rejected(KGError):
    """The union does not validate (exit 1): ``problems`` are the shape violations and check rows, with lines."""

    exit_code = 1
    listing = True

    def __init__(self, what: str, problems: list[str]) -> None:
        self.problems = problems
        shown = problems[:25]
        more = f"\n... and {len(problems) - len(shown)} more" if len(problems) > len(shown) else ""
        super().__init__(f"{what}; nothing was written:\n" + "\n".join(shown) + more)


@dataclass(frozen=True)
class AddReport:
    """What ``sslmb add`` did (or, with ``dry_run``, would do)."""

    key: str
    graph: str
    file: str
    dry_run: bool
    replaced: bool
    quads: int
    written: tuple[str, ...]
    resolution: dict[str, int]
    decisions: tuple[dict[str, Any], ...]
    created: tuple[dict[str, str], ...]
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


@dataclass(frozen=True)
class RemoveReport:
    key: str
    graph: str
    quads: int
    written: tuple[str, ...]
    seconds: float = 0.0


# ------------------------------------------------------------------------------------------ where sources live


def _files_target() -> Path:
    """The project's ``sources/`` folder, when it can be written (a checkout, not an installed wheel)."""
    folder = resources.sources_dir()
    if "_data" in folder.parts:
        raise InputError(
            "the shipped graph of an installed package is read-only: add the source to a store instead "
            "(sslmb load --store DIR, then sslmb add FILE --store DIR)"
        )
    return folder


def _current(store: str | None) -> Graph:
    if store is not None:
        from kg.core.backends.disk import open_store

        return open_store(store)
    from kg.core.backends.memory import load

    return load()


def _without(graph: Graph, key: str) -> tuple[UnionStore, int]:
    """A copy of the graph's quads without the named graph of ``key``, and how many quads that graph had."""
    drop = ox.NamedNode(graph_iri(key))
    copy = ox.Store()
    removed = 0
    batch: list[ox.Quad] = []
    for quad in graph.store.quads_for_pattern(None, None, None):
        if quad.graph_name == drop:
            removed += 1
            continue
        batch.append(quad)
        if len(batch) >= 100_000:
            copy.extend(batch)
            batch.clear()
    copy.extend(batch)
    return UnionStore(copy), removed


def _prior(key: str, store: str | None) -> list[Any]:
    from kg.model.resolution import read_sssom

    path = _decisions_file(key, store)
    if path.is_file():
        return read_sssom(path.read_text(encoding="utf-8"))
    return []


def _decisions_file(key: str, store: str | None) -> Path:
    if store is not None:
        return Path(store) / "sources" / f"{key}.sssom.tsv"
    return resources.sources_dir() / f"{key}.sssom.tsv"


# ------------------------------------------------------------------------------------------ checking the union


def _check_union(union: UnionStore, where: Any) -> list[str]:
    """Shape violations and quality-check rows of the union, each with the place in the curation file."""
    from kg.model import queries
    from kg.model.stored import stored_queries
    from kg.validation.shacl import validate

    graph = Graph(union)
    problems = []
    report = validate(graph, engine="fast")  # the shapes as SPARQL on this store: pySHACL's results, faster
    for r in report.results:
        if r.severity != "Violation":
            continue
        problems.append(f"{where(r.focus)}: {r.focus_label}: {r.message}" + (f" ({r.path})" if r.path else ""))
    for stored in stored_queries():
        if stored.kind != "check":
            continue
        result = queries.run(graph, stored.name)
        for row in result.rows[:10]:
            first = next((str(v) for v in row.values() if isinstance(v, str) and v.startswith("http")), "")
            problems.append(f"{where(first)}: check {stored.name}: {', '.join(f'{k}={v}' for k, v in row.items())}")
    return problems


# ------------------------------------------------------------------------------------------ add, remove


def add(path: str | Path, *, store: str | None = None, dry_run: bool = False) -> AddReport:
    """Add (or replace) the source a curation file describes; see the module's documentation."""
    from kg.ingest.convert import convert
    from kg.ingest.convert.document import load
    from kg.model.resolution import to_sssom

    started = time.perf_counter()
    if store is None and not dry_run:
        _files_target()
    source = load(path)
    key = source.key
    current = _current(store)
    base, replaced = _without(current, key)
    conversion = convert(Graph(base), source, prior=_prior(key, store))
    base.extend(conversion.quads)

    def where(node: str) -> str:
        focus = node if node.startswith(("http", "_:")) else node
        from kg.core.namespaces import expand

        try:
            iri = expand(focus)
        except Exception:
            iri = focus
        return conversion.places.get(iri, conversion.places.get(focus, conversion.file))

    problems = _check_union(base, where)
    if problems:
        raise Rejected(f"{conversion.file}: the graph with this source does not validate", problems)
    decisions = [d for _, d in conversion.decisions]
    sssom = to_sssom(decisions, source_key=key, mapping_set_id=f"https://w3id.org/sslmb/mappings/{key}")
    written: list[str] = []
    if not dry_run:
        data = _trig(conversion.quads)
        if store is None:
            folder = _files_target()
            written = _write_together(
                {folder / "graphs" / f"{key}.trig": data, folder / f"{key}.sssom.tsv": sssom.encode()}
            )
        else:
            from kg.ingest.transaction import replace_graph

            replace_graph(store, graph_iri(key), conversion.quads, note=f"sslmb add {Path(path).name}")
            written = _write_together({_decisions_file(key, store): sssom.encode()})
            written.insert(0, str(store))
    return AddReport(
        key=key,
        graph=conversion.graph,
        file=conversion.file,
        dry_run=dry_run,
        replaced=bool(replaced),
        quads=len(conversion.quads),
        written=tuple(written),
        resolution=dict(sorted(conversion.outcome_counts().items())),
        decisions=_in_file_order(
            *(
                {
                    "where": w,
                    "name": d.mention.name,
                    "outcome": d.outcome,
                    "iri": d.iri,
                    "label": d.label,
                    "how": d.how,
                    "score": round(d.score, 3),
                    "reason": d.reason,
                }
                for w, d in conversion.decisions
            ),
            *(
                {
                    "where": w,
                    "name": name,
                    "outcome": "new",
                    "iri": iri,
                    "label": name,
                    "how": "new metric",
                    "score": 1.0,
                    "reason": "no metric of the graph has this name; a new one is made",
                }
                for name, iri, w in conversion.metrics
            ),
        ),
        created=tuple({"iri": iri, "section": section, "label": label} for iri, section, label in conversion.created),
        counts=conversion.counts,
        seconds=round(time.perf_counter() - started, 3),
    )


def _in_file_order(*decisions: dict[str, Any]) -> tuple[dict[str, Any], ...]:
    """The decisions sorted by their place (file, then line), as a curator reads the file."""
    import re

    def place(d: dict[str, Any]) -> tuple[str, int]:
        m = re.match(r"(.*):(\d+)", d["where"])
        return (m.group(1), int(m.group(2))) if m else (d["where"], 0)

    return tuple(sorted(decisions, key=place))


def remove(key: str, *, store: str | None = None) -> RemoveReport:
    """Take a source out (validated: the rest must still conform), all or nothing."""
    started = time.perf_counter()
    if key == resources.REVIEW_KEY and store is None:
        raise InputError(
            f"{echo(key)} is the review the graph is built on; it cannot be removed from the shipped graph"
        )
    current = _current(store)
    base, had = _without(current, key)
    if not had:
        known = sorted(str(r["k"]) for r in current.select("SELECT ?k WHERE { ?s sslmb:sourceKey ?k }"))
        raise InputError(f"no source {echo(key)} in the graph; the sources are: {', '.join(known)}")
    problems = _check_union(base, lambda node: node)
    if problems:
        import re

        users = sorted(set(re.findall(r"graph=https://w3id\.org/sslmb/graph/(\w+)", "\n".join(problems))))
        who = f"{', '.join(users)} use{'s' if len(users) == 1 else ''} what it introduced" if users else "see below"
        raise Rejected(f"cannot remove {key!r}: without it the graph does not validate ({who})", problems)
    written: list[str] = []
    if store is None:
        folder = _files_target()
        for path in (folder / "graphs" / f"{key}.trig", folder / f"{key}.sssom.tsv"):
            if path.exists():
                path.unlink()
                written.append(str(path))
    else:
        from kg.ingest.transaction import replace_graph

        replace_graph(store, graph_iri(key), (), note=f"sslmb remove {key}")
        written.append(str(store))
        decisions = _decisions_file(key, store)
        if decisions.exists():
            decisions.unlink()
            written.append(str(decisions))
    return RemoveReport(key, graph_iri(key), had, tuple(written), round(time.perf_counter() - started, 3))


# ------------------------------------------------------------------------------------------ writing


_PREFIXES = {
    "sslmb": "https://w3id.org/sslmb/",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "cito": "http://purl.org/spar/cito/",
    "bibo": "http://purl.org/ontology/bibo/",
    "qudt": "http://qudt.org/schema/qudt/",
    "unit": "http://qudt.org/vocab/unit/",
    "quantitykind": "http://qudt.org/vocab/quantitykind/",
    "schema": "https://schema.org/",
}


def _trig(quads: tuple[ox.Quad, ...] | list[ox.Quad]) -> bytes:
    """The graph as TriG, quads in a stable order, so the same source always gives the same bytes."""
    ordered = sorted(quads, key=lambda q: (str(q.subject), str(q.predicate), str(q.object)))
    header = (
        b"# Built by `sslmb add` from the source's curation file; "
        b"do not edit by hand, edit the YAML and add it again.\n"
    )
    return header + (ox.serialize(ordered, format=ox.RdfFormat.TRIG, prefixes=_PREFIXES) or b"")


def _write_together(files: dict[Path, bytes]) -> list[str]:
    """Write several files so that either all are replaced or none: each is written beside its target first, then
    all are renamed; a failed rename puts back the ones already renamed."""
    import os

    from kg.core.files import output_file

    staged: list[tuple[Path, Path, Path | None]] = []
    try:
        for target, data in files.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            output_file(target)
            temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
            temp.write_bytes(data)
            backup = None
            if target.exists():
                backup = target.with_name(f".{target.name}.{os.getpid()}.bak")
                os.link(target, backup)
            staged.append((target, temp, backup))
        done: list[tuple[Path, Path | None]] = []
        try:
            for target, temp, backup in staged:
                os.replace(temp, target)
                done.append((target, backup))
        except OSError:
            for target, backup in reversed(done):
                if backup is not None:
                    os.replace(backup, target)
                else:
                    target.unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise InputError(f"cannot write {exc.filename or 'the source files'}: {exc.strerror or exc}") from None
    finally:
        for _, temp, backup in staged:
            temp.unlink(missing_ok=True)
            if backup is not None:
                backup.unlink(missing_ok=True)
    from kg.ingest.yamldoc import shown

    return [shown(target) for target in files]
