"""Synthetic growth of the sslmb graph: N-Triples shaped like the shipped data, the way more papers would add it.

    python benchmarks/synth.py --triples 1e6 [--seed 0] -o synth-1e6.nq     # shipped + output ~ 1e6 triples
    python benchmarks/synth.py --extra 1e4 -o synth.nt                       # exactly ~1e4 synthetic triples

Each synthetic source is a review (``sslmb:Review``) with its own sections, table, figures and reference list
(new ``sslmb:Publication`` records with BIBO/DCTerms fields, cited with ``cito:cites``). From it come new
electrolytes in the existing families, with the mechanisms and failure modes they show, their constituents and
their numbers (QUDT quantity values with units, quantity kinds and blank-node conditions); new mitigation
strategies with categories, mitigation links, test cells and outcomes; a research group; now and then a new
mechanism feeding the causal chain. Every link carries an ``owl:Axiom`` with ``prov:wasDerivedFrom`` (a part of
the synthetic review) and ``prov:hadPrimarySource``; every entity says where it was read. Labels are generated
("Synthetic garnet 000042"), never taken from the review.

Written as N-Quads (``-o FILE.nq``), each synthetic review is a source of its own, as `sslmb add` makes one:
its statements sit in the named graph ``https://w3id.org/sslmb/graph/synth<id>``, its record gives its
``sslmb:sourceKey`` and ``sslmb:factsInGraph``, its bibliography is a numbered list of ``sslmb:CitedWork``
records (numbers are unique per citing source), and its facts rest on those works. Written as N-Triples
(``-o FILE.nt``, the older form), everything goes into one graph, the bibliographies are plain publications and the
facts rest on the review's numbered references (``sslmb:Ref1`` ... ``sslmb:Ref95``).

The output is deterministic (same seed and shipped data, same bytes), streamed to disk (memory stays flat
whatever the size) and written atomically. The data pass the shipped SHACL shapes and the quality checks.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import sys
import time
from pathlib import Path

SSLMB = "https://w3id.org/sslmb/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
DCT = "http://purl.org/dc/terms/"
BIBO = "http://purl.org/ontology/bibo/"
CITO = "http://purl.org/spar/cito/"
QUDT = "http://qudt.org/schema/qudt/"
UNIT = "http://qudt.org/vocab/unit/"
QK = "http://qudt.org/vocab/quantitykind/"
SCHEMA = "https://schema.org/"
GRAPH_BASE = "https://w3id.org/sslmb/graph/"


def _i(iri: str) -> str:
    return f"<{iri}>"


def S(local: str) -> str:
    """An IRI in the sslmb namespace, in N-Triples form."""
    return f"<{SSLMB}{local}>"


A = _i(RDF + "type")
NAMED = _i(OWL + "NamedIndividual")
LABEL = _i(RDFS + "label")
COMMENT = _i(RDFS + "comment")
ALT = _i(SKOS + "altLabel")
DEFINITION = _i(SKOS + "definition")
NOTE = _i(SKOS + "editorialNote")
DERIVED = _i(PROV + "wasDerivedFrom")
PRIMARY = _i(PROV + "hadPrimarySource")
ATTRIBUTED = _i(PROV + "wasAttributedTo")
AXIOM = _i(OWL + "Axiom")
ASOURCE = _i(OWL + "annotatedSource")
APROPERTY = _i(OWL + "annotatedProperty")
ATARGET = _i(OWL + "annotatedTarget")
QV = _i(QUDT + "QuantityValue")
VALUE = _i(QUDT + "value")
HAS_UNIT = _i(QUDT + "hasUnit")
HAS_KIND = _i(QUDT + "hasQuantityKind")
TITLE = _i(DCT + "title")
ISSUED = _i(DCT + "issued")
CREATOR = _i(DCT + "creator")
CITATION = _i(DCT + "bibliographicCitation")
DOI = _i(BIBO + "doi")
VOLUME = _i(BIBO + "volume")
PAGE_START = _i(BIBO + "pageStart")
PAGE_END = _i(BIBO + "pageEnd")
PAGES = _i(BIBO + "pages")
CITES = _i(CITO + "cites")

# Object properties whose triples carry an owl:Axiom with their evidence.
MITIGATES, APPLIES_TO, USES = S("mitigates"), S("appliesTo"), S("usesMaterial")
EXHIBITS, SUSCEPTIBLE, CONSTITUENT = S("exhibitsMechanism"), S("susceptibleTo"), S("hasConstituent")
CAUSES, CONTRIBUTES = S("causes"), S("contributesTo")

# ---------------------------------------------------------------------------------------------------------------
# What the synthetic data reuse from the shipped graph (checked to exist before anything is written)
# ---------------------------------------------------------------------------------------------------------------

# Per kind of electrolyte: the mechanisms and failure modes a new member may be reported to show.
EXPOSURE = {
    "oxide": (
        [
            "PoorDuctility",
            "DefectsAndLowDensity",
            "ElectronicConductivityOfElectrolyte",
            "PoorSolidSolidContact",
            "ChemicalIncompatibilityWithElectrodes",
        ],
        ["LithiumDendritePenetration", "InternalShortCircuit", "ElectrolyteFracture", "InterfacialImpedanceGrowth"],
    ),
    "sulfide": (
        ["MoistureReactivity", "AirInstability", "SideReactionWithLithium", "PoorSolidSolidContact"],
        ["HydrogenSulfideRelease", "InterfacialDegradation", "LithiumDendritePenetration", "PerformanceDegradation"],
    ),
    "hydride": (
        ["MoistureReactivity", "ElectronicConductivityOfElectrolyte", "SideReactionWithLithium"],
        ["LithiumDendritePenetration", "InterfacialDegradation"],
    ),
    "polymer": (
        [
            "LowShearModulus",
            "AnionMobility",
            "LowTransferenceNumber",
            "ElectrolyteFlammability",
            "ThermalInstabilityOfElectrolyte",
            "LithiumIonConcentrationGradient",
        ],
        ["LithiumDendritePenetration", "Combustion", "SeverePolarization", "InternalShortCircuit"],
    ),
    "single-ion": (
        ["LowShearModulus", "ThermalInstabilityOfElectrolyte", "LithiumIonPolymerCoupling"],
        ["LithiumDendritePenetration", "InterfacialImpedanceGrowth"],
    ),
    "composite": (
        ["PoorSolidSolidContact", "ElectrolyteFlammability", "LowShearModulus"],
        ["InterfacialDegradation", "LithiumDendritePenetration"],
    ),
    "multilayer": (
        ["PoorSolidSolidContact", "SideReactionWithLithium"],
        ["InterfacialImpedanceGrowth", "InterfacialDegradation"],
    ),
}

# (family class, word used in labels, weight, log10 conductivity range in S/cm, kind)
FAMILIES = [
    ("GarnetElectrolyte", "garnet", 10, (-5.0, -3.0), "oxide"),
    ("PerovskiteElectrolyte", "perovskite", 4, (-5.0, -3.0), "oxide"),
    ("NASICONElectrolyte", "NASICON phosphate", 5, (-5.0, -3.0), "oxide"),
    ("OxynitrideElectrolyte", "oxynitride", 2, (-7.0, -5.5), "oxide"),
    ("GlassySulfideElectrolyte", "glassy sulfide", 6, (-4.0, -2.2), "sulfide"),
    ("ThioLISICONElectrolyte", "thio-LISICON", 6, (-3.5, -1.9), "sulfide"),
    ("HydrideElectrolyte", "hydride", 3, (-8.0, -5.0), "hydride"),
    ("SolidPolymerElectrolyte", "polymer", 12, (-7.0, -3.5), "polymer"),
    ("BlendPolymerElectrolyte", "blend single-ion polymer", 2, (-6.5, -3.5), "single-ion"),
    ("RandomCopolymerElectrolyte", "random-copolymer single-ion polymer", 2, (-6.5, -3.5), "single-ion"),
    ("BlockCopolymerElectrolyte", "block-copolymer single-ion polymer", 2, (-6.5, -3.0), "single-ion"),
    ("TriblockCopolymerElectrolyte", "triblock-copolymer single-ion polymer", 2, (-6.5, -3.0), "single-ion"),
    ("InertFillerCompositeElectrolyte", "inert-filler composite", 5, (-5.5, -3.5), "composite"),
    ("ActiveFillerCompositeElectrolyte", "active-filler composite", 6, (-5.0, -3.0), "composite"),
    ("PolymerPolymerCompositeElectrolyte", "polymer-polymer composite", 2, (-6.0, -3.5), "composite"),
    ("MultilayerElectrolyte", "multilayer", 2, (-5.0, -3.0), "multilayer"),
]
FAMILY_DESCRIPTIONS = {
    "oxide": "an oxide framework",
    "sulfide": "a sulfide framework",
    "hydride": "a complex hydride",
    "polymer": "a salt dissolved in a host polymer",
    "single-ion": "anions tethered to the polymer chain",
    "composite": "two phases combined",
    "multilayer": "stacked electrolyte layers",
}
HOST_POLYMERS = ["PEO", "PVDF", "PAN", "PMMA", "PVC", "PVDFHFP"]
SALTS = ["LiTFSI", "LiFSI", "LiDFOB", "LiDFTFSI"]
INERT_FILLERS = ["SiO2", "TiO2", "Al2O3"]
ACTIVE_FILLERS = ["LLZO", "LGPS", "LAGP"]
ANIONIC_CENTRES = ["-SO2N(-)SO2CF3", "-SO3-", "-BO4-", "-CO2-", "-BO3-"]

# Strategy categories: (category, aspect, weight, what its strategies mitigate, materials they use, outcomes)
CATEGORIES = [
    (
        "AnodeDesign",
        "DendritePenetrationAspect",
        8,
        [
            "UnevenLithiumDeposition",
            "LithiumDendritePenetration",
            "HighLocalCurrentDensity",
            "ElectricFieldDisorder",
            "VolumeChange",
        ],
        ["LiInAlloy", "LiMgAlloy", "LiAlAlloy", "ThreeDLithiumAnode", "LithiophilicFramework", "ArtificialSEICoating"],
        ["StableCyclingDuration", "Overpotential", "StableCycleCount"],
    ),
    (
        "InterfaceEngineering",
        "InterfacialStabilityAspect",
        9,
        [
            "PoorSolidSolidContact",
            "SideReactionWithLithium",
            "InterfacialDegradation",
            "InterfacialImpedanceGrowth",
            "ChemicalIncompatibilityWithElectrodes",
            "MixedConductingInterphase",
        ],
        ["LithiophilicInterlayer", "PEOInterlayerSPE", "PYR13TFSIWettingAgent", "ArtificialSEICoating"],
        ["InterfacialImpedance", "StableCyclingDuration", "ReversibleCapacity"],
    ),
    (
        "CompositeDesign",
        "DendritePenetrationAspect",
        7,
        ["LowShearModulus", "LithiumDendritePenetration", "PoorDuctility", "InternalShortCircuit"],
        ["LLZO", "LAGP", "SiO2", "TiO2", "Al2O3", "Polyimide"],
        ["IonicConductivity", "ShearModulusMetric", "StableCyclingDuration"],
    ),
    (
        "ElectrolyteDesign",
        "DendritePenetrationAspect",
        8,
        [
            "LowTransferenceNumber",
            "AnionMobility",
            "ElectronicConductivityOfElectrolyte",
            "DefectsAndLowDensity",
            "LithiumIonConcentrationGradient",
            "LithiumDendritePenetration",
        ],
        ["LiTFSI", "LiFSI", "LiDFOB", "LiF"],
        ["IonicConductivity", "StableCyclingDuration", "ReversibleCapacity"],
    ),
    (
        "ThermalProtection",
        "EnvironmentalToleranceAspect",
        4,
        ["ThermalRunaway", "Combustion", "ElectrolyteFlammability", "ThermalInstabilityOfElectrolyte", "Overheating"],
        ["FlameRetardantAdditive", "ThermoresponsivePolymer"],
        ["ShutdownTemperature", "FlameExposureWithoutIgnition"],
    ),
    (
        "AirStabilityImprovement",
        "EnvironmentalToleranceAspect",
        3,
        ["MoistureReactivity", "AirInstability", "HydrogenSulfideRelease"],
        ["MetalOxideH2SAbsorber", "P2O5", "Li2O"],
        ["CompositionRatio", "StableCyclingDuration"],
    ),
    (
        "OperatingConditionControl",
        "DendritePenetrationAspect",
        1,
        ["HighLocalCurrentDensity", "UnevenLithiumDeposition"],
        [],
        ["StableCyclingDuration", "StableCycleCount"],
    ),
]
CATEGORY_WORDS = {
    "AnodeDesign": "anode design",
    "InterfaceEngineering": "interface engineering",
    "CompositeDesign": "composite design",
    "ElectrolyteDesign": "electrolyte design",
    "ThermalProtection": "thermal protection",
    "AirStabilityImprovement": "air-stability",
    "OperatingConditionControl": "operating-condition",
}
MECHANISM_CLASSES = ["MechanicalMechanism", "ElectrochemicalMechanism", "ChemicalMechanism", "ThermalMechanism"]
# Where a new mechanism may feed the chain: another mechanism (contributesTo) or a failure mode (causes).
CHAIN_TARGETS = {
    "MechanicalMechanism": (["LocalizedStress", "PoorSolidSolidContact"], ["ElectrolyteFracture", "VolumeChange"]),
    "ElectrochemicalMechanism": (
        ["UnevenLithiumDeposition", "HighLocalCurrentDensity"],
        ["LithiumDendritePenetration", "SeverePolarization"],
    ),
    "ChemicalMechanism": (["SideReactionWithLithium", "MoistureReactivity"], ["InterfacialDegradation"]),
    "ThermalMechanism": (["HeatGeneration", "ThermalInstabilityOfElectrolyte"], ["ThermalRunaway", "Overheating"]),
}
ANODES = ["LithiumMetal", "LithiumMetal", "LithiumMetal", "LiInAlloy", "ThreeDLithiumAnode"]
CATHODES = ["LithiumMetal", "LiCoO2", "TiS2", None]
QUALIFIERS = ["about", "up to", "more than", "over", "almost", "at least", "as low as"]
TOPICS = [
    "dendrite growth in solid electrolytes",
    "interfaces between solid electrolytes and lithium",
    "thermal safety of solid-state cells",
    "air stability of sulfide electrolytes",
    "composite electrolytes for lithium metal anodes",
    "polymer electrolytes with high transference numbers",
]
SURNAMES = [
    "Arden",
    "Bexley",
    "Calder",
    "Dunmore",
    "Ellery",
    "Fenwick",
    "Garrow",
    "Hollis",
    "Ivers",
    "Jarvik",
    "Kestrel",
    "Lomax",
    "Merrow",
    "Norcott",
    "Orlin",
    "Pellow",
    "Quarry",
    "Rowan",
    "Selby",
    "Tarrant",
    "Upwell",
    "Varga",
    "Wendel",
    "Yarrow",
    "Zenner",
]
INITIALS = "ABCDEFGHJKLMNPRSTWXYZ"

# Metric -> (quantity kind IRI, unit IRI, unit text as printed, low, high, log scale?)
OUTCOMES = {
    "StableCyclingDuration": (QK + "Time", UNIT + "HR", "h", 100.0, 3000.0, True),
    "StableCycleCount": (QK + "Count", UNIT + "NUM", "cycles", 100.0, 2000.0, True),
    "InterfacialImpedance": (SSLMB + "ArealResistance", SSLMB + "OHM-CentiM2", "Ω cm²", 5.0, 500.0, True),
    "Overpotential": (QK + "Voltage", UNIT + "MilliV", "mV", 5.0, 200.0, True),
    "ReversibleCapacity": (QK + "SpecificElectricCharge", UNIT + "MilliA-HR-PER-GM", "mA h g⁻¹", 80.0, 200.0, False),
    "ShutdownTemperature": (QK + "Temperature", UNIT + "DEG_C", "°C", 60.0, 150.0, False),
    "FlameExposureWithoutIgnition": (QK + "Time", UNIT + "SEC", "s", 5.0, 60.0, False),
    "CompositionRatio": (QK + "DimensionlessRatio", UNIT + "UNITLESS", ":1", 1.5, 4.0, False),
    "ShearModulusMetric": (QK + "ShearModulus", UNIT + "MegaPA", "MPa", 1.0, 2000.0, True),
    "IonicConductivity": (QK + "ElectricConductivity", UNIT + "S-PER-CentiM", "S cm⁻¹", 1e-5, 1e-3, True),
}
METRIC_WORDS = {
    "StableCyclingDuration": "stable cycling duration",
    "StableCycleCount": "stable cycle count",
    "InterfacialImpedance": "interfacial impedance",
    "Overpotential": "overpotential",
    "ReversibleCapacity": "reversible capacity",
    "ShutdownTemperature": "shutdown temperature",
    "FlameExposureWithoutIgnition": "flame exposure without ignition",
    "CompositionRatio": "composition ratio",
    "ShearModulusMetric": "shear modulus",
    "IonicConductivity": "ionic conductivity",
    "LithiumTransferenceNumber": "lithium transference number",
}
NEEDS_CELL = {
    "StableCyclingDuration",
    "StableCycleCount",
    "InterfacialImpedance",
    "Overpotential",
    "ReversibleCapacity",
}
NEEDS_MATERIAL = {"ShearModulusMetric", "IonicConductivity", "FlameExposureWithoutIgnition", "CompositionRatio"}

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def vocabulary() -> set[str]:
    """Every shipped IRI (local names in the sslmb namespace, full IRIs otherwise) that the generator uses."""
    used = {f[0] for f in FAMILIES} | set(MECHANISM_CLASSES) | set(METRIC_WORDS)
    for mechanisms, failures in EXPOSURE.values():
        used |= set(mechanisms) | set(failures)
    for category, aspect, _, targets, materials, metrics in CATEGORIES:
        used |= {category, aspect, *targets, *materials, *metrics}
    for mechanisms, failures in CHAIN_TARGETS.values():
        used |= set(mechanisms) | set(failures)
    used |= set(HOST_POLYMERS) | set(SALTS) | set(INERT_FILLERS) | set(ACTIVE_FILLERS)
    used |= {a for a in ANODES} | {c for c in CATHODES if c} | {"Polyimide", "LithiumMetal", "ResearchGroup"}
    return {u if "://" in u else SSLMB + u for u in used}


# ---------------------------------------------------------------------------------------------------------------
# N-Triples writing
# ---------------------------------------------------------------------------------------------------------------


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def en(text: str) -> str:
    return f'"{_escape(text)}"@en'


def plain(text: str) -> str:
    return f'"{_escape(text)}"'


def typed(lexical: str, datatype: str) -> str:
    return f'"{lexical}"^^<{XSD}{datatype}>'


class Writer:
    """Buffered N-Triples output that counts what it writes and names blank nodes deterministically."""

    def __init__(self, fh, quads: bool = False) -> None:
        self.fh = fh
        self.quads = quads  # N-Quads: each synthetic source's statements in its own named graph
        self.graph = ""  # the named graph being written (N-Quads only), as " <iri>"
        self.triples = 0
        self._blank = 0
        self._buffer: list[str] = []

    def add(self, s: str, p: str, o: str) -> None:
        self._buffer.append(f"{s} {p} {o}{self.graph} .\n")
        self.triples += 1
        if len(self._buffer) >= 16384:
            self.flush()

    def flush(self) -> None:
        self.fh.write("".join(self._buffer))
        self._buffer.clear()

    def blank(self) -> str:
        self._blank += 1
        return f"_:b{self._blank}"

    def link(self, s: str, p: str, o: str, parts: list[str], refs: list[str]) -> None:
        """A link triple and its owl:Axiom annotation: where it was read and what it rests on."""
        self.add(s, p, o)
        axiom = self.blank()
        self.add(axiom, A, AXIOM)
        self.add(axiom, ASOURCE, s)
        self.add(axiom, APROPERTY, p)
        self.add(axiom, ATARGET, o)
        for part in parts:
            self.add(axiom, DERIVED, part)
        for ref in refs:
            self.add(axiom, PRIMARY, ref)

    def condition(self, owner: str, prop: str, value: str, unit: str, kind: str) -> None:
        """A measurement condition: a blank-node quantity value hanging off a reported number."""
        node = self.blank()
        self.add(owner, S(prop), node)
        self.add(node, A, QV)
        self.add(node, VALUE, typed(value, "double"))
        self.add(node, HAS_UNIT, _i(unit))
        self.add(node, HAS_KIND, _i(kind))


# ---------------------------------------------------------------------------------------------------------------
# The generator
# ---------------------------------------------------------------------------------------------------------------


def _num(x: float) -> str:
    """A value rounded to 3 significant digits, written without an exponent where that reads naturally."""
    if x >= 100:
        return str(round(x))
    if x >= 1e-4:
        return f"{x:.3g}"
    return _scientific(x)[0]


def _scientific(x: float) -> tuple[str, str]:
    """``x`` as an xsd:double lexical form with one decimal of mantissa, and as a review would print it."""
    e = math.floor(math.log10(x))
    mantissa = round(x / 10**e, 1)
    if mantissa >= 10:
        mantissa, e = 1.0, e + 1
    return f"{mantissa}e{e}", f"{mantissa} × 10{str(e).translate(_SUPERSCRIPT)}"


class Grower:
    """Writes synthetic reviews one after another until the target number of triples is reached."""

    def __init__(self, out: Writer, seed: int, refs: list[str], journals: list[tuple[str, str]]) -> None:
        self.w = out
        self.rng = random.Random(seed)
        self.refs = refs  # IRIs of the shipped numbered references, in reference-number order
        self.journals = journals  # (IRI, abbreviation), sorted by IRI
        self.counts: dict[str, int] = {}
        self._formulas: set[str] = set()
        self._family_weights = [f[2] for f in FAMILIES]
        self._category_weights = [c[2] for c in CATEGORIES]

    def next_id(self, kind: str) -> int:
        self.counts[kind] = self.counts.get(kind, 0) + 1
        return self.counts[kind]

    # ------------------------------------------------------------------ helpers

    def people(self, low: int, high: int) -> list[str]:
        """Between ``low`` and ``high`` distinct author names."""
        r = self.rng
        surnames = r.sample(SURNAMES, r.randint(low, high))
        return [f"{r.choice(INITIALS)}. {surname}" for surname in surnames]

    def entity(
        self, iri: str, classes: list[str], label: str, definition: str | None, parts: list[str], refs: list[str]
    ) -> None:
        w = self.w
        w.add(iri, A, NAMED)
        for cls in classes:
            w.add(iri, A, cls)
        w.add(iri, LABEL, en(label))
        if definition:
            w.add(iri, DEFINITION, en(definition))
        for part in parts:
            w.add(iri, DERIVED, part)
        for ref in refs:
            w.add(iri, PRIMARY, ref)

    def pick(self, pool: list, k_max: int) -> list:
        return self.rng.sample(pool, min(len(pool), self.rng.randint(1, k_max)))

    # ------------------------------------------------------------------ one synthetic review

    def review(self) -> None:
        r, w = self.rng, self.w
        n = self.next_id("reviews")
        rid = f"{n:06d}"
        review = S(f"SynthReview{rid}")
        journal, _ = r.choice(self.journals)
        year = r.randint(2018, 2025)
        authors = self.people(3, 6)
        topic = r.choice(TOPICS)
        per_source = w.quads
        if per_source:  # a source of its own: its statements in its graph, its record saying which graph
            graph = f"{GRAPH_BASE}synth{rid}"
            w.graph = f" <{graph}>"
        self.entity(review, [S("Review")], f"Synthetic review {rid}", None, [], [])
        if per_source:
            w.add(review, S("sourceKey"), plain(f"synth{rid}"))
            w.add(review, S("factsInGraph"), _i(graph))
        w.add(review, TITLE, en(f"Synthetic review {rid} on {topic}"))
        w.add(review, DOI, plain(f"10.5555/sslmb-synth.{rid}"))
        w.add(review, S("publishedIn"), journal)
        w.add(review, VOLUME, plain(str(r.randint(1, 40))))
        w.add(review, PAGE_START, plain(str(r.randint(1, 9000))))
        w.add(review, ISSUED, typed(str(year), "gYear"))
        w.add(review, S("firstAuthor"), plain(authors[0]))
        for author in authors:
            w.add(review, CREATOR, plain(author))

        # its parts: abstract, numbered sections, a table, figures with panels, the reference list
        def part(local: str, cls: str, label: str, number: str | None, title: str, parent: str) -> str:
            iri = S(f"SynthReview{rid}_{local}")
            self.entity(iri, [S(cls)], f"{label} of synthetic review {rid}", None, [iri], [])
            if number:
                w.add(iri, S("sectionNumber"), plain(number))
            w.add(iri, TITLE, en(title))
            w.add(iri, S("partOf"), parent)
            return iri

        abstract = part("Abstract", "Section", "Abstract", None, "Abstract", review)
        w.add(review, DERIVED, abstract)
        sections = [
            part(f"Section{k}", "Section", f"Section {k}", str(k), f"Synthetic section {k} on {topic}", review)
            for k in range(1, r.randint(3, 5) + 1)
        ]
        table = part(
            "Table1", "Table", "Table 1", "Table 1", "Synthetic electrolytes with their conductivities", sections[0]
        )
        figures = []
        for k in range(1, r.randint(1, 3) + 1):
            thermal = r.random() < 0.25
            caption = "Flame test of a synthetic electrolyte" if thermal else f"Synthetic cycling data {k}"
            figure = part(f"Fig{k}", "Figure", f"Fig. {k}", f"Fig. {k}", caption, r.choice(sections))
            figures.append(figure)
        reference_list = part("ReferenceList", "Section", "Reference list", None, "References", review)
        where = sections + figures

        # its bibliography: new publications, cited by the review
        bibliography: list[str] = []
        for k in range(1, r.randint(6, 14) + 1):
            pub = S(f"SynthReview{rid}_Ref{k}")
            pub_journal, abbreviation = r.choice(self.journals)
            pub_year = r.randint(1995, year)
            pub_authors = self.people(2, 6)
            volume, first = r.randint(1, 150), r.randint(1, 12000)
            last = first + r.randint(3, 15)
            label = f"Synthetic ref. {k} of review {rid}: {pub_authors[0].split()[-1]} et al. {pub_year}"
            if per_source:  # numbered within its own source, as a curation file's references are
                self.entity(pub, [S("CitedWork")], label, None, [reference_list], [])
                w.add(pub, S("referenceNumber"), typed(str(k), "integer"))
                bibliography.append(pub)
            else:
                self.entity(pub, [S("Publication")], label, None, [reference_list], [])
            w.add(pub, S("firstAuthor"), plain(pub_authors[0]))
            for author in pub_authors:
                w.add(pub, CREATOR, plain(author))
            w.add(pub, S("publishedIn"), pub_journal)
            w.add(pub, VOLUME, plain(str(volume)))
            w.add(pub, PAGE_START, plain(str(first)))
            w.add(pub, PAGE_END, plain(str(last)))
            w.add(pub, PAGES, plain(f"{first}–{last}"))
            w.add(pub, ISSUED, typed(str(pub_year), "gYear"))
            names = ", ".join(pub_authors[:-1]) + " and " + pub_authors[-1]
            w.add(pub, CITATION, plain(f"{names}, {abbreviation}, {pub_year}, {volume}, {first}–{last}."))
            w.add(review, CITES, pub)

        # the literature its facts rest on: a handful of the shipped numbered references
        # (a source of its own rests on works it cites itself: a fact may not rest on another source's reference)
        pool = bibliography if per_source else self.refs
        literature = r.sample(pool, min(len(pool), r.randint(3, 8)))
        group_n = self.next_id("groups")
        group = S(f"SynthGroup{group_n:06d}")
        self.entity(
            group,
            [S("ResearchGroup")],
            f"Synthetic group {group_n:06d}",
            f"A research group invented for scale tests, credited with the work of synthetic review {rid}.",
            [sections[0]],
            [r.choice(literature)],
        )

        mechanisms = []
        if r.random() < 0.1:
            mechanisms.append(self.mechanism(where, literature))
        electrolytes: list[tuple[str, str, str]] = []
        for _ in range(r.randint(1, 5)):
            electrolytes.append(self.electrolyte(where, table, literature, group, electrolytes))
        for _ in range(r.randint(1, 4)):
            self.strategy(where, literature, group, electrolytes, mechanisms)

    # ------------------------------------------------------------------ a new mechanism in the causal chain

    def mechanism(self, where: list[str], literature: list[str]) -> str:
        r, w = self.rng, self.w
        n = self.next_id("mechanisms")
        cls = r.choice(MECHANISM_CLASSES)
        iri = S(f"SynthMechanism{n:06d}")
        word = cls.replace("Mechanism", "").lower()
        parts, refs = [r.choice(where)], [r.choice(literature)]
        self.entity(
            iri,
            [S(cls)],
            f"Synthetic {word} mechanism {n:06d}",
            f"A {word} cause of cell failure invented for scale tests (synthetic record {n}).",
            parts,
            refs,
        )
        w.add(
            iri,
            S("concernsAspect"),
            S(r.choice(["DendritePenetrationAspect", "InterfacialStabilityAspect", "EnvironmentalToleranceAspect"])),
        )
        others, failures = CHAIN_TARGETS[cls]
        if r.random() < 0.5:
            w.link(iri, CONTRIBUTES, S(r.choice(others)), parts, refs)
        else:
            w.link(iri, CAUSES, S(r.choice(failures)), parts, refs)
        return iri

    # ------------------------------------------------------------------ a new electrolyte with its numbers

    def electrolyte(self, where, table, literature, group, earlier) -> tuple[str, str, str]:
        r, w = self.rng, self.w
        cls, word, _, (lo, hi), kind = r.choices(FAMILIES, weights=self._family_weights)[0]
        n = self.next_id("electrolytes")
        code = f"{n:06d}"
        iri = S(f"SynthElectrolyte{code}")
        label = f"Synthetic {word} {code}"
        parts = [table] + ([r.choice(where)] if r.random() < 0.5 else [])  # where holds no table
        refs = [r.choice(literature)]
        classes = [S(cls)]
        if kind in ("oxide", "sulfide") and r.random() < 0.1:
            classes.append(S("ActiveFiller"))
        self.entity(
            iri,
            classes,
            label,
            f"A {word} electrolyte built on {FAMILY_DESCRIPTIONS[kind]}, generated for scale tests "
            f"(synthetic record {n}); not a real material.",
            parts,
            refs,
        )
        if r.random() < 0.3:
            w.add(iri, ATTRIBUTED, group)
        formula = self.formula(cls, kind)
        if formula:
            w.add(iri, ALT, en(formula))
            w.add(iri, S("formula"), plain(formula))
        if kind == "single-ion":
            w.add(iri, S("anionicCenter"), plain(r.choice(ANIONIC_CENTRES)))

        mechanisms, failures = EXPOSURE[kind]
        for mechanism in self.pick(mechanisms, 2):
            w.link(iri, EXHIBITS, S(mechanism), parts[:1], refs)
        if r.random() < 0.5:
            w.link(iri, SUSCEPTIBLE, S(r.choice(failures)), parts[:1], refs)
        for constituent in self.constituents(kind, cls, earlier):
            w.link(iri, CONSTITUENT, constituent, parts[:1], refs)

        # numbers: conductivity always (mostly near room temperature), transference for single-ion polymers,
        # shear modulus now and then
        exponent = r.uniform(lo, hi)
        temperature = r.choice([25, 25, 25, 25, 20, 30, 60, 80])
        self.conductivity(iri, label, exponent, temperature, parts[:1], refs, uncertain=r.random() < 0.03)
        if kind == "single-ion":
            t = round(r.uniform(0.8, 0.98), 2)
            q = S(f"SynthElectrolyte{code}_TransferenceNumber")
            self.number(
                iri,
                S("hasQuantity"),
                q,
                f"{label} lithium transference number",
                "LithiumTransferenceNumber",
                QK + "IonTransportNumber",
                UNIT + "UNITLESS",
                f"{t}",
                f"{t} ({temperature} °C)",
                parts[:1],
                refs,
            )
            w.condition(q, "atTemperature", str(temperature), UNIT + "DEG_C", QK + "Temperature")
        if r.random() < 0.2:
            polymer = kind in ("polymer", "single-ion", "composite")
            value = _num(10 ** r.uniform(-1.0, 1.5)) if polymer else _num(r.uniform(10.0, 80.0))
            unit, unit_text = (UNIT + "MegaPA", "MPa") if polymer else (UNIT + "GigaPA", "GPa")
            q = S(f"SynthElectrolyte{code}_ShearModulus")
            self.number(
                iri,
                S("hasQuantity"),
                q,
                f"{label} shear modulus",
                "ShearModulusMetric",
                QK + "ShearModulus",
                unit,
                value,
                f"{value} {unit_text}",
                parts[:1],
                refs,
            )
        return iri, cls, kind

    def formula(self, cls: str, kind: str) -> str | None:
        """A composition no earlier synthetic electrolyte has: two sources naming one composition as two
        entities is what queries/checks/duplicate-entity-across-sources-violation.rq reports."""
        for _ in range(20):
            formula = self._formula(cls)
            if formula is None or formula not in self._formulas:
                break
        else:
            return None
        if formula is not None:
            self._formulas.add(formula)
        return formula

    def _formula(self, cls: str) -> str | None:
        r = self.rng
        x = r.uniform(0.1, 0.7)
        if cls == "GarnetElectrolyte":
            return f"Li{7 - x:.2f}La3Zr{2 - x:.2f}{r.choice(['Ta', 'Nb', 'Te', 'Sb', 'W'])}{x:.2f}O12"
        if cls == "PerovskiteElectrolyte":
            return f"Li{3 * x / 4:.3f}La{0.67 - x / 4:.3f}TiO3"
        if cls == "NASICONElectrolyte":
            return f"Li{1 + x:.2f}Al{x:.2f}{r.choice(['Ge', 'Ti'])}{2 - x:.2f}(PO4)3"
        if cls == "OxynitrideElectrolyte":
            return f"Li{2.5 + x:.2f}PO{3.5 - x:.2f}N{x:.2f}"
        if cls == "GlassySulfideElectrolyte":
            share = r.randint(600, 800) / 10
            return f"{share:g}Li2S-{100 - share:g}P2S5"
        if cls == "ThioLISICONElectrolyte":
            return f"Li{9.5 + x:.2f}{r.choice(['Ge', 'Sn', 'Si'])}P2S{12 - x:.2f}Cl{x:.2f}"
        if cls == "HydrideElectrolyte":
            return f"LiBH4-{x:.2f}Li{r.choice(['Cl', 'Br', 'I'])}"
        return None

    def constituents(self, kind: str, cls: str, earlier: list[tuple[str, str, str]]) -> list[str]:
        r = self.rng
        if kind in ("polymer", "single-ion"):
            return [S(r.choice(HOST_POLYMERS)), S(r.choice(SALTS))] if kind == "polymer" else [S(r.choice(SALTS))]
        if cls == "InertFillerCompositeElectrolyte":
            return [S(r.choice(HOST_POLYMERS)), S(r.choice(INERT_FILLERS))]
        if cls == "ActiveFillerCompositeElectrolyte":
            inorganic = [e[0] for e in earlier if e[2] in ("oxide", "sulfide")]
            filler = r.choice(inorganic) if inorganic and r.random() < 0.5 else S(r.choice(ACTIVE_FILLERS))
            return [S(r.choice(HOST_POLYMERS)), filler]
        if cls == "PolymerPolymerCompositeElectrolyte":
            return [S("PEO"), S(r.choice(["Polyimide", "PVDFHFP", "PAN"]))]
        if kind == "multilayer":
            layers = [e[0] for e in earlier if e[2] != "multilayer"]
            if len(layers) >= 2:
                return r.sample(layers, 2)
            return [S("LGPS"), S("LPSO")]
        return []

    def conductivity(self, owner, label, exponent, temperature, parts, refs, uncertain: bool) -> None:
        r, w = self.rng, self.w
        q = f"{owner[:-1]}_IonicConductivity>"
        value, shown = _scientific(10**exponent)
        if r.random() < 0.8:
            unit, printed = UNIT + "S-PER-CentiM", f"{shown} S cm⁻¹ ({temperature} °C)"
        else:
            value = _num(float(value) * 1000)
            unit, printed = UNIT + "MilliS-PER-CentiM", f"{value} mS cm⁻¹ at {temperature} °C"
        self.number(
            owner,
            S("hasQuantity"),
            q,
            f"{label} ionic conductivity",
            "IonicConductivity",
            QK + "ElectricConductivity",
            unit,
            value,
            printed,
            parts,
            refs,
        )
        w.condition(q, "atTemperature", str(temperature), UNIT + "DEG_C", QK + "Temperature")
        if uncertain:
            w.add(q, S("uncertainReading"), typed("true", "boolean"))
            w.add(
                q,
                NOTE,
                en(
                    "Synthetic record: the generated source prints the exponent ambiguously; the "
                    "smaller reading is kept."
                ),
            )

    def number(
        self,
        holder,
        prop,
        q,
        label,
        metric,
        kind,
        unit,
        value,
        printed,
        parts,
        refs,
        qualifier: str | None = None,
        attributed: str | None = None,
    ) -> None:
        """A named quantity value attached to ``holder`` (sslmb:hasQuantity or sslmb:hasOutcome)."""
        w = self.w
        w.add(holder, prop, q)
        self.entity(q, [QV], label, None, parts, refs)
        w.add(q, S("metric"), S(metric))
        w.add(q, HAS_KIND, _i(kind))
        w.add(q, VALUE, typed(value, "double"))
        w.add(q, HAS_UNIT, _i(unit))
        w.add(q, S("printedAs"), plain(printed))
        if qualifier:
            w.add(q, S("qualifier"), plain(qualifier))
        if attributed:
            w.add(q, ATTRIBUTED, attributed)

    # ------------------------------------------------------------------ a new strategy with its outcomes

    def strategy(self, where, literature, group, electrolytes, new_mechanisms) -> None:
        r, w = self.rng, self.w
        category, aspect, _, targets, materials, metrics = r.choices(CATEGORIES, weights=self._category_weights)[0]
        n = self.next_id("strategies")
        code = f"{n:06d}"
        iri = S(f"SynthStrategy{code}")
        label = f"Synthetic {CATEGORY_WORDS[category]} strategy {code}"
        parts = [r.choice(where)]
        refs = self.pick(literature, 2)
        self.entity(
            iri,
            [S("MitigationStrategy")],
            label,
            f"A {CATEGORY_WORDS[category]} measure invented for scale tests (synthetic record {n}); it "
            "stands for the kind of remedy a new paper reports.",
            parts,
            refs,
        )
        w.add(iri, S("hasCategory"), S(category))
        if r.random() < 0.2:
            other = r.choice(CATEGORIES)[0]
            if other != category:
                w.add(iri, S("hasCategory"), S(other))
        w.add(iri, S("concernsAspect"), S(aspect))
        w.add(iri, ATTRIBUTED, group)

        mitigated = [S(t) for t in self.pick(targets, 3)]
        if new_mechanisms and r.random() < 0.5:
            mitigated.append(r.choice(new_mechanisms))
        for target in mitigated:
            w.link(iri, MITIGATES, target, parts, refs)
        # what it applies to: one of the review's electrolytes, else a family or lithium itself
        applied = r.choice(electrolytes)
        if r.random() < 0.7:
            applied_iri = applied[0]
        else:
            applied_iri = S(r.choice([applied[1], "LithiumMetal"]))
        w.link(iri, APPLIES_TO, applied_iri, parts, refs)
        if materials and r.random() < 0.7:
            for material in self.pick(materials, 2):
                w.link(iri, USES, S(material), parts, refs)

        cell = None
        for metric in r.sample(metrics, r.randint(1, min(2, len(metrics)))):
            q = S(f"SynthStrategy{code}_{metric}")
            if metric in NEEDS_CELL and cell is None:
                cell = self.cell(applied[0], parts, refs)
            self.outcome(iri, label, q, metric, applied[0], cell, parts, refs, group)

    def cell(self, electrolyte: str, parts, refs) -> str:
        r = self.rng
        n = self.next_id("cells")
        iri = S(f"SynthCell{n:06d}")
        anode, cathode = r.choice(ANODES), r.choice(CATHODES)
        self.entity(
            iri,
            [S("Cell")],
            f"Synthetic test cell {n:06d}",
            "A test cell invented for scale tests, built from the listed electrodes and electrolyte.",
            parts,
            refs,
        )
        self.w.add(iri, S("hasAnode"), S(anode))
        self.w.add(iri, S("hasElectrolyte"), electrolyte)
        if cathode:
            self.w.add(iri, S("hasCathode"), S(cathode))
        return iri

    def outcome(self, strategy, strategy_label, q, metric, material, cell, parts, refs, group) -> None:
        r, w = self.rng, self.w
        kind, unit, unit_text, lo, hi, log = OUTCOMES[metric]
        x = 10 ** r.uniform(math.log10(lo), math.log10(hi)) if log else r.uniform(lo, hi)
        if metric in ("StableCycleCount", "ShutdownTemperature", "FlameExposureWithoutIgnition"):
            x = round(x)
        if metric == "IonicConductivity":
            value, shown = _scientific(x)
        else:
            value = shown = _num(x)
        qualifier = r.choice(QUALIFIERS) if r.random() < 0.25 and metric != "IonicConductivity" else None
        printed = f"{qualifier + ' ' if qualifier else ''}{shown} {unit_text}".replace(" :1", ":1")
        self.number(
            strategy,
            S("hasOutcome"),
            q,
            f"{strategy_label} {METRIC_WORDS[metric]}",
            metric,
            kind,
            unit,
            value,
            printed,
            parts,
            refs,
            qualifier=qualifier,
            attributed=group,
        )
        if metric in NEEDS_CELL and cell:
            w.add(q, S("measuredIn"), cell)
        if metric in NEEDS_MATERIAL:
            w.add(q, S("ofMaterial"), material)
        if metric in ("StableCyclingDuration", "StableCycleCount", "InterfacialImpedance"):
            density = r.choice(["0.05", "0.1", "0.1", "0.2", "0.3", "0.5", "1.0"])
            w.condition(q, "atCurrentDensity", density, SSLMB + "MilliA-PER-CentiM2", QK + "ElectricCurrentDensity")
        if metric in ("StableCyclingDuration", "IonicConductivity") and r.random() < 0.5:
            w.condition(q, "atTemperature", str(r.choice([25, 25, 30, 60])), UNIT + "DEG_C", QK + "Temperature")
        if metric == "ReversibleCapacity":
            w.condition(q, "afterCycles", str(r.choice([50, 100, 200, 500])), UNIT + "NUM", QK + "Count")
            w.condition(q, "atCRate", r.choice(["0.1", "0.2", "0.5", "1.0"]), SSLMB + "C-RATE", SSLMB + "CRate")
        if metric == "Overpotential":
            w.condition(q, "overDuration", str(r.choice([100, 200, 500])), UNIT + "HR", QK + "Time")


# ---------------------------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------------------------


def shipped_context() -> tuple[int, list[str], list[tuple[str, str]]]:
    """The shipped graph's size, its numbered references and its journals; fails if a reused IRI is missing."""
    import kg

    g = kg.load()
    present = {row["x"] for row in g.select("SELECT DISTINCT ?x WHERE { ?x ?p ?o FILTER(isIRI(?x)) }")}
    missing = sorted(iri for iri in vocabulary() if iri not in present)
    if missing:
        raise SystemExit(f"synth.py: the shipped graph lacks {', '.join(missing)}; update the generator's lists")
    refs = [
        row["w"]
        for row in g.select("SELECT ?w ?n WHERE { ?w a sslmb:CitedWork ; sslmb:referenceNumber ?n } ORDER BY ?n")
    ]
    journals = [
        (f"<{row['j']}>", row["a"])
        for row in g.select("SELECT ?j ?a WHERE { ?j a sslmb:Journal ; sslmb:journalAbbreviation ?a } ORDER BY ?j")
    ]
    return len(g), [f"<{ref}>" for ref in refs], journals


def generate(path: Path, extra: int, seed: int, refs: list[str], journals: list[tuple[str, str]]) -> dict:
    """Write synthetic reviews to ``path`` (atomically) until at least ``extra`` triples are written."""
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    try:
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            out = Writer(fh, quads=path.suffix == ".nq")
            grower = Grower(out, seed, refs, journals)
            while out.triples < extra:
                grower.review()
            out.flush()
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return {"triples": out.triples, **grower.counts}


def _count(text: str) -> int:
    value = float(text)
    if value < 0 or value != int(value):
        raise argparse.ArgumentTypeError(f"not a whole non-negative number: {text}")
    return int(value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    size = parser.add_mutually_exclusive_group(required=True)
    size.add_argument("--triples", type=_count, help="size of the full graph (shipped + synthetic), e.g. 1e6")
    size.add_argument("--extra", type=_count, help="number of synthetic triples to write, e.g. 1e4")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        help="the file to write: .nq (one named graph per synthetic source) or .nt (one graph)",
    )
    args = parser.parse_args(argv)

    started = time.perf_counter()
    shipped, refs, journals = shipped_context()
    extra = args.extra if args.extra is not None else max(0, args.triples - shipped)
    counts = generate(args.output, extra, args.seed, refs, journals)
    seconds = time.perf_counter() - started
    import resource

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    detail = ", ".join(f"{v} {k}" for k, v in counts.items() if k != "triples")
    print(
        f"{args.output}: {counts['triples']} synthetic triples ({detail}); with the shipped graph "
        f"{shipped + counts['triples']} triples; {seconds:.1f} s, peak memory {peak_mb:.0f} MB",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
