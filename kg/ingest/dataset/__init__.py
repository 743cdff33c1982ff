"""A data-set source read through its column mapping, as the same document a hand-written curation file is.

A data-set source (``kind: dataset``) is a YAML file with the usual ``source:`` header and a block::

    dataset:
      file: data/obelix/all.csv        # the table, relative to the source file
      mapping: mappings/obelix.yaml    # how its columns become facts, relative to the source file
      sha256: 54f6...                  # optional: the table must have exactly this SHA-256

:func:`read_dataset` returns a :class:`Curation`: ``document`` is a dict that validates against
``sources/schema.json`` (the source header, ``materials`` and ``measurements``; the ``dataset`` block itself is
left out, so the converter downstream cannot tell it from a hand-written file), and ``origins`` says for every
generated fact where it came from, as an :class:`Origin` ``(file, line, column)``, so that a later error reads
``sources/data/obelix/all.csv:123: column 'Ionic conductivity (S cm-1)': ...``. Paths are shown relative to the
current directory when they lie under it. Facts written by hand in the source file itself (``references``,
``claims``, even ``materials``) are kept, before the generated ones. The reader decides nothing about the graph:
its materials carry neither ``same_as`` nor ``new``, since whether one is already in the graph is entity
resolution, done later. The same files always give the same document: materials and measurements sorted by id,
ids derived from the table's content only.

A generated material is ``{id, name, formula, family?, note?}``; a generated measurement is ``{id, of, property,
value | min/max + qualifier + printed, unit, conditions?, space_group?, identifiers?, refs?, where: {row: <the
row's id>}, note?}``.

The mapping file
----------------
One row of the table is one measurement of one material. Column names are the table's header, exactly (a YAML key
holding `` #`` must be quoted: unquoted, the rest of the line is a comment); cells are read with the spaces around
them trimmed. Keys (any other key is an error that lists the known ones):

``format``
    ``csv`` (comma-separated) or ``tsv`` (tab-separated). The file is UTF-8, with or without a byte-order mark;
    it is read with the standard :mod:`csv` module. The first non-blank line is the header; rows whose cells are
    all blank are skipped; every other row must have as many fields as the header.
``row_id``
    The column holding the data set's own entry id, unique and non-empty in every row. Each measurement's ``id`` is
    ``<source key>_<row id>`` made safe (letters, digits and ``_``): ``obelix_jqc``. Row ids that only differ in
    characters replaced by ``_``, and over-long ones, get a short hash of the row id appended.
``material``
    ``formula`` (column, required): the composition. It must parse as a chemical formula (element symbols,
    amounts with decimals, nested ``()``/``[]``, ``·`` or ``*`` between adducts with an optional leading count).
    Rows whose formulas have the same reduced composition (every amount divided by their sum, compared exactly)
    share one material; it keeps the name, formula and (see ``family``) family of the first such row, and its
    ``note`` lists the other names and formulas the table writes the same composition with. Its ``id`` is
    ``<source key>_<name made safe>``, with a hash of the composition appended if two materials would get the same.
    ``name`` (column, optional): the material's name; an empty cell, or no ``name`` key, means the formula.
    ``family``: either a column whose cells are family labels as they are, or a mapping ``column``, ``values``
    (the data set's family names -> the graph's family labels; compared exactly after trimming spaces) and
    ``otherwise`` (the label for an empty cell or a name not under ``values``; without it such a name is an error
    and an empty cell gives no family). A material takes the family of its first row whose cell names one; only
    when none does, the ``otherwise`` label; rows naming another family are listed in its note.
``measurement``
    ``property`` and ``unit`` (required constants: the graph's metric label, the unit as people write it);
    ``value`` (column, required): a decimal number such as ``1.58e-06`` in every row, or a bound: ``<1E-10``
    gives ``max: 1e-10, qualifier: less than, printed: '<1E-10'`` (``<=``/``≤`` -> up to; ``>``, ``>=``/``≥`` ->
    ``min`` with more than/at least; ``~``/``≈`` -> ``value`` with about);
    ``conditions``: constants (text or a number) under the schema's condition names (``temperature``,
    ``current_density``, ...); ``temperature: room temperature`` stays that text;
    ``space_group``: column -> the measurement's ``space_group`` (the phase measured), trimmed; empty -> none;
    ``derived_from``: a column, or ``column`` and ``separator``: the DOIs of the publications that reported the
    value -> the measurement's ``refs`` (``doi:`` and ``https://doi.org/`` prefixes are removed; each must then
    look like ``10.NNNN/...``);
    ``identifiers``: column -> a name (lower-case, ``icsd``) -> ``identifiers: {icsd: '155950'}``; a whole number
    written with a trailing ``.0`` (``155950.0``, a spreadsheet artefact) is read as the whole number;
    ``flags``: column -> {cell value -> a sentence}: a row whose cell is that value gets the sentence as its
    measurement's ``note`` (several sentences are joined by ``; ``).
``ignored``
    Column -> the reason it is not read (required text). Every column of the table is either mapped above or
    ignored here, never both, and every column named anywhere in the mapping is in the table: the next data set
    needs a new mapping, and a column added to a table is never dropped unnoticed.

Errors are :class:`~kg.core.errors.InputError` with a ``file:line: `` prefix: the table's line for a bad cell, the
mapping's line for a bad key (an unknown key lists the known ones), the source file's line for a bad ``dataset``
block (a digest that does not match gives both digests).
"""

from __future__ import annotations

import copy
import csv
import hashlib
import io
import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

import yaml

from kg.core.errors import InputError, echo

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# sources/schema.json, $defs/conditions: the names a measurement's conditions may have (tests/test_dataset.py
# checks that the two lists agree).
CONDITIONS = (
    "temperature",
    "current_density",
    "areal_capacity",
    "duration",
    "cycles",
    "c_rate",
    "pressure",
    "voltage",
    "atmosphere",
)
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

# Lengths and patterns of sources/schema.json ($defs: local_id, name, text, refs, key).
_ID_LENGTH = 60
_NAME_LENGTH = 200
_TEXT_LENGTH = 2000
_KEY = re.compile(r"[a-z][a-z0-9_]{1,39}")
_IDENTIFIER_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")
_DOI = re.compile(r"10\.\d{4,9}/\S+")
_DOI_PREFIX = re.compile(r"(?i)^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_INTEGER = re.compile(r"[+-]?\d+")
# A value cell may be a bound or an approximate value: its sign -> the measurement's field and qualifier.
# Two-character signs come first, so that "<=" is not read as "<" followed by "=1e-3".
_BOUNDS = {
    "<=": ("max", "up to"),
    ">=": ("min", "at least"),
    "≤": ("max", "up to"),
    "≥": ("min", "at least"),
    "<": ("max", "less than"),
    ">": ("min", "more than"),
    "~": ("value", "about"),
    "≈": ("value", "about"),
}
_WHOLE_WITH_ZERO = re.compile(r"(\d+)\.0+")

_ELEMENTS = frozenset(
    """H He Li Be B C N O F Ne Na Mg Al Si P S Cl Ar K Ca Sc Ti V Cr Mn Fe Co Ni Cu Zn Ga Ge As Se Br Kr Rb Sr Y Zr
    Nb Mo Tc Ru Rh Pd Ag Cd In Sn Sb Te I Xe Cs Ba La Ce Pr Nd Pm Sm Eu Gd Tb Dy Ho Er Tm Yb Lu Hf Ta W Re Os Ir Pt
    Au Hg Tl Pb Bi Po At Rn Fr Ra Ac Th Pa U Np Pu Am Cm Bk Cf Es Fm Md No Lr Rf Db Sg Bh Hs Mt Ds Rg Cn Nh Fl Mc Lv
    Ts Og""".split()
)
_AMOUNT = re.compile(r"\d+(?:\.\d*)?|\.\d+")
_SYMBOL = re.compile(r"[A-Z][a-z]?")
_OPEN = {"(": ")", "[": "]", "{": "}"}
_ADDUCT = re.compile(r"[·•*]")


class Origin(NamedTuple):
    """Where a generated fact came from: a file as messages show it, a 1-based line, and the table's column
    (``None`` for a constant of the mapping file)."""

    file: str
    line: int
    column: str | None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}"
        return f"{where}: column {self.column!r}" if self.column is not None else where


@dataclass(frozen=True)
class Curation:
    """A source as a curation document, and where each generated fact of it came from.

    ``origins`` maps ``(local id, field)`` to an :class:`Origin`: ``field`` is a key of the entity (``value``,
    ``of``, ``refs``, ``family``...), a dotted key inside one (``conditions.temperature``,
    ``identifiers.icsd``), or ``None`` for the row the entity was made from. Facts written by hand in the source
    file itself have no origin here.
    """

    document: dict[str, Any]
    origins: Mapping[tuple[str, str | None], Origin]

    def origin(self, local_id: str, field: str | None = None) -> Origin | None:
        """The origin of ``field`` of the entity ``local_id``, else of the nearest enclosing key, else of its row."""
        while True:
            found = self.origins.get((local_id, field))
            if found is not None or field is None:
                return found
            field = field.rpartition(".")[0] or None


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


# --- files -----------------------------------------------------------------------------------------------------


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


# --- the mapping -----------------------------------------------------------------------------------------------


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


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


# --- cells -----------------------------------------------------------------------------------------------------


def composition(formula: str) -> dict[str, Fraction]:
    """The amount of each element in a chemical formula (``ValueError`` when it is not one).

    >>> composition("Li1.4Al0.4Ti1.6(PO4)3") == {"Li": Fraction(7, 5), "Al": Fraction(2, 5),
    ...     "Ti": Fraction(8, 5), "P": 3, "O": 12}
    True
    >>> composition("Li3PS4·2LiI")["I"]
    Fraction(2, 1)
    """
    text = "".join(formula.split())
    total: dict[str, Fraction] = {}
    for part in _ADDUCT.split(text):
        count = _AMOUNT.match(part)
        factor = Fraction(count.group()) if count else Fraction(1)
        for element, amount in _group(part, count.end() if count else 0).items():
            total[element] = total.get(element, Fraction(0)) + factor * amount
    total = {element: amount for element, amount in total.items() if amount}
    if not total:
        raise ValueError("no element in it")
    return total


def _group(text: str, position: int) -> dict[str, Fraction]:
    """The elements of ``text`` from ``position`` on: symbols and (nested) groups, each with an optional amount."""
    stack: list[tuple[str, dict[str, Fraction]]] = [("", {})]
    i = position
    if i >= len(text):
        raise ValueError("nothing after a count")
    while i < len(text):
        char = text[i]
        if char in _OPEN:
            stack.append((_OPEN[char], {}))
            i += 1
            continue
        if char in ")]}":
            closing, inner = stack.pop() if len(stack) > 1 else ("", {})
            if char != closing:
                raise ValueError(f"unbalanced {char!r}")
            if not inner:
                raise ValueError("an empty group")
            i += 1
            factor, i = _amount(text, i)
            outer = stack[-1][1]
            for element, amount in inner.items():
                outer[element] = outer.get(element, Fraction(0)) + amount * factor
            continue
        symbol = _SYMBOL.match(text, i)
        if symbol is None:
            raise ValueError(f"unexpected {char!r}")
        element = symbol.group()
        if element not in _ELEMENTS:
            raise ValueError(f"no element {element!r}")
        amount, i = _amount(text, symbol.end())
        counts = stack[-1][1]
        counts[element] = counts.get(element, Fraction(0)) + amount
    if len(stack) > 1:
        raise ValueError(f"{stack[-1][0]!r} missing")
    return stack[0][1]


def _amount(text: str, i: int) -> tuple[Fraction, int]:
    match = _AMOUNT.match(text, i)
    return (Fraction(match.group()), match.end()) if match else (Fraction(1), i)


def _reduced(amounts: dict[str, Fraction]) -> tuple[tuple[str, Fraction], ...]:
    """A composition as fractions of its atoms, sorted: equal for formulas that differ only by a factor."""
    total = sum(amounts.values())
    return tuple(sorted((element, amount / total) for element, amount in amounts.items()))


def _safe_id(prefix: str, raw: str) -> str:
    """``prefix_raw`` as a local id: letters, digits and ``_`` (accents dropped, other characters replaced by
    ``_``); a short hash of ``raw`` is appended when nothing is left of it or the id would pass 60 characters.

    >>> _safe_id("obelix", "jqc")
    'obelix_jqc'
    >>> _safe_id("obelix", "Li1.4Al0.4Ti1.6(PO4)3")
    'obelix_Li1_4Al0_4Ti1_6_PO4_3'
    >>> _safe_id("obelix", "β" + "x" * 80)
    'obelix_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx_...'
    """
    ascii_text = unicodedata.normalize("NFKD", raw).encode("ascii", "ignore").decode("ascii")
    body = re.sub(r"[^A-Za-z0-9]+", "_", ascii_text).strip("_")
    ident = f"{prefix}_{body}"
    return _with_hash(ident, raw) if not body or len(ident) > _ID_LENGTH else ident


def _with_hash(ident: str, raw: str) -> str:
    digest = hashlib.sha256(raw.encode("utf-8")).hexdigest()[:8]
    return f"{ident[: _ID_LENGTH - 9]}_{digest}"


def _value(text: str) -> dict[str, Any]:
    """A value cell as measurement fields: a number, or a bound (``<1E-10``) with its qualifier and as printed.

    >>> _value("1.58489e-06")
    {'value': 1.58489e-06}
    >>> _value("<1E-10")
    {'max': 1e-10, 'qualifier': 'less than', 'printed': '<1E-10'}
    """
    for sign, (field, qualifier) in _BOUNDS.items():
        if text.startswith(sign):
            return {field: _number(text[len(sign) :].strip()), "qualifier": qualifier, "printed": text}
    return {"value": _number(text)}


def _number(text: str) -> int | float:
    if not _NUMBER.fullmatch(text):
        raise ValueError
    if _INTEGER.fullmatch(text):
        return int(text)
    number = float(text)
    if not math.isfinite(number):
        raise ValueError
    return number


# --- rows into facts -------------------------------------------------------------------------------------------


@dataclass
class _Row:
    line: int
    row_id: str
    ident: str
    name: str
    formula: str
    family: str | None
    family_named: bool  # the cell names a family (not the `otherwise` of an empty or unknown cell)
    measurement: dict[str, Any]
    origins: dict[str | None, Origin]


@dataclass
class _Generated:
    materials: list[dict[str, Any]]
    measurements: list[dict[str, Any]]
    origins: dict[tuple[str, str | None], Origin]


class _Builder:
    def __init__(self, key: str, plan: _Plan, table: str, header: Sequence[str]) -> None:
        self.key, self.plan, self.table = key, plan, table
        self.index = {name: position for position, name in enumerate(header)}
        self.mapping_origin = {
            "property": Origin(plan.shown, plan.property[1], None),
            "unit": Origin(plan.shown, plan.unit[1], None),
            **{f"conditions.{name}": Origin(plan.shown, line, None) for name, (_, line) in plan.conditions.items()},
        }

    def _error(self, line: int, column: str, message: str) -> InputError:
        return InputError(f"{self.table}:{line}: column {column!r}: {message}")

    def build(self, rows: list[tuple[int, list[str]]]) -> _Generated:
        plan = self.plan
        parsed: list[_Row] = []
        groups: dict[tuple[tuple[str, Fraction], ...], list[_Row]] = {}
        first_line: dict[str, int] = {}
        for line, cells in rows:
            row = self._row(line, cells)
            if row.row_id in first_line:
                raise self._error(
                    line,
                    plan.row_id.name,
                    f"the row id {echo(row.row_id)} is also the id of line {first_line[row.row_id]}",
                )
            first_line[row.row_id] = line
            parsed.append(row)
            try:
                reduced = _reduced(composition(row.formula))
            except ValueError as error:
                raise self._error(
                    line, plan.formula.name, f"{echo(row.formula)} is not a chemical formula ({error})"
                ) from None
            groups.setdefault(reduced, []).append(row)

        # Measurement ids: a hash is appended where the safe form of two row ids is the same, or was cut.
        by_ident: dict[str, list[_Row]] = {}
        for row in parsed:
            by_ident.setdefault(row.ident, []).append(row)
        for ident, same in by_ident.items():
            if len(same) > 1:
                for row in same:
                    row.ident = _with_hash(ident, row.row_id)
        measurement_ids = {row.ident for row in parsed}

        # Material ids: from the first row's name; a hash of the composition where two would be the same.
        candidates: dict[str, list[tuple[tuple[tuple[str, Fraction], ...], list[_Row]]]] = {}
        for reduced, members in groups.items():
            ident = _safe_id(self.key, members[0].name)
            candidates.setdefault(ident, []).append((reduced, members))
        materials: list[dict[str, Any]] = []
        origins: dict[tuple[str, str | None], Origin] = {}
        for ident, entries in candidates.items():
            for reduced, members in entries:
                material_id = ident
                if len(entries) > 1 or ident in measurement_ids:
                    material_id = _with_hash(ident, ",".join(f"{e}:{a}" for e, a in reduced))
                materials.append(self._material(material_id, members, origins))
                for row in members:
                    row.measurement["of"] = material_id
                    row.origins["of"] = Origin(self.table, row.line, plan.formula.name)

        measurements = []
        for row in parsed:
            measurements.append(_ordered({"id": row.ident, **row.measurement}))
            for field, origin in row.origins.items():
                origins[(row.ident, field)] = origin
            origins[(row.ident, "id")] = row.origins[None]
            for field, origin in self.mapping_origin.items():
                origins[(row.ident, field)] = origin
        materials.sort(key=lambda entity: entity["id"])
        measurements.sort(key=lambda entity: entity["id"])
        return _Generated(materials, measurements, origins)

    def _cell(self, cells: list[str], column: _Column) -> str:
        return cells[self.index[column.name]].strip()

    def _row(self, line: int, cells: list[str]) -> _Row:
        plan = self.plan
        row_origin = Origin(self.table, line, plan.row_id.name)
        origins: dict[str | None, Origin] = {None: row_origin}

        row_id = self._cell(cells, plan.row_id)
        if not row_id:
            raise self._error(line, plan.row_id.name, "empty row id")
        ident = _safe_id(self.key, row_id)

        formula = self._cell(cells, plan.formula)
        if not formula:
            raise self._error(line, plan.formula.name, "empty formula")
        self._check_length(line, plan.formula.name, formula, "formula")
        origins["formula"] = Origin(self.table, line, plan.formula.name)
        name = " ".join(self._cell(cells, plan.name).split()) if plan.name else ""
        if plan.name and name:
            self._check_length(line, plan.name.name, name, "name")
            origins["name"] = Origin(self.table, line, plan.name.name)
        else:
            name = formula
            origins["name"] = origins["formula"]

        family, named = None, False
        if plan.family is not None:
            family, named = self._family(line, self._cell(cells, plan.family.column))
            origins["family"] = Origin(self.table, line, plan.family.column.name)

        measurement: dict[str, Any] = {"property": plan.property[0]}
        text = self._cell(cells, plan.value)
        try:
            value = _value(text)
        except ValueError:
            what = "empty cell" if not text else f"{echo(text)} is not a number"
            raise self._error(
                line, plan.value.name, f"{what}; a value is written like 0.0012, 1.2e-3 or <1e-10 (a bound)"
            ) from None
        measurement.update(value)
        for field in value:
            origins[field] = Origin(self.table, line, plan.value.name)
        measurement["unit"] = plan.unit[0]
        if plan.conditions:
            measurement["conditions"] = {name: value for name, (value, _) in plan.conditions.items()}
        if plan.space_group is not None:
            space_group = self._cell(cells, plan.space_group)
            if space_group:
                self._check_length(line, plan.space_group.name, space_group, "space group")
                measurement["space_group"] = space_group
                origins["space_group"] = Origin(self.table, line, plan.space_group.name)
        identifiers = {}
        for column, label in plan.identifiers:
            code = self._cell(cells, column)
            if code:
                whole = _WHOLE_WITH_ZERO.fullmatch(code)
                code = whole.group(1) if whole else code
                self._check_length(line, column.name, code, "identifier")
                identifiers[label] = code
                origins[f"identifiers.{label}"] = Origin(self.table, line, column.name)
        if identifiers:
            measurement["identifiers"] = dict(sorted(identifiers.items()))
        if plan.derived_from is not None:
            refs = self._dois(line, *plan.derived_from, cells)
            if refs:
                measurement["refs"] = refs
                origins["refs"] = Origin(self.table, line, plan.derived_from[0].name)
        measurement["where"] = {"row": row_id}
        origins["where"] = row_origin
        notes = []
        for column, sentences in plan.flags:
            sentence = sentences.get(self._cell(cells, column))
            if sentence is not None:
                notes.append(sentence)
                origins.setdefault("note", Origin(self.table, line, column.name))
        if notes:
            note = "; ".join(notes)
            if len(note) > _TEXT_LENGTH:
                raise self._error(
                    line,
                    plan.flags[0][0].name,
                    f"the flags' sentences make a note of {len(note)} characters, more than {_TEXT_LENGTH}",
                )
            measurement["note"] = note
        return _Row(line, row_id, ident, name, formula, family, named, measurement, origins)

    def _check_length(self, line: int, column: str, text: str, what: str) -> None:
        if len(text) > _NAME_LENGTH:
            raise self._error(
                line, column, f"a {what} of {len(text)} characters (at most {_NAME_LENGTH}): {echo(text)}"
            )

    def _family(self, line: int, cell: str) -> tuple[str | None, bool]:
        family = self.plan.family
        assert family is not None
        if family.values is None:
            if cell:
                self._check_length(line, family.column.name, cell, "family")
                return cell, True
        elif cell in family.values:
            return family.values[cell], True
        if family.otherwise is not None:
            return family.otherwise, False
        if not cell:
            return None, False
        raise self._error(
            line,
            family.column.name,
            f"unknown family {echo(cell)}: add it under material.family.values ({self.plan.shown}:"
            f"{family.values_line}) or give material.family.otherwise",
        )

    def _dois(self, line: int, column: _Column, separator: str | None, cells: list[str]) -> list[str]:
        text = self._cell(cells, column)
        parts = text.split(separator) if separator else [text]
        dois: list[str] = []
        for part in parts:
            doi = _DOI_PREFIX.sub("", part.strip())
            if not doi:
                continue
            if not _DOI.fullmatch(doi):
                raise self._error(line, column.name, f"{echo(doi)} is not a DOI (10.NNNN/...)")
            if doi.lower() not in {known.lower() for known in dois}:  # DOIs ignore case
                dois.append(doi)
        return dois

    def _material(
        self, material_id: str, members: list[_Row], origins: dict[tuple[str, str | None], Origin]
    ) -> dict[str, Any]:
        first = members[0]
        material: dict[str, Any] = {"id": material_id, "name": first.name, "formula": first.formula}
        origins[(material_id, None)] = origins[(material_id, "id")] = first.origins[None]
        origins[(material_id, "name")] = first.origins["name"]
        origins[(material_id, "formula")] = first.origins["formula"]
        # The family: of the first row whose cell names one, else the `otherwise` label.
        giver = next((row for row in members if row.family_named), None)
        if giver is None:
            giver = next((row for row in members if row.family is not None), None)
        if giver is not None:
            material["family"] = giver.family
            origins[(material_id, "family")] = giver.origins["family"]
        notes = []
        variants: list[str] = []
        seen = {(first.name, first.formula)}
        for row in members[1:]:
            if (row.name, row.formula) not in seen:
                seen.add((row.name, row.formula))
                same_name = row.name in (first.name, row.formula)
                written = row.formula if same_name else f"{row.name} ({row.formula})"
                variants.append(f"{written} in row {row.row_id}")
        if variants:
            notes.append(
                f"The data set also writes this composition as {_listing(variants)}: the same composition as "
                f"{first.name} ({first.formula}) of row {first.row_id}, whose formula is kept."
            )
        others = [
            f"{row.family} in row {row.row_id}"
            for row in members
            if row.family_named and giver is not None and row.family != giver.family
        ]
        if others:
            notes.append(f"Other rows of this composition give another family: {_listing(others)}.")
        if notes:
            note = " ".join(notes)
            material["note"] = note if len(note) <= _TEXT_LENGTH else note[: _TEXT_LENGTH - 1] + "…"
            origins[(material_id, "note")] = first.origins[None]
        return material


def _listing(items: list[str], limit: int = 20) -> str:
    shown = items[:limit]
    rest = f" and {len(items) - limit} more" if len(items) > limit else ""
    return "; ".join(shown) + rest


_FIELD_ORDER = (
    "id",
    "of",
    "property",
    "value",
    "min",
    "max",
    "qualifier",
    "printed",
    "unit",
    "conditions",
    "space_group",
    "identifiers",
    "refs",
    "where",
    "note",
)


def _ordered(entity: dict[str, Any]) -> dict[str, Any]:
    return {field: entity[field] for field in _FIELD_ORDER if field in entity}


def _hand_written_ids(document: Mapping[str, Any]) -> set[str]:
    ids = set()
    for section in ("materials", "measurements", "failure_modes", "mechanisms", "strategies", "claims"):
        for entity in document.get(section) or []:
            if isinstance(entity, Mapping) and isinstance(entity.get("id"), str):
                ids.add(entity["id"])
    return ids
