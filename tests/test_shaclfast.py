"""The fast SHACL engine (kg/validation/fast/) against pySHACL, the reference: the same results everywhere.

"The same" means the same multiset of results, each compared on severity, focus node, path, value, source
shape, constraint component and message, plus the same verdict, counts and triple count. The data is set up
once and handed to both engines: the shipped graph; every fixture of tests/data/shapes/ with the ontology and
quantities.ttl, as tests/test_shapes.py validates them; the shipped graph with eighteen defects of different
kinds; and tests/data/shaclfast/, where one small shape per compiled constraint kind meets data that trips it.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from helpers import DATA, REPO, run_cli

import kg
from kg.core.namespaces import SHAPES, SPARQL_PREFIXES
from kg.facade import KnowledgeGraph
from kg.validation import fast as shaclfast
from kg.validation.report import ValidationReport
from kg.validation.shacl import AUTO_FAST_FROM, validate

# kinds.ttl holds "yes"^^xsd:boolean on purpose; rdflib (under pySHACL) warns about it
pytestmark = pytest.mark.filterwarnings("ignore:Parsing weird boolean:UserWarning")

FIXTURES = sorted((DATA / "shapes").glob("*.ttl"))
BASE_FILES = (REPO / "ontology" / "sslmb.ttl", REPO / "ontology" / "instances" / "quantities.ttl")
KINDS = DATA / "shaclfast"


def key(result) -> tuple:
    return (
        result.severity,
        result.focus,
        result.path,
        result.value,
        result.shape,
        result.constraint,
        result.message,
    )


def assert_same(fast: ValidationReport, reference: ValidationReport, graph: KnowledgeGraph) -> None:
    assert (fast.engine, reference.engine) == ("fast", "pyshacl")
    only_fast = Counter(map(key, fast.results)) - Counter(map(key, reference.results))
    only_reference = Counter(map(key, reference.results)) - Counter(map(key, fast.results))
    assert not only_fast and not only_reference, f"only fast: {only_fast}\nonly pySHACL: {only_reference}"
    assert (fast.conforms, fast.violations, fast.warnings, fast.triples) == (
        reference.conforms,
        reference.violations,
        reference.warnings,
        reference.triples,
    )
    assert fast.shapes_files == reference.shapes_files and fast.data_files == reference.data_files
    # The entity a blank node belongs to and the focus label are read the same way too, except the label of
    # a node with several (pySHACL's rdflib graph then picks one in an order of its own).
    assert Counter((key(r), r.subject) for r in fast.results) == Counter((key(r), r.subject) for r in reference.results)
    ambiguous = several_labels(graph)
    labels = [
        Counter((key(r), r.focus_label) for r in report.results if r.focus not in ambiguous)
        for report in (fast, reference)
    ]
    assert labels[0] == labels[1]


def several_labels(graph: KnowledgeGraph) -> set[str]:
    """Focus nodes, written as a report writes them, whose label pySHACL may pick in another order: an IRI with
    several rdfs:label, a blank node with several parents or under such an IRI."""
    query = (
        SPARQL_PREFIXES
        + """
        SELECT DISTINCT ?n WHERE {
            { ?n rdfs:label ?a, ?b FILTER (?a != ?b) }
            UNION { ?p ?x ?n . ?q ?y ?n FILTER (isBlank(?n) && (?p != ?q || ?x != ?y)) }
            UNION { ?p ?x ?n ; rdfs:label ?a, ?b FILTER (isBlank(?n) && ?a != ?b) }
        }"""
    )
    return {
        "_:" + row["n"].value if isinstance(row["n"], ox.BlankNode) else kg.core.namespaces.shorten(row["n"].value)
        for row in graph.store.query(query)
    }


def both(graph: KnowledgeGraph, **options) -> tuple[ValidationReport, ValidationReport]:
    return validate(graph, engine="fast", **options), validate(graph, engine="pyshacl", **options)


# ---------------------------------------------------------------------------------------------- shipped graph


def test_shipped_graph(graph):
    reference = graph.validate(engine="pyshacl")
    fast = graph.validate(engine="fast")
    assert_same(fast, reference, graph)
    assert fast.conforms and fast.triples == len(graph)


@pytest.mark.slow
@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_shape_fixture(path: Path):
    data = KnowledgeGraph.from_files([*BASE_FILES, path])
    fast, reference = both(data)
    assert_same(fast, reference, data)
    if ".invalid" in path.name:
        assert fast.results, f"{path.name} trips nothing: the comparison would prove little"


# Defects written into a copy of the shipped graph, each with the results it must cause (shape, component, and
# the focus node or, for a blank node, the entity it belongs to). Several need the subtler parts of the
# compiler: the reference-entry target reads ?this inside a UNION branch, the link check is a NOT EXISTS over
# four patterns, the condition checks focus blank nodes.
MUTATIONS = [
    (
        "DELETE WHERE { sslmb:Ref1 sslmb:publishedIn ?j } ;"
        " DELETE WHERE { sslmb:Ref1 dcterms:bibliographicCitation ?c }",
        [("ReferenceEntryShape", "SPARQL", "sslmb:Ref1")],
    ),
    (
        "DELETE DATA { sslmb:Ref3 sslmb:referenceNumber 3 } ; INSERT DATA { sslmb:Ref3 sslmb:referenceNumber 2 }",
        [("ReferenceEntryShape", "SPARQL", "sslmb:Ref2"), ("ReferenceEntryShape", "SPARQL", "sslmb:Ref3")],
    ),
    (
        'INSERT DATA { sslmb:LLZO rdfs:label "garnet LLZO"@en }',
        [("LabelShape-label", "MaxCount", "sslmb:LLZO"), ("LabelShape-label", "UniqueLang", "sslmb:LLZO")],
    ),
    (
        "INSERT DATA { sslmb:ActiveFillerReinforcement sslmb:mitigates sslmb:LLZO }",
        [
            ("StrategyShape-mitigates", "Or", "sslmb:ActiveFillerReinforcement"),
            ("LinkProvenanceShape", "SPARQL", "sslmb:ActiveFillerReinforcement"),
        ],
    ),
    (
        "DELETE { ?q schema:minValue ?a ; schema:maxValue ?b } INSERT { ?q schema:minValue ?b ; schema:maxValue ?a }"
        " WHERE { BIND (sslmb:HydrideElectrolyte_IonicConductivityRange AS ?q) ?q schema:minValue ?a ;"
        " schema:maxValue ?b }",
        [("QuantityValueShape-range", "LessThanOrEquals", "sslmb:HydrideElectrolyte_IonicConductivityRange")],
    ),
    (
        'DELETE { ?c qudt:value ?v } INSERT { ?c qudt:value "-200"^^xsd:double } WHERE {'
        " sslmb:LiInAlloyAnodeWithBetaLi3PS4_Overpotential sslmb:overDuration ?c . ?c qudt:value ?v }",
        [("NonNegativeShape", "Or", "sslmb:LiInAlloyAnodeWithBetaLi3PS4_Overpotential")],
    ),
    (
        'DELETE { ?q qudt:value ?v } INSERT { ?q qudt:value "1.5"^^xsd:double } WHERE {'
        " BIND (sslmb:SingleIonPolymer_Ref33_TransferenceNumber AS ?q) ?q qudt:value ?v }",
        [("TransferenceNumberRangeShape", "Or", "sslmb:SingleIonPolymer_Ref33_TransferenceNumber")],
    ),
    (
        "INSERT DATA { sslmb:Mystery a owl:NamedIndividual, sslmb:GarnetElectrolite }",
        [("KnownClassShape-class", "QualifiedMinCount", "sslmb:Mystery")],
    ),
    ('INSERT DATA { sslmb:LLZO sslmb:formula "Li₇La₃Zr₂O₁₂" }', [("MaterialShape-formula", "Pattern", "sslmb:LLZO")]),
    (
        "DELETE DATA { sslmb:ClaimDendritesBiggestThreat a owl:NamedIndividual }",
        [("NamedIndividualShape-type", "HasValue", "sslmb:ClaimDendritesBiggestThreat")],
    ),
    (
        "DELETE WHERE { sslmb:ClaimDefectReductionLowersInfiltration prov:wasDerivedFrom ?p } ;"
        " DELETE WHERE { sslmb:ClaimDefectReductionLowersInfiltration prov:hadPrimarySource ?s }",
        [
            ("ClaimShape", "SPARQL", "sslmb:ClaimDefectReductionLowersInfiltration"),
            ("ProvenanceShape-derivedFrom", "MinCount", "sslmb:ClaimDefectReductionLowersInfiltration"),
        ],
    ),
    ("DELETE WHERE { sslmb:LGPS skos:editorialNote ?n }", [("UncertainReadingShape", "SPARQL", "sslmb:LGPS")]),
    (
        "DELETE { ?ax owl:annotatedTarget sslmb:LowShearModulus }"
        " INSERT { ?ax owl:annotatedTarget sslmb:AirInstability } WHERE {"
        " ?ax owl:annotatedSource sslmb:ActiveFillerReinforcement ; owl:annotatedProperty sslmb:mitigates ;"
        " owl:annotatedTarget sslmb:LowShearModulus }",
        [("AnnotatedTripleShape", "SPARQL", "sslmb:ActiveFillerReinforcement")],
    ),
    (
        'DELETE { ?c qudt:value ?v } INSERT { ?c qudt:value "2000"^^xsd:double } WHERE {'
        " sslmb:LLZONanofiberPEOComposite_StableCyclingDuration sslmb:atTemperature ?c . ?c qudt:value ?v }",
        [("TemperatureRangeShape", "Or", "sslmb:LLZONanofiberPEOComposite_StableCyclingDuration")],
    ),
    (
        'DELETE DATA { sslmb:Ref4 sslmb:referenceNumber 4 } ; INSERT DATA { sslmb:Ref4 sslmb:referenceNumber "4" }',
        [("CitedWorkShape-referenceNumber", "Datatype", "sslmb:Ref4")],
    ),
    (
        'DELETE DATA { sslmb:Ref93 sslmb:damagedEntry true } ; INSERT DATA { sslmb:Ref93 sslmb:damagedEntry "true" }',
        [("CitedWorkShape-damagedEntry", "Datatype", "sslmb:Ref93")],
    ),
    (
        'DELETE DATA { sslmb:LowShearModulus rdfs:label "low shear modulus"@en } ;'
        ' INSERT DATA { sslmb:LowShearModulus rdfs:label "low shear modulus" }',
        [("LabelShape-label", "LanguageIn", "sslmb:LowShearModulus")],
    ),
    (
        'DELETE { ?q qudt:value ?v } INSERT { ?q qudt:value "0.91" } WHERE {'
        " BIND (sslmb:SingleIonPolymer_Ref34_TransferenceNumber AS ?q) ?q qudt:value ?v }",
        [("QuantityValueShape-value", "Or", "sslmb:SingleIonPolymer_Ref34_TransferenceNumber")],
    ),
]


@pytest.fixture(scope="module")
def mutated(graph) -> KnowledgeGraph:
    store = ox.Store()
    # the sources' named graphs flattened into the default graph, where the updates below apply
    store.extend(ox.Quad(q.subject, q.predicate, q.object) for q in graph.store.quads_for_pattern(None, None, None))
    for update, _ in MUTATIONS:
        before = set(store)
        store.update(SPARQL_PREFIXES + update)
        assert set(store) != before, f"the update changed nothing (a wrong IRI?): {update}"
    return KnowledgeGraph(store, graph.sources)


def test_mutated_shipped_graph(mutated):
    fast, reference = both(mutated)
    assert_same(fast, reference, mutated)
    found = {(r.shape, r.constraint, r.focus) for r in fast.results} | {
        (r.shape, r.constraint, kg.core.namespaces.shorten(r.subject or "")) for r in fast.results
    }
    missing = [
        expected
        for _, effects in MUTATIONS
        for shape, component, focus in effects
        if (expected := (SHAPES + shape, f"sh:{component}ConstraintComponent", focus)) not in found
    ]
    assert not missing, f"defects not reported: {missing}"
    assert len({r.constraint for r in fast.results}) >= 10


# ---------------------------------------------------------------------------------------------- each constraint kind


@pytest.fixture(scope="module")
def kinds_graph() -> KnowledgeGraph:
    return KnowledgeGraph.from_files([KINDS / "kinds.ttl"])


@pytest.fixture(scope="module")
def kinds(kinds_graph) -> tuple[ValidationReport, ValidationReport]:
    return both(kinds_graph, shapes=[KINDS / "kinds.shacl.ttl"])


def test_kinds_same_results(kinds, kinds_graph):
    assert_same(*kinds, kinds_graph)


K = "http://example.org/kinds/"
EX = "http://example.org/"

# What each shape of kinds.shacl.ttl must report on kinds.ttl, worked out from the SHACL spec and pySHACL's
# reading of it: (shape, component, focus, value) -> how many times. The reference engine must report it
# (so the expectation is right), and so must the fast engine.
EXPECTED = {
    "targetClass follows rdfs:subClassOf": {("TargetClass-tag", "MinCount", EX + "pup", None): 1},
    "targetNode, a literal too": {
        ("TargetNode", "Class", EX + "lonely", EX + "lonely"): 1,
        ("TargetNode", "Class", "_:a literal", "a literal"): 1,
    },
    "targetObjectsOf": {("TargetObjects", "NodeKind", "_:lit", "lit"): 1},
    "targetSubjectsOf": {("TargetSubjects", "Pattern", EX + "a1", EX + "a1"): 1},
    "class through subclasses": {
        ("Values-class", "Class", EX + "t1", "Ann"): 1,
        ("Values-class", "Class", EX + "t1", EX + "cat"): 1,
    },
    "datatype, with rdflib's well-formedness": {
        ("Values-int", "Datatype", EX + "t1", "abc"): 1,
        ("Values-int", "Datatype", EX + "t1", "3"): 1,  # "3.0"^^xsd:decimal
        ("Values-bool", "Datatype", EX + "t1", "false"): 1,  # "yes", as rdflib writes it
        ("Values-bool", "Datatype", EX + "t1", "true"): 1,  # "TRUE"
        ("Values-string", "Datatype", EX + "t1", "x"): 1,  # "x"@en
        ("Values-year", "Datatype", EX + "t1", "2016"): 1,  # the integer; "20x6"^^xsd:gYear passes
        ("Values-double", "Datatype", EX + "t1", "abc"): 1,
        ("Values-double", "Datatype", EX + "t1", "1,5"): 1,
        ("Values-decimal", "Datatype", EX + "t1", "1.5.1"): 1,
        ("Values-langString", "Datatype", EX + "t1", "x"): 1,
    },
    "nodeKind": {("Values-kind", "NodeKind", EX + "t1", "lit"): 1},
    "in compares terms": {
        ("Values-in", "In", EX + "t1", "L"): 1,
        ("Values-in", "In", EX + "t1", "1"): 1,  # "1.0"^^xsd:decimal is not 1
        ("Values-in", "In", EX + "t1", EX + "XXL"): 1,
    },
    "hasValue": {("Values-hasValue", "HasValue", EX + "t1", None): 1},
    "pattern, flags, Python's $": {
        ("Values-pattern", "Pattern", EX + "t1", "AB-x"): 1,
        ("Values-pattern", "Pattern", EX + "t1", EX + "AB-1"): 1,
    },
    "value ranges": {
        ("Values-range", "MinExclusive", EX + "t1", "0"): 1,
        ("Values-range", "MaxInclusive", EX + "t1", "150"): 1,
        ("Values-range", "MinExclusive", EX + "t1", "heavy"): 1,
        ("Values-range", "MaxInclusive", EX + "t1", EX + "w"): 1,
    },
    "string length": {
        ("Values-length", "MinLength", EX + "t1", "a"): 1,
        ("Values-length", "MaxLength", EX + "t1", "abcde"): 1,
    },
    "languageIn": {
        ("Values-languageIn", "LanguageIn", EX + "t1", "z"): 1,
        ("Values-languageIn", "LanguageIn", EX + "t1", "w"): 1,
        ("Values-languageIn", "LanguageIn", EX + "t1", EX + "title"): 1,
    },
    "uniqueLang, once per shared tag": {("Values-uniqueLang", "UniqueLang", EX + "t1", None): 2},
    "minCount and maxCount": {
        ("Values-count", "MinCount", EX + "t1", None): 1,
        ("Values-count", "MaxCount", EX + "t2", None): 1,
        ("Values-count", "MinCount", EX + "root", None): 1,
    },
    "lessThanOrEquals, once per pair": {
        ("Values-lessThan", "LessThanOrEquals", EX + "t1", "5"): 2,
        ("Values-lessThan", "LessThanOrEquals", EX + "t1", "b"): 3,
        ("Values-lessThan", "LessThanOrEquals", EX + "t1", "a"): 2,
    },
    "or": {("Values-or", "Or", EX + "t1", EX + "cat"): 1},
    "not": {("Values-not", "Not", EX + "t1", EX + "enemy"): 1},
    "and": {("Values-and", "And", EX + "t1", EX + "bob"): 1},
    "node inside or": {("Values-node", "Or", EX + "t1", EX + "h2"): 1},
    "qualifiedValueShape": {
        ("Values-qualified", "QualifiedMinCount", EX + "t1", None): 1,
        ("Values-qualified", "QualifiedMaxCount", EX + "t2", None): 1,
    },
    "sequence path": {("Values-sequence", "Datatype", EX + "t2", "Bob"): 1},
    "inverse path": {("Values-inverse", "MaxCount", EX + "root", None): 1},
    "alternative path": {("Values-alternative", "MaxCount", EX + "t1", None): 1},
    "zeroOrMore path": {("Values-star", "Class", EX + "t1", EX + "other"): 1},
    "oneOrMore path": {("Values-plus", "HasValue", EX + "root", None): 1},
    "zeroOrOne path": {
        ("Values-optional", "MaxCount", EX + "t1", None): 1,
        ("Values-optional", "MaxCount", EX + "t2", None): 1,
    },
    "node-level or of nested property shapes": {
        ("Logic", "Or", EX + "g3", EX + "g3"): 1,
        ("Logic", "Or", EX + "g4", EX + "g4"): 1,
    },
    "SPARQL constraint": {
        ("Sparql", "SPARQL", EX + "book1", "1"): 1,
        ("Sparql", "SPARQL", EX + "book2", "1"): 1,
    },
    "SPARQL constraint, $this in a UNION branch": {
        ("Sparql", "SPARQL", EX + "book2", EX + "book2"): 1,
        ("Sparql", "SPARQL", EX + "book4", EX + "book4"): 1,
    },
    "SPARQL target": {
        ("SparqlTarget", "NodeKind", EX + "book1", EX + "book1"): 1,
        ("SparqlTarget", "NodeKind", EX + "book4", EX + "book4"): 1,
    },
    "SPARQL target with a grouping sub-select": {
        ("SparqlTargetGrouped", "NodeKind", EX + "paper1", EX + "paper1"): 1,
        ("SparqlTargetGrouped", "NodeKind", EX + "paper2", EX + "paper2"): 1,
        ("SparqlTargetGrouped", "NodeKind", EX + "paper3", EX + "paper3"): 0,
    },
}


@pytest.mark.parametrize("kind", EXPECTED)
def test_kind(kinds, kind):
    for report in kinds:
        found = Counter(
            (
                r.shape.removeprefix(K),
                r.constraint.removeprefix("sh:").removesuffix("ConstraintComponent"),
                r.focus,
                r.value,
            )
            for r in report.results
            if r.shape
        )
        for expected, times in EXPECTED[kind].items():
            assert found[expected] == times, f"{report.engine}: {expected} reported {found[expected]} times"


def test_kinds_severities_messages_and_deactivation(kinds):
    fast, _ = kinds
    severities = {r.shape.removeprefix(K): r.severity for r in fast.results}
    assert severities["Values-warning"] == "Warning" and severities["Values-info"] == "Info"
    assert not {"Values-deactivated", "Deactivated"} & set(severities)
    messages = {r.message for r in fast.results if r.shape == K + "Sparql"}
    assert f"{EX}book1 shares ISBN 1 with {EX}book2" in messages
    assert f"{EX}book2 lacks {EX}author" in messages
    assert "never reported" not in {r.message for r in fast.results}


def test_literal_values_are_written_as_rdflib_writes_them():
    double = ox.Literal("1500", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#double"))
    boolean = ox.Literal("yes", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))
    decimal = ox.Literal("1e3", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal"))
    bad = ox.Literal("abc", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    assert [shaclfast.report._text(t) for t in (double, boolean, decimal, bad)] == ["1500.0", "false", "1000", "abc"]


# ---------------------------------------------------------------------------------------------- refusals


SHAPE_HEADER = """
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""

REFUSED = {
    "sh:xone": "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:xone ( [ sh:class ex:A ] [ sh:class ex:B ] ) .",
    "sh:closed": "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:closed true .",
    "sh:equals": "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:equals ex:q ] .",
    "sh:node at the top": "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:node [ sh:class ex:A ] .",
    "sh:datatype xsd:date": "ex:S a sh:NodeShape ; sh:targetClass ex:C ; "
    "sh:property [ sh:path ex:p ; sh:datatype xsd:date ] .",
    "sh:severity on a shape nested": "ex:S a sh:NodeShape ; sh:targetClass ex:C ; "
    "sh:not [ sh:class ex:A ; sh:severity sh:Warning ] .",
    "OPTIONAL": 'ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql [ sh:select "SELECT $this WHERE '
    '{ OPTIONAL { $this ex:p ?v } }" ] .',
    "a sub-select": 'ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql [ sh:select "SELECT $this WHERE '
    '{ { SELECT ?x WHERE { ?x ex:p ?y } } }" ] .',
    # in a SPARQL target, a sub-select is compiled only where nothing before it binds its variables
    "a sub-select that shares ?y": "ex:S a sh:NodeShape ; sh:nodeKind sh:IRI ; sh:target [ a sh:SPARQLTarget ; "
    'sh:select "SELECT ?this WHERE { ?this <http://example.org/p> ?y . '
    '{ SELECT ?y WHERE { ?z <http://example.org/q> ?y } GROUP BY ?y } }" ] .',
    "(LIMIT ...) in a sub-select": "ex:S a sh:NodeShape ; sh:nodeKind sh:IRI ; sh:target [ a sh:SPARQLTarget ; "
    'sh:select "SELECT ?this WHERE { { SELECT ?this WHERE { ?this <http://example.org/p> ?y } LIMIT 1 } }" ] .',
    "is not a regex Oxigraph reads": "ex:S a sh:NodeShape ; sh:targetClass ex:C ; "
    'sh:property [ sh:path ex:p ; sh:pattern "(?<=a)b" ] .',
    # a literal where a shape is expected: refused, not a TypeError from the store
    'literal "oops" where a shape': 'ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property "oops" .',
    'literal "nope" where a shape': 'ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:not "nope" .',
}


@pytest.mark.parametrize("feature", REFUSED)
def test_unsupported_feature_is_refused_by_name(tmp_path, feature):
    shapes = tmp_path / "refused.shacl.ttl"
    shapes.write_text(SHAPE_HEADER + REFUSED[feature], encoding="utf-8")
    with pytest.raises(shaclfast.UnsupportedShapeError) as refused:
        shaclfast.compile_shapes([shapes])
    assert "http://example.org/S" in str(refused.value) and feature in str(refused.value), str(refused.value)


def test_refusal_reaches_the_caller_and_auto_falls_back(tmp_path, monkeypatch, kinds_graph):
    shapes = tmp_path / "refused.shacl.ttl"
    shapes.write_text(SHAPE_HEADER + REFUSED["sh:xone"], encoding="utf-8")
    data = tmp_path / "data.ttl"
    data.write_text("<http://example.org/x> a <http://example.org/C> .", encoding="utf-8")
    graph = KnowledgeGraph.from_files([data])
    with pytest.raises(shaclfast.UnsupportedShapeError):
        validate(graph, shapes=[shapes], engine="fast")
    monkeypatch.setattr("kg.validation.shacl.AUTO_FAST_FROM", 0)  # auto would pick the fast engine at any size
    report = validate(graph, shapes=[shapes], engine="auto")
    assert report.engine == "pyshacl" and not report.conforms  # ex:x is neither an ex:A nor an ex:B


# ---------------------------------------------------------------------------------------------- engine choice, CLI


def test_auto_chooses_the_fast_engine_on_a_large_graph(review_graph):
    graph = review_graph  # below the threshold on its own; filled up to one triple above it
    store = ox.Store()
    store.extend(ox.Quad(q.subject, q.predicate, q.object) for q in graph.store.quads_for_pattern(None, None, None))
    filler = ox.NamedNode("urn:x:filler")
    store.extend(
        ox.Quad(ox.NamedNode(f"urn:x:{i}"), filler, ox.Literal(str(i))) for i in range(AUTO_FAST_FROM - len(store) + 1)
    )
    report = KnowledgeGraph(store, graph.sources).validate()
    assert report.engine == "fast" and report.conforms and report.triples == AUTO_FAST_FROM + 1


def test_compiled_once_per_shape_set():
    assert shaclfast.compile_shapes() is shaclfast.compile_shapes()


def test_cli_engine_fast_with_an_extra_file(graph):
    extra = DATA / "cli" / "strategy-without-mitigation.ttl"
    run = run_cli("validate", "--engine", "fast", str(extra), "--format", "json")
    assert run.returncode == 1, run.stderr
    data = json.loads(run.stdout)
    assert data["engine"] == "fast" and data["conforms"] is False
    reference = graph.validate([extra], engine="pyshacl")

    def same(results):
        return sorted(json.dumps(r, sort_keys=True) for r in results)

    assert same(data["results"]) == same(kg.to_jsonable(r) for r in reference.results)
    ok = run_cli("validate", "--engine", "fast")
    assert ok.returncode == 0 and ok.stdout.strip().endswith("(fast)"), ok.stdout + ok.stderr


def test_the_reference_engine_ignores_conversions_owlrl_left_behind(kinds_graph):
    """owlrl (pySHACL's inference engine) swaps rdflib's lexical conversions process-wide and leaves its xsd:gYear
    converter behind when it switches back; after that, pySHACL would call "20x6"^^xsd:gYear ill-formed and the
    engines would disagree depending on what ran before in the process. The reference engine validates as a fresh
    process does."""
    import owlrl.DatatypeHandling as handling
    from rdflib import XSD, Literal

    handling.use_Alt_lexical_conversions()
    handling.use_RDFLib_lexical_conversions()
    assert Literal("20x6", datatype=XSD.gYear).ill_typed  # the process is changed, as it was in the full suite
    # both engines run now, in the changed process (the module's `kinds` fixture may have run before the change)
    assert_same(*both(kinds_graph, shapes=[KINDS / "kinds.shacl.ttl"]), kinds_graph)
    assert not Literal("20x6", datatype=XSD.gYear).ill_typed  # and validating put rdflib's own conversions back
