"""The rows of the table made facts (:class:`_Builder`): a measurement per row, a material per composition, ids
derived from the content, and the origin of every field."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from kg.core.errors import InputError, echo
from kg.ingest.dataset.cells import _reduced, _safe_id, _value, _with_hash, composition
from kg.ingest.dataset.document import _DOI, _DOI_PREFIX, _NAME_LENGTH, _TEXT_LENGTH, Origin
from kg.ingest.dataset.mapping import _Column, _Plan

_WHOLE_WITH_ZERO = re.compile(r"(\d+)\.0+")


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
