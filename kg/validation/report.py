"""What validation returns, whichever engine ran: a :class:`ValidationReport` of :class:`ValidationResult` rows,
sorted the same way by both engines."""

from __future__ import annotations

import time
from dataclasses import dataclass

_SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


@dataclass(frozen=True)
class ValidationResult:
    """One SHACL result: how bad, which node (and its label), which property path, and why."""

    severity: str
    focus: str
    focus_label: str
    subject: str | None
    path: str | None
    message: str
    value: str | None
    shape: str | None
    constraint: str | None


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of :func:`kg.validation.shacl.validate`. ``conforms`` is false when there is at least one violation
    (warnings alone do not fail validation)."""

    conforms: bool
    violations: int
    warnings: int
    triples: int
    shapes_files: tuple[str, ...]
    data_files: tuple[str, ...]
    engine: str
    seconds: float
    results: tuple[ValidationResult, ...]


def report(results, triples, shape_paths, graph, extra_paths, engine, started) -> ValidationReport:
    """The report both engines return: results sorted by severity, focus label, path and message."""
    results = sorted(
        results, key=lambda r: (_SEVERITY_ORDER.get(r.severity, 9), r.focus_label, r.path or "", r.message)
    )
    violations = sum(r.severity == "Violation" for r in results)
    return ValidationReport(
        conforms=violations == 0,
        violations=violations,
        warnings=sum(r.severity == "Warning" for r in results),
        triples=triples,
        shapes_files=tuple(p.name for p in shape_paths),
        data_files=tuple([*(p.name for p in graph.sources), *(str(p) for p in extra_paths)]),
        engine=engine,
        seconds=round(time.perf_counter() - started, 3),
        results=tuple(results),
    )
