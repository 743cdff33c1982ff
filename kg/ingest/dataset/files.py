"""The files a data-set source names: paths as messages show them, ``file:line`` of a key in a YAML file, the
bytes read and decoded, and the table read into its header and rows."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

import yaml

from kg.core.errors import InputError

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _shown(path: Path) -> str:
    """``path`` relative to the current directory when it lies under it, else as given."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError):
        return str(path)


def _at(source_file: Path, keys: Sequence[str]) -> str:
    """``file:line`` of ``keys`` in the YAML file ``source_file`` (``file`` alone when it cannot be found)."""
    shown = _shown(source_file)
    try:
        node = yaml.compose(source_file.read_text(encoding="utf-8-sig"), Loader=_LOADER)
    except (OSError, UnicodeError, yaml.YAMLError):
        return shown
    line = None
    for key in keys:
        if not isinstance(node, yaml.MappingNode):
            break
        for key_node, value in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                line, node = key_node.start_mark.line + 1, value
                break
        else:
            break
    return f"{shown}:{line}" if line else shown


def _at_id(source_file: Path, ident: str) -> str:
    """``file:line`` of the entity whose ``id`` is ``ident`` in the YAML file ``source_file``."""
    shown = _shown(source_file)
    try:
        root = yaml.compose(source_file.read_text(encoding="utf-8-sig"), Loader=_LOADER)
    except (OSError, UnicodeError, yaml.YAMLError):
        return shown
    for _, section in root.value if isinstance(root, yaml.MappingNode) else []:
        for entity in section.value if isinstance(section, yaml.SequenceNode) else []:
            for key, value in entity.value if isinstance(entity, yaml.MappingNode) else []:
                if key.value == "id" and isinstance(value, yaml.ScalarNode) and value.value == ident:
                    return f"{shown}:{_line(value)}"
    return shown


def _read_bytes(path: Path, source_file: Path, key: str) -> bytes:
    """The bytes of the file that ``dataset.<key>`` of ``source_file`` names."""
    try:
        return path.read_bytes()
    except OSError as error:
        problem = "is a directory, not a file" if path.is_dir() else f"cannot be read: {error.strerror or error}"
        raise InputError(f"{_at(source_file, ('dataset', key))}: dataset.{key}: {_shown(path)} {problem}") from None


def _decode(data: bytes, shown: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise InputError(f"{shown}:{line}: not UTF-8 text ({error.reason} at byte {error.start})") from None


def _read_table(path: Path, data: bytes, delimiter: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the rows of a delimited table, each row with the line it starts on."""
    shown = _shown(path)
    reader = csv.reader(io.StringIO(_decode(data, shown), newline=""), delimiter=delimiter, strict=True)
    header: list[str] | None = None
    header_line = 0
    rows: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for record in reader:
            line, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in record):
                continue
            if header is None:
                header, header_line = record, line
                continue
            if len(record) != len(header):
                raise InputError(
                    f"{shown}:{line}: {len(record)} fields, but the header (line {header_line}) has {len(header)}"
                )
            rows.append((line, record))
    except csv.Error as error:
        raise InputError(
            f"{shown}:{reader.line_num}: not a valid {'CSV' if delimiter == ',' else 'TSV'} row: {error}"
        ) from None
    if header is None:
        raise InputError(f"{shown}:1: the table is empty (no header)")
    seen: dict[str, int] = {}
    for index, name in enumerate(header):
        if name in seen:
            raise InputError(
                f"{shown}:{header_line}: column {name!r} appears twice in the header "
                f"(fields {seen[name] + 1} and {index + 1})"
            )
        seen[name] = index
    return header, rows


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1
