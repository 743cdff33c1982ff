"""The mapping file, read and checked (:class:`_Plan`): what each column of the table becomes, and every column
either mapped or ignored."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import yaml

from kg.core.errors import InputError, echo
from kg.ingest.dataset.document import _IDENTIFIER_NAME, _NAME_LENGTH, _TEXT_LENGTH, CONDITIONS
from kg.ingest.dataset.files import _LOADER, _decode, _line, _shown

# The keys of a mapping file, level by level.
_TOP_KEYS = ("format", "row_id", "material", "measurement", "ignored")
_MATERIAL_KEYS = ("name", "formula", "family")
_FAMILY_KEYS = ("column", "values", "otherwise")
_MEASUREMENT_KEYS = (
    "property",
    "unit",
    "value",
    "conditions",
    "space_group",
    "derived_from",
    "identifiers",
    "flags",
)
_DERIVED_KEYS = ("column", "separator")
_FORMATS = {"csv": ",", "tsv": "\t"}


class _Column(NamedTuple):
    """A column the mapping names: its header name, the mapping line naming it, the key that names it."""

    name: str
    line: int
    key: str


class _Family(NamedTuple):
    column: _Column
    values: dict[str, str] | None
    otherwise: str | None
    values_line: int


class _Plan:
    """A mapping file, read and checked: what each column becomes."""

    def __init__(self, path: Path, data: bytes) -> None:
        self.shown = _shown(path)
        text = _decode(data, self.shown)
        try:
            root = yaml.compose(text, Loader=_LOADER)
        except yaml.MarkedYAMLError as error:
            problem = error.problem_mark.line + 1 if error.problem_mark else None
            context = error.context_mark.line + 1 if error.context_mark else None
            # A key without its colon (`Space group #: x`, where " #" starts a comment) is noticed on a later line;
            # the line to fix is the one the key is on.
            if context and "simple key" in (error.context or ""):
                line, also = context, f" ({error.context}; noticed on line {problem})"
            else:
                line = problem or context or 1
                also = f" ({error.context}, line {context})" if context and error.context else ""
            raise InputError(f"{self.shown}:{line}: YAML syntax error: {error.problem}{also}") from None
        except yaml.YAMLError as error:
            position = getattr(error, "position", 0) or 0
            raise InputError(f"{self.shown}:{text.count(chr(10), 0, position) + 1}: YAML error: {error}") from None
        if root is None:
            raise InputError(f"{self.shown}:1: the mapping is empty")
        top = self._items(root, "the mapping", _TOP_KEYS)
        self.columns: list[_Column] = []

        self.format = "csv"
        if "format" in top:
            self.format = self._text(top["format"][1], "format")
            if self.format not in _FORMATS:
                raise self._error(
                    top["format"][1], f"format must be one of {', '.join(_FORMATS)}, got {echo(self.format)}"
                )
        self.row_id = self._column(self._need(top, "row_id", root, "the mapping"), "row_id")

        material_node = self._need(top, "material", root, "the mapping")
        material = self._items(material_node, "material", _MATERIAL_KEYS)
        self.formula = self._column(self._need(material, "formula", material_node, "material"), "material.formula")
        self.name = self._column(material["name"][1], "material.name") if "name" in material else None
        self.family = self._family(material["family"]) if "family" in material else None

        measurement_node = self._need(top, "measurement", root, "the mapping")
        measurement = self._items(measurement_node, "measurement", _MEASUREMENT_KEYS)
        self.property = self._constant_text(
            self._need(measurement, "property", measurement_node, "measurement"), "measurement.property"
        )
        self.unit = self._constant_text(
            self._need(measurement, "unit", measurement_node, "measurement"), "measurement.unit", minimum=0
        )
        self.value = self._column(
            self._need(measurement, "value", measurement_node, "measurement"), "measurement.value"
        )
        self.conditions: dict[str, tuple[str | int | float, int]] = {}
        if "conditions" in measurement:
            for name, (key_node, node) in self._items(
                measurement["conditions"][1], "measurement.conditions", CONDITIONS
            ).items():
                self.conditions[name] = (self._condition(node, name), _line(key_node))
        self.space_group = (
            self._column(measurement["space_group"][1], "measurement.space_group")
            if "space_group" in measurement
            else None
        )
        self.derived_from: tuple[_Column, str | None] | None = None
        if "derived_from" in measurement:
            self.derived_from = self._derived_from(measurement["derived_from"][1])
        self.identifiers: list[tuple[_Column, str]] = []
        if "identifiers" in measurement:
            for name, (key_node, node) in self._items(
                measurement["identifiers"][1], "measurement.identifiers", None
            ).items():
                label = self._text(node, f"measurement.identifiers.{name}")
                if not _IDENTIFIER_NAME.fullmatch(label):
                    raise self._error(
                        node,
                        f"measurement.identifiers.{name}: an identifier's name is lower-case "
                        f"letters, digits and underscores (such as icsd), got {echo(label)}",
                    )
                self.identifiers.append((self._column(key_node, "measurement.identifiers"), label))
        self.flags: list[tuple[_Column, dict[str, str]]] = []
        if "flags" in measurement:
            for name, (key_node, node) in self._items(measurement["flags"][1], "measurement.flags", None).items():
                sentences = {
                    value: self._text(sentence, f"measurement.flags.{name}.{value}", _TEXT_LENGTH)
                    for value, (_, sentence) in self._items(node, f"measurement.flags.{name}", None).items()
                }
                self.flags.append((self._column(key_node, "measurement.flags"), sentences))

        self.ignored: dict[str, int] = {}
        self.ignored_line = _line(top["ignored"][0]) if "ignored" in top else None
        if "ignored" in top:
            for name, (key_node, node) in self._items(top["ignored"][1], "ignored", None).items():
                self._text(node, f"ignored.{name} (the reason it is not read)", _TEXT_LENGTH)
                self.ignored[name] = _line(key_node)

    # reading nodes

    def _error(self, node: yaml.Node | int, message: str) -> InputError:
        line = node if isinstance(node, int) else _line(node)
        return InputError(f"{self.shown}:{line}: {message}")

    def _items(
        self, node: yaml.Node, where: str, known: Sequence[str] | None
    ) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        """The entries of a mapping node by key text, each as (key node, value node)."""
        if not isinstance(node, yaml.MappingNode):
            raise self._error(node, f"{where} must be a mapping (key: value lines)")
        entries: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise self._error(key_node, f"a key of {where} must be text")
            name = key_node.value
            if name in entries:
                raise self._error(
                    key_node, f"{where}: {name!r} is given twice (also on line {_line(entries[name][0])})"
                )
            if known is not None and name not in known:
                raise self._error(key_node, f"unknown key {name!r} in {where}; known keys: {', '.join(known)}")
            entries[name] = (key_node, value)
        return entries

    def _need(
        self, entries: dict[str, tuple[yaml.Node, yaml.Node]], name: str, parent: yaml.Node, where: str
    ) -> yaml.Node:
        if name not in entries:
            raise self._error(parent, f"{where} has no {name!r}")
        return entries[name][1]

    def _text(self, node: yaml.Node, where: str, limit: int = _NAME_LENGTH, minimum: int = 1) -> str:
        """A scalar as written (``yes`` stays 'yes', ``0`` stays '0')."""
        if not isinstance(node, yaml.ScalarNode):
            raise self._error(
                node, f"{where} must be text, not a {'list' if isinstance(node, yaml.SequenceNode) else 'mapping'}"
            )
        if node.tag == "tag:yaml.org,2002:null" and node.value in ("", "~"):
            raise self._error(node, f"{where} has no value")
        text = node.value
        if len(text) < minimum or len(text) > limit:
            raise self._error(node, f"{where} must be {minimum} to {limit} characters long, got {len(text)}")
        return text

    def _column(self, node: yaml.Node, where: str) -> _Column:
        column = _Column(self._text(node, where, limit=10_000), _line(node), where)
        self.columns.append(column)
        return column

    def _constant_text(self, node: yaml.Node, where: str, minimum: int = 1) -> tuple[str, int]:
        return self._text(node, where, minimum=minimum), _line(node)

    def _condition(self, node: yaml.Node, name: str) -> str | int | float:
        where = f"measurement.conditions.{name}"
        if isinstance(node, yaml.ScalarNode) and name != "atmosphere":
            if node.tag == "tag:yaml.org,2002:int":
                return int(yaml.load(node.value, Loader=_LOADER))
            if node.tag == "tag:yaml.org,2002:float":
                number = float(yaml.load(node.value, Loader=_LOADER))
                if math.isfinite(number):
                    return number
        return self._text(node, where, limit=80 if name == "atmosphere" else 60)

    def _family(self, entry: tuple[yaml.Node, yaml.Node]) -> _Family:
        key_node, node = entry
        if isinstance(node, yaml.ScalarNode):
            return _Family(self._column(node, "material.family"), None, None, _line(key_node))
        items = self._items(node, "material.family", _FAMILY_KEYS)
        column = self._column(self._need(items, "column", node, "material.family"), "material.family.column")
        values: dict[str, str] | None = None
        values_line = _line(key_node)
        if "values" in items:
            values_line = _line(items["values"][0])
            values = {
                name.strip(): self._text(label, f"material.family.values.{name}")
                for name, (_, label) in self._items(items["values"][1], "material.family.values", None).items()
            }
        otherwise = self._text(items["otherwise"][1], "material.family.otherwise") if "otherwise" in items else None
        return _Family(column, values, otherwise, values_line)

    def _derived_from(self, node: yaml.Node) -> tuple[_Column, str | None]:
        if isinstance(node, yaml.ScalarNode):
            return self._column(node, "measurement.derived_from"), None
        items = self._items(node, "measurement.derived_from", _DERIVED_KEYS)
        column = self._column(
            self._need(items, "column", node, "measurement.derived_from"), "measurement.derived_from.column"
        )
        separator = (
            self._text(items["separator"][1], "measurement.derived_from.separator", limit=10)
            if "separator" in items
            else None
        )
        return column, separator

    # the table's header against the mapping

    def check_columns(self, header: Sequence[str], table: str) -> None:
        present = set(header)
        listing = ", ".join(repr(name) for name in header)
        if len(listing) > 600:
            listing = listing[:600] + "…"
        for column in self.columns:
            if column.name not in present:
                raise self._error(
                    column.line, f"{column.key}: column {column.name!r} is not in {table} (its columns: {listing})"
                )
        mapped = {column.name for column in self.columns}
        for name, line in self.ignored.items():
            if name not in present:
                raise self._error(line, f"ignored: column {name!r} is not in {table} (its columns: {listing})")
            if name in mapped:
                raise self._error(
                    line,
                    f"ignored: column {name!r} is also mapped (line "
                    f"{min(c.line for c in self.columns if c.name == name)})",
                )
        unread = [name for name in header if name not in mapped and name not in self.ignored]
        if unread:
            names = ", ".join(repr(name) for name in unread)
            raise self._error(
                self.ignored_line or 1,
                f"column{'s' if len(unread) > 1 else ''} {names} of {table} "
                f"{'are' if len(unread) > 1 else 'is'} neither mapped nor listed under 'ignored'; map "
                f"{'each' if len(unread) > 1 else 'it'} or list {'each' if len(unread) > 1 else 'it'} under "
                f"'ignored' with the reason",
            )
