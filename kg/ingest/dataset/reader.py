"""A data-set source read through its mapping into a curation document (:func:`read_dataset`)."""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from kg.core.errors import InputError, echo
from kg.ingest.dataset.document import _KEY, Curation
from kg.ingest.dataset.facts import _Builder
from kg.ingest.dataset.files import _at, _at_id, _read_bytes, _read_table, _shown
from kg.ingest.dataset.mapping import _FORMATS, _Plan


def read_dataset(source_file: Path, document: dict[str, Any]) -> Curation:
    """The data-set source ``source_file`` (already parsed as ``document``) as a curation document.

    Reads the table and the mapping that ``document['dataset']`` names (relative to ``source_file``), checks the
    table's digest, and turns every row into a measurement of a material; see the module's documentation.
    Raises :class:`~kg.core.errors.InputError` with a ``file:line:`` prefix on any problem.
    """
    source_file = Path(source_file)
    shown_source = _shown(source_file)
    if not isinstance(document, Mapping):
        raise InputError(f"{shown_source}: a source file is a mapping with a 'source' header")
    header = document.get("source")
    if not isinstance(header, Mapping):
        header = {}
    key = header.get("key")
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise InputError(
            f"{_at(source_file, ('source', 'key'))}: source.key must be lower-case letters, digits and underscores "
            f"(2 to 40, starting with a letter), got {echo(key)}"
        )
    if header.get("kind") != "dataset":
        raise InputError(
            f"{_at(source_file, ('source', 'kind'))}: a source with a 'dataset' block has kind 'dataset', "
            f"got {echo(header.get('kind'))}"
        )
    block = document.get("dataset")
    if not isinstance(block, Mapping):
        raise InputError(f"{_at(source_file, ('dataset',))}: a data-set source needs a 'dataset' block (file, mapping)")
    for name in ("file", "mapping"):
        if not isinstance(block.get(name), str) or not block[name].strip():
            raise InputError(f"{_at(source_file, ('dataset', name))}: dataset.{name} must be a path")

    table_path = source_file.parent / block["file"]
    mapping_path = source_file.parent / block["mapping"]
    data = _read_bytes(table_path, source_file, "file")
    expected = block.get("sha256")
    if expected is not None:
        actual = hashlib.sha256(data).hexdigest()
        if actual != str(expected).lower():
            raise InputError(
                f"{_at(source_file, ('dataset', 'sha256'))}: dataset.sha256 is {expected} but "
                f"{_shown(table_path)} has SHA-256 {actual}: the table is not the one curated; check what changed "
                f"before updating the digest"
            )
    mapping_text = _read_bytes(mapping_path, source_file, "mapping")
    plan = _Plan(mapping_path, mapping_text)
    columns, rows = _read_table(table_path, data, _FORMATS[plan.format])
    plan.check_columns(columns, _shown(table_path))
    generated = _Builder(key, plan, _shown(table_path), columns).build(rows)

    out = {name: copy.deepcopy(value) for name, value in document.items() if name != "dataset"}
    taken = _hand_written_ids(out)
    clash = sorted(taken & {entity["id"] for entity in generated.materials + generated.measurements})
    if clash:
        raise InputError(
            f"{_at_id(source_file, clash[0])}: the id {clash[0]!r} is both written in this file and generated from "
            f"{_shown(table_path)}; rename the hand-written one"
        )
    out["materials"] = list(out.get("materials") or []) + generated.materials
    out["measurements"] = list(out.get("measurements") or []) + generated.measurements
    return Curation(out, MappingProxyType(generated.origins))


def _hand_written_ids(document: Mapping[str, Any]) -> set[str]:
    ids = set()
    for section in ("materials", "measurements", "failure_modes", "mechanisms", "strategies", "claims"):
        for entity in document.get(section) or []:
            if isinstance(entity, Mapping) and isinstance(entity.get("id"), str):
                ids.add(entity["id"])
    return ids
