"""What a notebook shows of a result: ``_repr_html_`` (escaped tables, one cell per column, numbers
right-aligned, quantities with their units and conditions) and ``to_pandas`` (the rows of the JSON form that
``--format json`` prints)."""

from __future__ import annotations

import json
import math
import sys
from html import escape
from html.parser import HTMLParser

import pytest
from helpers import run_cli

import kg
from kg.core.notebook import MissingExtra, Rows

pd = pytest.importorskip("pandas")

EVIL = "<script>alert(1)</script> & co"
EVIL_TTL = f"""
@prefix sslmb: <https://w3id.org/sslmb/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
sslmb:EvilStrategy a sslmb:Strategy ; rdfs:label "{EVIL}" ; sslmb:mitigates sslmb:LithiumDendritePenetration .
"""


class Tables(HTMLParser):
    """The tables of an HTML fragment: headers and rows of cell texts, and the classes of the cells."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tables: list[dict] = []
        self.scripts = 0
        self.text = ""  # all the text, as a reader sees it
        self._cell: list[str] | None = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.scripts += 1
        elif tag == "table":
            self.tables.append({"headers": [], "rows": [], "numeric": []})
        elif tag == "tr":
            self.tables[-1]["rows"].append([])
        elif tag in ("td", "th"):
            self._cell = []
            if tag == "td":
                self.tables[-1]["numeric"].append(dict(attrs).get("class") == "num")

    def handle_data(self, data):
        self.text += data
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            text = "".join(self._cell)
            table = self.tables[-1]
            (table["headers"] if tag == "th" else table["rows"][-1]).append(text)
            self._cell = None

    def body_rows(self, index: int = 0) -> list[list[str]]:
        return [r for r in self.tables[index]["rows"] if r]


@pytest.fixture(scope="module")
def evil_graph(tmp_path_factory):
    path = tmp_path_factory.mktemp("evil") / "evil.ttl"
    path.write_text(EVIL_TTL, encoding="utf-8")
    return kg.load(path)


def _plain(value):
    """A DataFrame cell as JSON has it: NaN (pandas' missing value) is the JSON null, numpy scalars are Python's."""
    if hasattr(value, "item") and not isinstance(value, (list, dict, str)):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _records(df) -> list[dict]:
    return [{k: _plain(v) for k, v in row.items()} for row in df.to_dict("records")]


def _json(obj):
    return json.loads(kg.to_json(obj))


# ------------------------------------------------------------------ HTML


def test_labels_are_escaped_everywhere(evil_graph):
    shown = {
        "mitigations": evil_graph.mitigations("lithium dendrite penetration"),
        "fact sheet": evil_graph.describe("https://w3id.org/sslmb/EvilStrategy"),
        "query": evil_graph.query("SELECT ?label WHERE { sslmb:EvilStrategy rdfs:label ?label }"),
        "find": evil_graph.find("alert"),
    }
    for what, obj in shown.items():
        page = obj._repr_html_()
        assert "<script" not in page, what
        assert escape(EVIL) in page, what
        parsed = Tables(page)
        assert parsed.scripts == 0
        assert EVIL in parsed.text, what  # the reader sees the label as it is written


def test_every_row_has_one_cell_per_header(graph):
    results = [
        graph.query("cq-05-single-ion-transference", min_t=0.9, max_temp=60),
        graph.mitigations("lithium dendrite penetration"),
        graph.risks("LLZO"),
        graph.paths("LLZO", "thermal runaway"),
        graph.gaps(),
        graph.describe("LGPS"),
        graph.centrality(),
    ]
    for obj in results:
        parsed = Tables(obj._repr_html_())
        assert parsed.tables, type(obj)
        for table in parsed.tables:
            if table["headers"]:
                assert all(h.strip() for h in table["headers"]), table["headers"]
                assert all(len(r) == len(table["headers"]) for r in table["rows"] if r)


def test_query_table_holds_the_rows_with_numbers_right_aligned(graph):
    result = graph.query("cq-05-single-ion-transference", min_t=0.9, max_temp=60)
    parsed = Tables(result._repr_html_())
    assert parsed.tables[0]["headers"] == [v.replace("_", " ") for v in result.variables]
    rows = parsed.body_rows()
    assert len(rows) == len(result.rows) >= 2
    t_column = result.variables.index("t")
    width = len(result.variables)
    for row, cells, numeric in zip(
        result.rows, rows, [parsed.tables[0]["numeric"][i : i + width] for i in range(0, 10**6, width)], strict=False
    ):
        assert float(cells[t_column]) == row["t"]
        assert numeric[t_column] is True
        assert numeric[result.variables.index("electrolyte_label")] is False


def test_fact_sheet_shows_numbers_with_units_and_conditions(graph):
    sheet = graph.describe("LGPS")
    parsed = Tables(sheet._repr_html_())
    numbers = next(t for t in parsed.tables if "value (unit, conditions)" in t["headers"])
    column = numbers["headers"].index("value (unit, conditions)")
    shown = [r[column] for r in numbers["rows"] if r]
    assert len(shown) == len(sheet.quantities) >= 2
    for q, text in zip(sheet.quantities, shown, strict=True):
        assert text.startswith(f"{q.value:g} {q.unit}")
        for condition in q.conditions:
            assert str(condition) in text


def test_rows_are_still_lists_in_json(graph):
    found = graph.mitigations("lithium dendrite penetration")
    assert isinstance(found, Rows) and isinstance(found, list)
    assert kg.to_json(found) == kg.to_json(list(found))


# ------------------------------------------------------------------ DataFrames


def test_dataframe_is_the_json_of_the_command_line(graph):
    cli = run_cli("mitigations", "lithium dendrite penetration", "--format", "json")
    assert cli.returncode == 0, cli.stderr
    expected = json.loads(cli.stdout)
    df = graph.mitigations("lithium dendrite penetration").to_pandas()
    assert list(df.columns) == list(expected[0])
    assert _records(df) == expected


@pytest.mark.parametrize(
    "make, part, rows_of",
    [
        (lambda g: g.query("cq-05-single-ion-transference", min_t=0.9, max_temp=60), None, lambda j: j["rows"]),
        (lambda g: g.risks("LLZO"), None, lambda j: j["exposures"]),
        (lambda g: g.risks("LLZO"), "withheld", lambda j: j["withheld"]),
        (lambda g: g.paths("LLZO", "thermal runaway"), None, lambda j: j),
        (lambda g: g.describe("LGPS"), None, lambda j: j["quantities"]),
        (lambda g: g.describe("LGPS"), "links", lambda j: j["links"]),
        (lambda g: g.gaps(), "unmitigated", lambda j: j["unmitigated"]),
        (lambda g: g.centrality(), None, lambda j: j),
        (lambda g: g.find("garnet"), None, lambda j: j),
    ],
)
def test_dataframe_rows_are_the_json_rows(graph, make, part, rows_of):
    obj = make(graph)
    expected = rows_of(_json(obj))
    assert expected, "a result with rows"
    df = obj.to_pandas(part) if part else obj.to_pandas()
    assert len(df) == len(expected)
    records = _records(df)
    for got, want in zip(records, expected, strict=True):
        assert {k: v for k, v in got.items() if v is not None} == {k: v for k, v in want.items() if v is not None}
    if isinstance(obj, list) or part:
        assert list(df.columns) == list(expected[0])


def test_all_gaps_in_one_frame_with_their_category(graph):
    gaps = graph.gaps()
    data = _json(gaps)
    df = gaps.to_pandas()
    assert list(df.columns) == ["category", "iri", "label", "kind", "missing", "detail"]
    assert len(df) == sum(len(v) for v in data.values())
    for category, items in data.items():
        assert _records(df[df["category"] == category].drop(columns="category")) == items


def test_unknown_part_is_a_clear_error(graph):
    with pytest.raises(ValueError, match="exposures, strategies, withheld"):
        graph.risks("LLZO").to_pandas("nonsense")


def test_without_pandas_the_error_says_what_to_install(graph, monkeypatch):
    result = graph.query("cq-05-single-ion-transference", min_t=0.9, max_temp=60)
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas now raises ImportError
    with pytest.raises(MissingExtra, match=r"sslmb-kg\[notebook\]"):
        result.to_pandas()
    assert "<table" in result._repr_html_()  # the HTML needs no pandas
