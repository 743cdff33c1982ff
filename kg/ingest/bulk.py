"""The bulk load pipeline: RDF files into an on-disk store, all or nothing.

:func:`bulk_load` never writes into the generation in use. It copies it (a RocksDB checkpoint: hard links),
loads the new files into the copy (:mod:`kg.ingest.parse`), validates the result (:mod:`kg.validation.shacl`),
and only then points ``sslmb-store.json`` at the new generation, with one atomic rename
(:mod:`kg.core.backends.disk`). A file that fails to parse or to validate leaves the store as it was.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.core.backends import disk
from kg.core.backends.disk import Source
from kg.core.errors import InputError, KGError
from kg.ingest.parse import Progress, format_of, load_one, sha256

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from kg.validation.report import ValidationReport


class ValidationFailed(KGError):
    """Loading stopped because the result does not conform to the SHACL shapes; the store is unchanged."""

    exit_code = 1

    def __init__(self, store: Path, report: ValidationReport) -> None:
        self.report = report
        super().__init__(
            f"{store}: not loaded, the result would not conform to the shapes ({report.violations} violation(s)); "
            "the store is unchanged"
        )


@dataclass(frozen=True)
class LoadReport:
    """What :func:`bulk_load` did. ``skipped`` lists files already in the store (same SHA-256). ``triples`` counts
    each distinct triple once (``len(graph)``); ``statements`` counts the quads, a triple once per named graph (source)
    that holds it, as SPARQL's ``COUNT(*)`` over the union does. TriG and N-Quads files keep their graphs."""

    store: str
    data: str
    loaded: tuple[str, ...]
    skipped: tuple[str, ...]
    bytes: int
    triples_before: int
    triples: int
    statements: int
    graphs: tuple[str, ...]
    validated: bool
    seconds: float


def bulk_load(
    paths: Iterable[str | Path],
    store: str | Path,
    *,
    validate: bool = True,
    replace: bool = False,
    progress: bool | None = None,
    engine: str | None = None,
) -> LoadReport:
    """Load RDF files into the on-disk store ``store`` (created when missing), all or nothing.

    With no ``paths``, the shipped graph (ontology and instance data) is loaded. The files go into a new
    generation of the store (a copy of the current one, or an empty one with ``replace=True``), which is
    validated against the project's SHACL shapes (``validate=False`` skips it; ``engine`` is handed to
    :func:`kg.validation.shacl.validate`) and only then becomes the store's current generation.
    A file already loaded (same SHA-256) is skipped: loading it again would duplicate its blank nodes.

    ``progress``: a progress line on stderr; by default only when stderr is a terminal.

    Raises :class:`~kg.core.errors.InputError` (file:line:column) for a file that cannot be read, and
    :class:`ValidationFailed` when the result does not conform; in both cases the store is unchanged.
    """
    import shutil

    from kg.core import resources
    from kg.core.files import input_file

    started = time.perf_counter()
    folder = Path(store)
    files = [Path(p) for p in paths] or resources.graph_files()
    for path in files:
        format_of(path)
        input_file(path)  # a FIFO, a folder, a symbolic link loop...: refused before the store is touched
    if folder.exists() and (not folder.is_dir() or not disk.only_leftovers(folder)):
        disk.read_info(folder)  # refuses a folder that is not a store: nothing in it is touched
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{folder}: cannot create the store folder: {exc.strerror or exc}") from None
    with disk.locked(folder):
        # Read under the lock: another load may have finished meanwhile. A folder holding only what a failed
        # first load leaves (the lock, unfinished generations) is a new store.
        info = disk.read_info(folder) if (folder / disk.METADATA).exists() else None
        disk.remove_stale(folder, keep=info.data if info else None)
        kept = info if info is not None and not replace else None  # the generation the new one starts from
        known = {s.sha256 for s in kept.sources} if kept else set()
        generation = disk.next_generation(folder)
        target = folder / generation
        loaded: list[Source] = []
        given: dict[str, str] = {}
        skipped: list[str] = []
        for path in files:  # a file already in the store is skipped: its blank nodes would be duplicated
            try:
                digest = sha256(path)
            except OSError as exc:
                raise InputError(f"{path}: {exc.strerror or exc}") from None
            if digest in known:
                skipped.append(str(path))
            else:
                known.add(digest)
                loaded.append(Source(str(path.resolve()), path.stat().st_size, digest, disk.now()))
                given[str(path.resolve())] = str(path)  # an error names the file as the user wrote it
        if not loaded and kept is not None:  # nothing new: the store stays as it is
            seconds = round(time.perf_counter() - started, 3)
            graphs = _graphs(folder / kept.data)
            return LoadReport(
                str(folder), kept.data, (), tuple(skipped), 0, kept.triples, kept.triples, kept.statements, graphs,
                False, seconds,
            )  # fmt: skip
        base = folder / kept.data if kept else None
        sources = [*(kept.sources if kept else ()), *loaded]
        show = sys.stderr.isatty() if progress is None else progress
        meter = Progress(sum(s.bytes for s in loaded), len(loaded), show)
        try:
            before, (triples, statements, graphs) = _build(
                target, base, loaded, sources, meter, validate, engine, folder, given
            )
            meter.close()
            disk.write_info(
                folder,
                data=generation,
                triples=triples,
                statements=statements,
                sources=sources,
                validated=validate,  # the whole new generation was checked, old triples and new
                created=info.created if info else None,
            )
        except BaseException as exc:
            meter.close()
            import gc
            import traceback

            traceback.clear_frames(exc.__traceback__)  # the frames hold the new generation's open database
            gc.collect()
            shutil.rmtree(target, ignore_errors=True)
            raise
        _save_name_table(folder)
        if info is not None and not disk.leased(folder, info.data):  # a server still reading it keeps it
            disk.remove_generation(folder / info.data)
    return LoadReport(
        store=str(folder),
        data=generation,
        loaded=tuple(s.path for s in loaded),
        skipped=tuple(skipped),
        bytes=sum(s.bytes for s in loaded),
        triples_before=before,
        triples=triples,
        statements=statements,
        graphs=graphs,
        validated=validate,
        seconds=round(time.perf_counter() - started, 3),
    )


def _build(
    target: Path,
    base: Path | None,
    loaded: list[Source],
    sources: list[Source],
    meter: Progress,
    validate: bool,
    engine: str | None,
    folder: Path,
    given: dict[str, str],
) -> tuple[int, tuple[int, int, tuple[str, ...]]]:
    """Make the new generation in ``target``: a checkpoint of ``base`` (or empty), the new files, validation.
    Returns the triple count before, and after: triples, statements and named graphs. The database is closed
    when this returns or raises."""
    if base is not None:
        meter.note("copying the current generation")
        ox.Store.read_only(str(base)).backup(str(target))
    db = ox.Store(str(target))
    before = disk.counts(db)[0]
    for index, source in enumerate(loaded, start=1):
        meter.file(index, Path(source.path).name)
        load_one(db, Path(source.path), meter, shown=given.get(source.path))
    db.flush()
    triples, statements = disk.counts(db)
    graphs = tuple(sorted(g.value for g in db.named_graphs() if isinstance(g, ox.NamedNode)))
    if validate:
        meter.note(f"validating {triples} triples against the shapes")
        report = _validate(db, [Path(s.path) for s in sources], engine, triples)
        if not report.conforms:
            raise ValidationFailed(folder, report)
    db.optimize()
    return before, (triples, statements, graphs)


def _graphs(data: Path) -> tuple[str, ...]:
    """The named graphs of a generation (read-only)."""
    db = ox.Store.read_only(str(data))
    return tuple(sorted(g.value for g in db.named_graphs() if isinstance(g, ox.NamedNode)))


def _validate(db: ox.Store, sources: list[Path], engine: str | None, triples: int) -> ValidationReport:
    from kg.core.graph import Graph
    from kg.validation.shacl import validate

    # the triples were just counted: the report takes that count rather than counting again
    return validate(Graph(db, sources), engine=engine or "auto", triples=triples)


def _save_name_table(folder: Path) -> None:
    """Build the new generation's search index now and keep it beside the generation (kg/model/nametable.py),
    so that the first `sslmb find` or fuzzy name after a load does not build it. Best effort: a failure here
    leaves a store that builds the index on first need."""
    from kg.core.errors import KGError
    from kg.model.search import name_table

    try:
        name_table(disk.open_store(folder))
    except (OSError, KGError):
        pass
