"""Every competency question's answer against an expected result kept beside the test (tests/data/cq/), written
from a reading of the review, compared order-insensitively on the key columns the CSV names."""

from __future__ import annotations

import csv
import math

import pytest
from helpers import DATA

import kg

CQS = [q for q in kg.queries() if q.kind == "cq"]
SSLMB = "https://w3id.org/sslmb/"


def _key(value) -> str:
    """Normalise one cell so that the query's typed values and the CSV's text compare."""
    if value is None or value == "":
        return ""
    if isinstance(value, str) and value.startswith(SSLMB):
        return value[len(SSLMB) :]
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value).strip()
    if math.isfinite(number):
        return f"{number:.9g}"
    return str(value)


def _expected(name: str) -> tuple[list[str], set[tuple[str, ...]], bool]:
    path = DATA / "cq" / f"{name}.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    contains = bool(lines) and lines[0].strip() == "# contains"
    rows = list(csv.reader(lines[1:] if contains else lines))
    header = [h.strip() for h in rows[0]]
    return header, {tuple(_key(c) for c in row) for row in rows[1:] if row}, contains


@pytest.mark.parametrize("cq", CQS, ids=lambda q: q.name)
def test_cq_answer_matches_the_reading(graph, review_graph, cq):
    # the expected answers are readings of the review, except for the questions about sources, read from all of them
    graph = graph if "sources" in cq.tags else review_graph
    header, expected, contains = _expected(cq.name)
    result = graph.query(cq.name)
    missing_columns = [h for h in header if h not in result.variables]
    assert not missing_columns, f"{cq.name} does not project {missing_columns}"
    actual = {tuple(_key(row.get(h)) for h in header) for row in result.rows}
    if contains:
        assert expected <= actual, f"missing: {sorted(expected - actual)}"
    else:
        assert actual == expected, f"missing: {sorted(expected - actual)}\nunexpected: {sorted(actual - expected)}"
