"""The curation format against the graph: every curation file validates against ``sources/schema.json``, and a
sample of the review written back as a curation file (``kg.ingest.convert.writeback``) and converted again keeps
its links, numbers, units, conditions, places and reference numbers. What the format cannot say is pinned here.
"""

from __future__ import annotations

import json
import re

import pyoxigraph as ox
import pytest
from helpers import REPO

S = "https://w3id.org/sslmb/"
REVIEW = "https://w3id.org/sslmb/graph/wang2020"
ROUND = "https://w3id.org/sslmb/graph/roundtrip"
SAMPLE = [
    S + name
    for name in (
        "LiFInLiBH4",  # LiF addition to LiBH4
        "PolyimideHostedPEOComposite",  # the polyimide-hosted PEO composite ...
        "PEOLiTFSI_ShearModulus",  # ... with both shear moduli
        "PEOPolyimideComposite_ShearModulus",
        "LLZONanofiberPEOComposite",  # the LLZO nanofibre composite
        "LGPS_IonicConductivity",  # LGPS 1.2e-2 S/cm
        "InorganicSolidElectrolyte",  # two families with scope and exceptions
        "SolidPolymerElectrolyte",
        "LowShearModulus",  # a mechanism
        "LithiumDendritePenetration",  # a failure mode
    )
]
LINKS = [
    S + p
    for p in (
        "mitigates",
        "appliesTo",
        "usesMaterial",
        "causes",
        "contributesTo",
        "leadsTo",
        "susceptibleTo",
        "exhibitsMechanism",
        "hasConstituent",
    )
]
HEADER = {
    "key": "roundtrip",
    "kind": "article",
    "title": "A round trip of the review",
    "authors": ["sslmb-kg"],
    "year": 2020,
    "licence": "unknown",
    "url": "https://example.org/round-trip",
}


def curation_files():
    return [*sorted((REPO / "sources").glob("*.yaml")), REPO / "docs" / "examples" / "example-source.yaml"]


@pytest.mark.parametrize("path", curation_files(), ids=lambda p: p.name)
def test_every_curation_file_validates_against_the_schema(path):
    import yaml
    from jsonschema import Draft202012Validator

    schema = json.loads((REPO / "sources" / "schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data = json.loads(json.dumps(data, default=str))  # dates as text, as the converter reads them
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in Draft202012Validator(schema).iter_errors(data)]
    assert errors == []


# ------------------------------------------------------------------------------------------ the round trip


@pytest.fixture(scope="module")
def round_trip(graph, tmp_path_factory):
    """(the YAML text, a store holding the review's graph and the round trip's graph)."""
    from kg.ingest.convert import convert
    from kg.ingest.convert.writeback import to_yaml, writeback

    text = to_yaml(writeback(graph, SAMPLE, source=HEADER, stated_in="wang2020"))
    path = tmp_path_factory.mktemp("roundtrip") / "roundtrip.yaml"
    path.write_text(text, encoding="utf-8")
    conversion = convert(graph, path)
    store = ox.Store()
    store.extend(graph.store.quads_for_pattern(None, None, None))
    store.extend(conversion.quads)
    return text, store


def links(store: ox.Store, g: str) -> dict[tuple[str, str, str], tuple[frozenset, frozenset]]:
    """Every link (s, p, o) stated in graph ``g`` with evidence, and the places and reference numbers it rests on."""
    rows = store.query(
        """SELECT ?g ?s ?p ?o ?place ?ref WHERE { GRAPH ?g {
             ?a owl:annotatedSource ?s ; owl:annotatedProperty ?p ; owl:annotatedTarget ?o .
             OPTIONAL { ?a prov:wasDerivedFrom ?part } OPTIONAL { ?a prov:hadPrimarySource ?w } }
           OPTIONAL { ?part rdfs:label ?place } OPTIONAL { ?w sslmb:referenceNumber ?ref } }""",
        prefixes=PREFIXES,
        use_default_graph_as_union=True,
        substitutions={ox.Variable("g"): ox.NamedNode(g)},
    )
    out: dict[tuple[str, str, str], tuple[set, set]] = {}
    for r in rows:
        key = (r["s"].value, r["p"].value, r["o"].value)
        if key[1] not in LINKS:
            continue
        places, refs = out.setdefault(key, (set(), set()))
        if r["place"] is not None:
            places.add(place(r["place"].value))
        if r["ref"] is not None:
            refs.add(int(r["ref"].value))
    return {k: (frozenset(a), frozenset(b)) for k, (a, b) in out.items()}


def place(label: str) -> str:
    return label.split(" of ")[0]


PREFIXES = {
    "owl": "http://www.w3.org/2002/07/owl#",
    "prov": "http://www.w3.org/ns/prov#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "sslmb": S,
    "qudt": "http://qudt.org/schema/qudt/",
    "schema": "https://schema.org/",
}


def test_the_round_trip_keeps_the_links(round_trip):
    _, store = round_trip
    back = links(store, ROUND)
    original = {k: v for k, v in links(store, REVIEW).items() if k[0] in SAMPLE}
    assert set(back) == set(original)
    for key, (places, refs) in back.items():
        assert refs == original[key][1], key
        assert len(places) == 1 and places <= original[key][0], (key, places, original[key][0])


def numbers(store: ox.Store, g: str, quantity: str | None = None) -> list[tuple]:
    """Every number of graph ``g``: holder, metric, value, min, max, unit, qualifier, print, conditions, place, refs."""
    rows = store.query(
        """SELECT ?g ?holder ?q ?m ?v ?lo ?hi ?u ?ql ?pr ?place ?ref WHERE { GRAPH ?g {
             { ?holder sslmb:hasQuantity ?q } UNION { ?s sslmb:hasOutcome ?q OPTIONAL { ?q sslmb:ofMaterial ?holder } }
             ?q sslmb:metric ?m ; qudt:hasUnit ?u .
             OPTIONAL { ?q qudt:value ?v } OPTIONAL { ?q schema:minValue ?lo } OPTIONAL { ?q schema:maxValue ?hi }
             OPTIONAL { ?q sslmb:qualifier ?ql } OPTIONAL { ?q sslmb:printedAs ?pr }
             OPTIONAL { ?q prov:wasDerivedFrom ?part } OPTIONAL { ?q prov:hadPrimarySource ?w } }
           OPTIONAL { ?part rdfs:label ?place } OPTIONAL { ?w sslmb:referenceNumber ?ref } }""",
        prefixes=PREFIXES,
        use_default_graph_as_union=True,
        substitutions={ox.Variable("g"): ox.NamedNode(g)},
    )
    out = {}
    for r in rows:
        q = r["q"].value
        fields = tuple(
            None if r[k] is None else (float(r[k].value) if k in ("v", "lo", "hi") else r[k].value)
            for k in ("holder", "m", "v", "lo", "hi", "u", "ql", "pr")
        )
        entry = out.setdefault(q, [fields, set(), set(), conditions(store, r["q"])])
        if r["place"] is not None:
            entry[1].add(place(r["place"].value))
        if r["ref"] is not None:
            entry[2].add(int(r["ref"].value))
    return sorted(((f, frozenset(p), frozenset(refs), c) for f, p, refs, c in out.values()), key=repr)


def conditions(store: ox.Store, q: ox.NamedNode) -> tuple:
    rows = store.query(
        """SELECT ?q ?p ?u ?v ?lo ?hi ?regime WHERE {
             { ?q ?p ?c . ?c qudt:hasUnit ?u . OPTIONAL { ?c qudt:value ?v }
               OPTIONAL { ?c schema:minValue ?lo } OPTIONAL { ?c schema:maxValue ?hi } }
             UNION { ?q sslmb:underCondition ?regime BIND(sslmb:underCondition AS ?p) } }""",
        prefixes=PREFIXES,
        use_default_graph_as_union=True,
        substitutions={ox.Variable("q"): q},
    )
    return tuple(
        sorted(tuple("" if r[k] is None else r[k].value for k in ("p", "u", "v", "lo", "hi", "regime")) for r in rows)
    )


def test_the_round_trip_keeps_the_numbers(round_trip):
    _, store = round_trip
    back = numbers(store, ROUND)
    original = numbers(store, REVIEW)
    assert len(back) == 6  # three measurements, and the outcomes of the three strategies
    holders = {n[0][0] for n in back}
    assert {S + "PEOLiTFSI", S + "PEOPolyimideComposite", S + "LGPS"} <= holders
    for fields, places, refs, conds in back:
        # the same holder, metric, value, range, unit, qualifier, print, references and conditions; one of its places
        same = [o for o in original if (o[0], o[2], o[3]) == (fields, refs, conds) and places <= o[1]]
        assert len(places) == 1 and same, (fields, places, refs, conds)


def test_the_sample_covers_what_it_should(round_trip):
    text, store = round_trip
    assert "1.2 × 10⁻² S cm⁻¹" in text and "value: 0.012" in text
    assert text.count("property: shear modulus of a material") >= 2
    assert "scope: some" in text and "except:" in text
    for iri in ("LowShearModulus", "LithiumDendritePenetration", "LiFInLiBH4", "LLZONanofiberPEOComposite"):
        assert f"same_as: sslmb:{iri}" in text


# ------------------------------------------------------------------------------------------ what it cannot say


def test_several_places_of_one_fact_become_one(round_trip):
    _, store = round_trip
    original = links(store, REVIEW)
    back = links(store, ROUND)
    several = [k for k in back if len(original[k][0]) > 1]
    assert several, "the sample no longer has a fact with several places"
    assert all(len(back[k][0]) == 1 for k in several)


@pytest.mark.parametrize(
    "predicate",
    ["http://www.w3.org/ns/prov#wasAttributedTo", S + "concernsAspect", "http://www.w3.org/2000/01/rdf-schema#comment"],
)
def test_what_the_format_does_not_carry(round_trip, predicate):
    from kg.ingest.convert.writeback import NOT_EXPRESSED

    _, store = round_trip
    in_review = list(store.quads_for_pattern(None, ox.NamedNode(predicate), None, ox.NamedNode(REVIEW)))
    in_round = list(store.quads_for_pattern(None, ox.NamedNode(predicate), None, ox.NamedNode(ROUND)))
    assert any(q.subject.value in SAMPLE for q in in_review)
    assert in_round == []
    word = re.sub(r".*[#/]", "", predicate)
    assert any(word in line for line in NOT_EXPRESSED)


# ------------------------------------------------------------------------------------------ docs/curation.md


def test_the_guide_shows_the_example_in_full_and_its_real_dry_run():
    from helpers import run_cli

    guide = (REPO / "docs" / "curation.md").read_text(encoding="utf-8")
    example = (REPO / "docs" / "examples" / "example-source.yaml").read_text(encoding="utf-8")
    assert "invented" in example.splitlines()[0].lower()
    assert f"```yaml\n{example}```" in guide
    command = "$ sslmb add docs/examples/example-source.yaml --dry-run\n"
    pasted = guide[guide.index(command) + len(command) :]
    pasted = pasted[: pasted.index("```")]
    r = run_cli("add", "docs/examples/example-source.yaml", "--dry-run")
    assert r.returncode == 0, r.stderr

    def timeless(text: str) -> str:
        return re.sub(r"\(\d+\.\d s\)", "(N s)", text)

    assert timeless(pasted) == timeless(r.stdout)


def test_the_guide_covers_every_section_of_the_format():
    guide = (REPO / "docs" / "curation.md").read_text(encoding="utf-8")
    schema = json.loads((REPO / "sources" / "schema.json").read_text(encoding="utf-8"))
    for section in schema["properties"]:
        assert f"`{section}:`" in guide, section
