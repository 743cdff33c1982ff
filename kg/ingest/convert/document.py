"""A curation file read and checked against ``sources/schema.json``, each error with its ``file:line``.

A data-set source (one with a ``dataset:`` block) is read through its column mapping
(:func:`kg.ingest.dataset.read_dataset`) into the same document, and its generated facts keep the table row they
came from, so every later message about them names ``the/table.csv:123`` instead of a line of the YAML file.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.core import resources
from kg.core.errors import InputError, ListedInputError
from kg.ingest import yamldoc

MAX_ERRORS = 20  # a file with more problems than this shows the first ones and how many more there are


@dataclass
class Source:
    """A curation document ready to convert: ``data`` (schema-valid), where each fact was written, and the file."""

    file: Path
    data: dict[str, Any]
    doc: yamldoc.Document
    generated: dict[str, str] = field(default_factory=dict)  # local id -> "table.csv:123: column 'X'"

    @property
    def key(self) -> str:
        return str(self.data["source"]["key"])

    def where(self, path: tuple[str | int, ...]) -> str:
        """``file:line`` of the fact at ``path`` (``("measurements", 3, "unit")``), or its table row."""
        if len(path) >= 2 and isinstance(path[1], int):
            section = self.data.get(str(path[0]))
            if isinstance(section, list) and path[1] < len(section) and isinstance(section[path[1]], dict):
                generated = self.generated.get(str(section[path[1]].get("id", "")))
                if generated:
                    return generated
        return self.doc.where(path)


def load(path: str | Path) -> Source:
    """Read and check a curation file; raise :class:`InputError` listing every problem, each with ``file:line``."""
    file = Path(path)
    doc = yamldoc.load(file)
    if not isinstance(doc.data, dict):
        raise InputError(
            f"{doc.file}:1: a curation file is a mapping with a 'source:' header (see sources/schema.json)"
        )
    problems = _check(doc.data, doc.where)
    problems += _twice(doc)
    key = doc.data.get("source", {}).get("key") if isinstance(doc.data.get("source"), dict) else None
    if key == resources.REVIEW_KEY:
        problems.append(
            f"{doc.where(('source', 'key'))}: the key {key!r} is the review's, whose facts are the Turtle files of "
            "ontology/instances/; give this source a key of its own (author and year, e.g. smith2024)"
        )
    if problems:
        raise ListedInputError(_summary(sorted(problems, key=_line)))
    source = Source(file, doc.data, doc)
    if "dataset" in doc.data:
        from kg.ingest.dataset import read_dataset

        curation = read_dataset(file, doc.data)
        data = curation.document
        # hand-written facts keep their YAML lines; generated ones point at their row of the table
        source = Source(file, data, doc)
        for section in ("materials", "measurements"):
            for item in data.get(section, []):
                origin = curation.origin(str(item.get("id", "")))
                if origin is not None:
                    source.generated[str(item["id"])] = str(origin)
        problems = _check(data, lambda p: source.where(p))
        if problems:
            raise ListedInputError(_summary(problems))
    return source


def _twice(doc: yamldoc.Document) -> list[str]:
    """An ``id`` used by two facts of the file (in any sections), with both lines: names refer to ids, so two
    facts with one id would silently become one entity."""
    seen: dict[str, tuple[str | int, ...]] = {}
    problems = []
    data = doc.data
    for section, items in data.items():
        if not isinstance(items, list):
            continue
        for i, item in enumerate(items):
            entries: list[tuple[Any, tuple[str | int, ...]]] = [(item, (section, i))]
            if isinstance(item, dict) and isinstance(item.get("outcomes"), list):
                entries += [(o, (section, i, "outcomes", j)) for j, o in enumerate(item["outcomes"])]
            for entry, path in entries:
                if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
                    continue
                ident = entry["id"]
                if ident in seen:
                    first = seen[ident]
                    problems.append(
                        f"{doc.where((*path, 'id'))}: the id {ident!r} is given twice "
                        f"(first at {doc.where((*first, 'id'))}); each fact needs its own id"
                    )
                else:
                    seen[ident] = path
    return problems


def _summary(problems: list[str]) -> str:
    shown = problems[:MAX_ERRORS]
    more = len(problems) - len(shown)
    head = f"{len(problems)} problem(s) in the curation file, nothing was written:"
    return "\n".join([head, *shown, *([f"... and {more} more"] if more > 0 else [])])


def schema() -> dict[str, Any]:
    return json.loads(resources.schema_file().read_text(encoding="utf-8"))


def _check(data: dict[str, Any], where: Any) -> list[str]:
    """Every way ``data`` breaks the schema, as ``file:line: where.in.the.file: what`` lines, in file order."""
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(schema())
    found: list[tuple[int, str]] = []
    for error in validator.iter_errors(data):
        for leaf in _leaves(error):
            path = tuple(leaf.absolute_path)
            message = leaf.message
            if leaf.validator == "additionalProperties":
                unexpected = re.findall(r"'([^']+)'", message.split("(")[-1])
                for key in unexpected or [""]:
                    at = (*path, key) if key else path
                    known = ", ".join(sorted(leaf.schema.get("properties", {})))
                    found.append(
                        (_line(where(at)), f"{where(at)}: {_dotted(at)}: unknown key {key!r} (known: {known})")
                    )
                continue
            found.append((_line(where(path)), f"{where(path)}: {_dotted(path) or 'the file'}: {_plain(leaf)}"))
    found.sort(key=lambda item: item[0])
    out: list[str] = []
    for _, text in found:
        if text not in out:
            out.append(text)
    return out


def _leaves(error: Any) -> list[Any]:
    """The most specific errors: a oneOf/anyOf failure is explained by its best-matching branch."""
    if error.context:
        from jsonschema.exceptions import best_match

        best = best_match(error.context)
        return _leaves(best) if best is not None else [error]
    return [error]


def _plain(error: Any) -> str:
    if error.validator == "required":
        return error.message.replace(" is a required property", " is missing")
    if error.validator in ("type", "oneOf", "anyOf"):
        return f"{error.message} (see the {error.validator!s} rule for this field in sources/schema.json)"
    return error.message


def _dotted(path: tuple[str | int, ...]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else p) for i, p in enumerate(path))


def _line(where: str) -> int:
    m = re.search(r":(\d+)", where)
    return int(m.group(1)) if m else 0
