"""A curation file read with the line of every value, so that each error says ``file:line``.

PyYAML's composer gives every node its position; :func:`load` builds the plain Python document from the node tree
and keeps, for every path into it (``("strategies", 3, "outcomes", 0, "unit")``), the line it starts on. Only the
safe subset of YAML is accepted (no tags, no anchors that build objects), and a key given twice is an error rather
than a silent overwrite.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.core.errors import InputError

PathKey = tuple[str | int, ...]


@dataclass
class Document:
    """The parsed file: ``data`` as plain dicts, lists and scalars, ``lines`` from each path to its 1-based line."""

    file: str
    data: Any
    lines: dict[PathKey, int] = field(default_factory=dict)

    def line(self, path: PathKey) -> int:
        """The line of ``path``, or of the nearest enclosing value that has one."""
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, 1)

    def where(self, path: PathKey) -> str:
        """``file:line`` of ``path``, for an error message."""
        return f"{self.file}:{self.line(path)}"


def shown(path: str | Path) -> str:
    """A path as messages show it: relative to the current directory when it lies under it."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(p)


def load(path: str | Path, text: str | None = None) -> Document:
    """Parse a YAML file (or ``text`` as if read from ``path``) into a :class:`Document`.

    >>> doc = load("x.yaml", "source:\\n  key: demo\\nmaterials:\\n  - name: LGPS\\n")
    >>> doc.data["materials"][0]["name"], doc.where(("materials", 0, "name"))
    ('LGPS', 'x.yaml:4')
    """
    import yaml

    name = shown(path)
    if text is None:
        from kg.core.files import read_text

        text = read_text(path)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or str(exc)
        if exc.context_mark is not None and exc.context and ("flow" in exc.context or "quoted" in exc.context):
            # an unclosed bracket or quote: the parser notices lines later; the place to fix is where it opened
            what = "quote" if "quoted" in exc.context else "bracket"
            problem = f"this {what} is never closed ({problem} at line {exc.problem_mark.line + 1})"
            mark = exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        column = mark.column + 1 if mark is not None else 1
        quote = _open_quote(text, line)
        if quote is not None and quote[0] < line:
            # a double quote left open runs on to the next quote in the file, where YAML then fails
            problem = f"this quote is never closed on its line (the parser stopped at line {line}: {problem})"
            line, column = quote
        raise InputError(f"{name}:{line}:{column}: not valid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise InputError(f"{name}: not valid YAML: {exc}") from None
    doc = Document(name, None)
    if root is None:
        raise InputError(f"{name}:1: the file is empty")
    doc.data = _build(root, (), doc)
    return doc


def _open_quote(text: str, before: int) -> tuple[int, int] | None:
    """The first line before ``before`` with an odd number of double quotes (comments left out), and its column."""
    for number, line in enumerate(text.splitlines()[: before - 1], 1):
        body = line.split(" #", 1)[0] if not line.lstrip().startswith("#") else ""
        quotes = [i for i, ch in enumerate(body) if ch == '"' and (i == 0 or body[i - 1] != "\\")]
        if len(quotes) % 2:
            return number, quotes[-1] + 1
    return None


def _build(node: Any, path: PathKey, doc: Document) -> Any:
    import yaml

    doc.lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise InputError(f"{doc.file}:{key_node.start_mark.line + 1}: a key must be plain text")
            key = str(_scalar(key_node, doc))
            if key in out:
                raise InputError(f"{doc.file}:{key_node.start_mark.line + 1}: the key {key!r} is given twice")
            where = (*path, key)
            out[key] = _build(value_node, where, doc)
            doc.lines[where] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*path, i), doc) for i, item in enumerate(node.value)]
    return _scalar(node, doc)


def _scalar(node: Any, doc: Document) -> Any:
    import datetime

    import yaml

    try:
        value = yaml.SafeLoader("").construct_object(node, deep=True)  # the usual YAML 1.1 scalar types
    except yaml.YAMLError as exc:
        raise InputError(f"{doc.file}:{node.start_mark.line + 1}: {exc}") from None
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()  # a date is text in the curation format (the schema's "format": "date")
    return value
