"""The RDF a curation document becomes: the source's record, its parts and cited works, new entities, links with
their ``owl:Axiom`` evidence, and QUDT quantity values with units and conditions, all in the source's named graph.

The same document always gives the same quads (blank nodes are labelled from the fact's place in the file), so a
source converted twice is byte-identical and a change to one fact changes only that fact's triples.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox

from kg.core.backends.union import graph_iri
from kg.core.errors import ListedInputError, echo
from kg.core.namespaces import BIBO, CITO, DCTERMS, OWL, PROV, RDF, RDFS, SCHEMA, SKOS, SSLMB, XSD
from kg.ingest.convert.document import Source
from kg.ingest.convert.names import USES, Names, new_iri
from kg.ingest.convert.numbers import Numbers, _lit, _n

_KIND_CLASS = {
    "failure_modes": {
        "electrochemical": "ElectrochemicalFailure",
        "mechanical": "MechanicalFailure",
        "thermal": "ThermalFailure",
        "chemical": "ChemicalHazard",
        None: "FailureMode",
    },
    "mechanisms": {
        "mechanical": "MechanicalMechanism",
        "electrochemical": "ElectrochemicalMechanism",
        "chemical": "ChemicalMechanism",
        "thermal": "ThermalMechanism",
        "external": "ExternalAbuse",
        None: "Mechanism",
    },
}
_SOURCE_CLASS = {"review": "Review", "article": "Article", "dataset": "DataSet"}
_LICENCES = {
    "cc-by-4.0": "https://creativecommons.org/licenses/by/4.0/",
    "cc-by-3.0": "https://creativecommons.org/licenses/by/3.0/",
    "cc-by-nc-4.0": "https://creativecommons.org/licenses/by-nc/4.0/",
    "cc0-1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
    "mit": "https://opensource.org/licenses/MIT",
}
_SCOPES = {"typical": "TypicalOfMembers", "some": "SomeMembers", "group": "GroupAsAWhole"}


class Emitter(Numbers):
    """Builds the quads of one source's graph; :meth:`run` returns them in order."""

    def __init__(self, graph: Any, source: Source, names: Names) -> None:
        self.graph, self.source, self.names = graph, source, names
        self.key = source.key
        self.g = _n(graph_iri(self.key))
        self.quads: list[ox.Quad] = []
        self.header = source.data["source"]
        self.source_iri = self._source_iri()
        self.parts: dict[str, str] = {}
        self.works: dict[str, str] = {}
        self.metric_kinds = self._metric_kinds()
        self.problems: list[str] = []
        self.places: dict[str, str] = {}  # a node this file makes -> where in the file (for validation messages)

    # ------------------------------------------------------------------ basics

    def add(self, s: ox.NamedNode | ox.BlankNode, p: str, o: ox.NamedNode | ox.BlankNode | ox.Literal) -> None:
        self.quads.append(ox.Quad(s, _n(p), o, self.g))

    def blank(self, *path: object) -> ox.BlankNode:
        digest = hashlib.sha256(repr((self.key, path)).encode()).hexdigest()[:24]
        return ox.BlankNode("b" + digest)

    def _source_iri(self) -> str:
        found = self.graph.select("SELECT ?s ?k WHERE { ?s sslmb:sourceKey ?k }")
        for row in found:
            if str(row["k"]) == self.key:
                return str(row["s"])
        return new_iri("source", self.key)

    def _metric_kinds(self) -> dict[str, set[str]]:
        kinds: dict[str, set[str]] = {}
        for row in self.graph.select("SELECT DISTINCT ?m ?k WHERE { ?q sslmb:metric ?m ; qudt:hasQuantityKind ?k }"):
            kinds.setdefault(str(row["m"]), set()).add(str(row["k"]))
        return kinds

    # ------------------------------------------------------------------ the source and its parts

    def source_record(self) -> None:
        h, s = self.header, _n(self.source_iri)
        self.add(s, RDF + "type", _n(OWL + "NamedIndividual"))
        self.add(s, RDF + "type", _n(SSLMB + _SOURCE_CLASS[h["kind"]]))
        self.add(s, RDFS + "label", _lit(self.short(), lang="en"))
        self.add(s, DCTERMS + "title", _lit(h["title"], lang="en"))
        for author in h["authors"]:
            self.add(s, DCTERMS + "creator", _lit(author))
        self.add(s, DCTERMS + "issued", _lit(h["year"], XSD + "gYear"))
        self.add(s, SSLMB + "sourceKey", _lit(self.key))
        self.add(s, SSLMB + "factsInGraph", self.g)
        if h.get("doi"):
            self.add(s, BIBO + "doi", _lit(h["doi"]))
        if h.get("url"):
            self.add(s, SCHEMA + "url", _lit(h["url"], XSD + "anyURI"))
        if h.get("read_at"):
            self.add(s, SSLMB + "readAt", _lit(h["read_at"], XSD + "anyURI"))
        licence = str(h["licence"])
        if licence.lower() in _LICENCES or licence.startswith("http"):
            self.add(s, DCTERMS + "license", _n(_LICENCES.get(licence.lower(), licence)))
        else:
            self.add(s, SKOS + "editorialNote", _lit(f"Licence as the curation file gives it: {licence}.", lang="en"))
        for key, prop in (
            ("journal", DCTERMS + "isPartOf"),
            ("publisher", DCTERMS + "publisher"),
            ("version", OWL + "versionInfo"),
            ("attribution", DCTERMS + "bibliographicCitation"),
        ):
            if h.get(key):
                self.add(s, prop, _lit(h[key]))
        if h.get("curated"):
            self.add(s, DCTERMS + "created", _lit(h["curated"], XSD + "date"))
        if h.get("curator"):
            self.add(s, DCTERMS + "contributor", _lit(h["curator"]))
        if h.get("note"):
            self.add(s, SKOS + "editorialNote", _lit(h["note"], lang="en"))

    def short(self) -> str:
        """How the source is named in labels: its title, with the year."""
        return f"{self.header['title']} ({self.header['year']})"

    def part(self, where: Any) -> tuple[str, str | None]:
        """The part a ``where`` names (created once), or the source itself; and a table row, if one is named."""
        if where is None:
            return self.source_iri, None
        if isinstance(where, dict) and set(where) == {"row"}:
            return self.source_iri, str(where["row"])
        text = (
            where
            if isinstance(where, str)
            else ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in where.items() if k != "sentence_start")
        )
        start = where.get("sentence_start") if isinstance(where, dict) else None
        key = text + (f" | {start}" if start else "")
        if key not in self.parts:
            iri = new_iri(
                self.key,
                "part_" + (text or "text") + ("_" + hashlib.sha1(key.encode()).hexdigest()[:6] if start else ""),
            )
            self.parts[key] = iri
            node = _n(iri)
            self.add(node, RDF + "type", _n(OWL + "NamedIndividual"))
            self.add(node, RDF + "type", _n(SSLMB + "SourcePart"))
            label = f"{text or 'text'} of {self.short()}" + (f", from '{start}'" if start else "")
            self.add(node, RDFS + "label", _lit(label, lang="en"))
            self.add(node, SSLMB + "partOf", _n(self.source_iri))
            self.add(node, PROV + "wasDerivedFrom", _n(self.source_iri))
        return self.parts[key], None

    def work(self, ref: Any) -> str:
        """The cited work a ``refs`` item names: the source's numbered reference, or a work by its DOI."""
        if isinstance(ref, int):
            iri = new_iri(self.key, f"Ref{ref}")
            if iri not in self.works:
                self.works[iri] = iri
                node = _n(iri)
                self.add(node, RDF + "type", _n(OWL + "NamedIndividual"))
                self.add(node, RDF + "type", _n(SSLMB + "CitedWork"))
                self.add(node, RDFS + "label", _lit(f"ref. {ref} of {self.short()}", lang="en"))
                self.add(node, SSLMB + "referenceNumber", _lit(ref, XSD + "integer"))
                self.add(node, SSLMB + "damagedEntry", _lit("true", XSD + "boolean"))
                self.add(node, PROV + "wasDerivedFrom", _n(self.source_iri))
                self.add(_n(self.source_iri), CITO + "cites", node)
            return iri
        doi = str(ref).lower()
        iri = SSLMB + "doi_" + re.sub(r"[^a-z0-9]+", "_", doi).strip("_")
        if iri not in self.works:
            self.works[iri] = iri
            node = _n(iri)
            self.add(node, RDF + "type", _n(OWL + "NamedIndividual"))
            self.add(node, RDF + "type", _n(SSLMB + "CitedWork"))
            self.add(node, RDFS + "label", _lit(f"doi:{doi}", lang="en"))
            self.add(node, BIBO + "doi", _lit(doi))
            self.add(node, PROV + "wasDerivedFrom", _n(self.source_iri))
            cites = CITO + ("citesAsDataSource" if self.header["kind"] == "dataset" else "cites")
            self.add(_n(self.source_iri), cites, node)
            if cites != CITO + "cites":
                self.add(_n(self.source_iri), CITO + "cites", node)
        return iri

    def references(self) -> None:
        for item in self.source.data.get("references", []):
            iri = self.work(item["number"])
            node = _n(iri)
            # a listed reference is no longer a bare number: take back the damaged flag, add what is known
            self.quads = [
                q for q in self.quads if not (q.subject == node and q.predicate.value == SSLMB + "damagedEntry")
            ]
            if item.get("doi"):
                self.add(node, BIBO + "doi", _lit(str(item["doi"]).lower()))
            if item.get("citation"):
                self.add(node, DCTERMS + "bibliographicCitation", _lit(item["citation"]))
            if item.get("title"):
                self.add(node, DCTERMS + "title", _lit(item["title"], lang="en"))
            if item.get("year"):
                self.add(node, DCTERMS + "issued", _lit(item["year"], XSD + "gYear"))
            if not item.get("year") or not item.get("citation"):
                self.add(node, SSLMB + "damagedEntry", _lit("true", XSD + "boolean"))

    # ------------------------------------------------------------------ evidence

    def evidence(self, node: ox.NamedNode | ox.BlankNode, item: dict[str, Any]) -> None:
        part, row = self.part(item.get("where"))
        self.add(node, PROV + "wasDerivedFrom", _n(part))
        if row is not None:
            self.add(node, SSLMB + "atRow", _lit(row))
        for ref in item.get("refs", []):
            self.add(node, PROV + "hadPrimarySource", _n(self.work(ref)))
        if item.get("uncertain"):
            self.add(node, SSLMB + "uncertainReading", _lit("true", XSD + "boolean"))
        if item.get("note"):
            self.add(node, SKOS + "editorialNote", _lit(item["note"], lang="en"))

    def link(self, s: str, p: str, o: str, item: dict[str, Any], *place: object, scoped: bool = False) -> None:
        self.add(_n(s), p, _n(o))
        axiom = self.blank("axiom", s, p, o, *place)
        self.places["_:" + axiom.value] = self.source.where(tuple(x for x in place if isinstance(x, (str, int))))
        self.add(axiom, RDF + "type", _n(OWL + "Axiom"))
        self.add(axiom, OWL + "annotatedSource", _n(s))
        self.add(axiom, OWL + "annotatedProperty", _n(p))
        self.add(axiom, OWL + "annotatedTarget", _n(o))
        self.evidence(axiom, item)
        if scoped:
            self.scope(axiom, item, place)

    def scope(self, node: ox.NamedNode | ox.BlankNode, item: dict[str, Any], place: tuple) -> None:
        if item.get("scope") and item["scope"] != "typical":
            self.add(node, SSLMB + "statementScope", _n(SSLMB + _SCOPES[item["scope"]]))
        if item.get("scope_as_printed"):
            self.add(node, SSLMB + "scopeAsPrinted", _lit(item["scope_as_printed"]))
        section = place[0] if place else "exposures"
        for text in _listed(item.get("except")):
            self.add(node, SSLMB + "knownException", _n(self.names.iri(text, USES[(str(section), "except")])))

    def uses(self, section: str, name: str, value: Any) -> list[str]:
        kinds = USES[(section, name)]
        return [self.names.iri(str(text), kinds) for text in _listed(value)]

    # ------------------------------------------------------------------ facts

    def run(self) -> list[ox.Quad]:
        self.source_record()
        self.references()
        self.entities()
        self.measurements()
        self.exposures()
        self.strategies()
        self.claims()
        self.metrics()
        if self.problems:
            raise ListedInputError(
                f"{len(self.problems)} problem(s), nothing was written:\n" + "\n".join(self.problems)
            )
        return _dedupe(self.quads)

    def entities(self) -> None:
        data = self.source.data
        for section in ("materials", "failure_modes", "mechanisms"):
            for i, item in enumerate(data.get(section, [])):
                iri = self.names.declared[(section, i)]
                node = _n(iri)
                if iri in self.names.created:
                    self.new_entity(section, i, item, node)
                elif section == "materials":
                    for alt in [*item.get("abbreviations", []), item["name"]]:
                        if self.new_name_for(iri, alt):
                            self.add(node, SKOS + "altLabel", _lit(alt, lang="en"))
                if section == "materials":
                    for other in self.uses("materials", "constituents", item.get("constituents")):
                        self.link(iri, SSLMB + "hasConstituent", other, item, section, i)
                    if iri in self.names.variants:
                        self.link(iri, SSLMB + "variantOf", self.names.variants[iri], item, section, i)
                    for other in self.names.different.get(iri, ()):
                        self.add(node, OWL + "differentFrom", _n(other))  # the curator kept them apart
                for name, prop in (("leads_to", "leadsTo"), ("causes", "causes"), ("contributes_to", "contributesTo")):
                    if name in item:
                        for other in self.uses(section, name, item[name]):
                            self.link(iri, SSLMB + prop, other, item, section, i, name)

    def new_name_for(self, iri: str, alt: str) -> bool:
        """Whether a source's name for a matched entity becomes one of its alternative labels: not an IRI, not a
        name the entity has, and not a name of another entity (a paper's "PEO" matched by the curator to
        PEO/LiTFSI must not make "PEO" a name of PEO/LiTFSI)."""
        from kg.core.namespaces import expand

        if alt.startswith(("http://", "https://")) or expand(alt) != alt:
            return False
        rows = self.graph.select(
            "SELECT DISTINCT ?s ?alt WHERE { ?s rdfs:label|skos:altLabel ?l FILTER(LCASE(STR(?l)) = LCASE(?alt)) }",
            alt=ox.Literal(alt),
        )
        return not rows

    def new_entity(self, section: str, i: int, item: dict[str, Any], node: ox.NamedNode) -> None:
        self.places[node.value] = self.source.where((section, i, "name"))
        self.add(node, RDF + "type", _n(OWL + "NamedIndividual"))
        if section == "materials":
            families = self.uses("materials", "family", item.get("family"))
            for family in families or [SSLMB + "Material"]:
                self.add(node, RDF + "type", _n(family))
            if item.get("formula"):
                self.add(node, SSLMB + "formula", _lit(item["formula"]))
                self.add(node, SKOS + "altLabel", _lit(item["formula"], lang="en"))
            for alt in item.get("abbreviations", []):
                self.add(node, SKOS + "altLabel", _lit(alt, lang="en"))
        else:
            cls = "MitigationStrategy" if section == "strategies" else _KIND_CLASS[section][item.get("kind")]
            self.add(node, RDF + "type", _n(SSLMB + cls))
            if not item.get("description"):
                self.problems.append(
                    f"{self.source.where((section, i, 'name'))}: the new {section[:-1].replace('_', ' ')} "
                    f"{echo(item['name'])} needs a description, in your own words"
                )
        self.add(node, RDFS + "label", _lit(self.unique_label(item["name"], str(node.value)), lang="en"))
        description = item.get("description")
        if not description and section == "materials" and self.header["kind"] == "dataset":
            families = [self.graph.label(f) for f in self.uses("materials", "family", item.get("family"))]
            what = families[0] if families else "material"
            formula = f" of composition {item['formula']}" if item.get("formula") else ""
            description = f"A {what}{formula}, one of the materials whose measurements {self.short()} data set records."
        if description:
            self.add(node, SKOS + "definition", _lit(description, lang="en"))
        self.evidence(node, item)

    def unique_label(self, name: str, iri: str) -> str:
        """``name``, or ``name (key)`` when another entity of the graph already has that label."""
        from kg.model.search import exact_label

        other = exact_label(self.graph, name)
        return name if other in (None, iri) else f"{name} ({self.key})"

    def exposures(self) -> None:
        for i, item in enumerate(self.source.data.get("exposures", [])):
            holder = self.names.iri(str(item["material"]), USES[("exposures", "material")])
            for name, prop in (("susceptible_to", "susceptibleTo"), ("exhibits", "exhibitsMechanism")):
                for other in self.uses("exposures", name, item.get(name)):
                    self.link(holder, SSLMB + prop, other, item, "exposures", i, name, scoped=True)

    def strategies(self) -> None:
        for i, item in enumerate(self.source.data.get("strategies", [])):
            iri = self.names.declared[("strategies", i)]
            if iri in self.names.created:
                self.new_entity("strategies", i, item, _n(iri))
            for name, prop in (("mitigates", "mitigates"), ("applies_to", "appliesTo"), ("uses", "usesMaterial")):
                for other in self.uses("strategies", name, item.get(name)):
                    self.link(iri, SSLMB + prop, other, item, "strategies", i, name)
            categories = self.uses("strategies", "category", item.get("category"))
            for category in categories:
                self.add(_n(iri), SSLMB + "hasCategory", _n(category))
            if iri in self.names.created and not categories:
                known = ", ".join(
                    sorted(
                        self.graph.label(r["c"])
                        for r in self.graph.select("SELECT ?c WHERE { ?c a sslmb:StrategyCategory }")
                    )
                )
                self.problems.append(
                    f"{self.source.where(('strategies', i, 'name'))}: the new strategy "
                    f"{echo(item['name'])} needs a category (one of: {known})"
                )
            for j, outcome in enumerate(item.get("outcomes", [])):
                node = new_iri(self.key, outcome.get("id") or f"s{i + 1}_outcome{j + 1}")
                label = (
                    outcome.get("label")
                    or f"{item['name']} {outcome['property']} ({self.key} {outcome.get('id') or f'{i + 1}.{j + 1}'})"
                )
                self.add(_n(iri), SSLMB + "hasOutcome", _n(node))
                if outcome.get("of"):
                    self.add(
                        _n(node), SSLMB + "ofMaterial", _n(self.names.iri(str(outcome["of"]), USES[("outcomes", "of")]))
                    )
                self.quantity(
                    node,
                    {**{"where": item.get("where"), "refs": item.get("refs", [])}, **outcome},
                    label,
                    ("strategies", i, "outcomes", j),
                )

    def claims(self) -> None:
        for i, item in enumerate(self.source.data.get("claims", [])):
            iri = self.names.declared[("claims", i)]
            node = _n(iri)
            statement = str(item["statement"])
            label = statement if len(statement) <= 100 else statement[:97].rstrip() + "..."
            self.add(node, RDF + "type", _n(OWL + "NamedIndividual"))
            self.add(node, RDF + "type", _n(SSLMB + "Claim"))
            self.add(node, RDFS + "label", _lit(self.unique_label(label, iri), lang="en"))
            self.add(node, SKOS + "definition", _lit(statement, lang="en"))
            self.evidence(node, item)
            for name, prop in (("about", "about"), ("supports", "supports"), ("contradicts", "contradicts")):
                for other in self.uses("claims", name, item.get(name)):
                    self.link(iri, SSLMB + prop, other, item, "claims", i, name)

    def metrics(self) -> None:
        for text, iri in sorted(self.names.metrics_created.items()):
            node = _n(iri)
            self.add(node, RDF + "type", _n(OWL + "NamedIndividual"))
            self.add(node, RDF + "type", _n(SSLMB + "Metric"))
            self.add(node, RDFS + "label", _lit(self.unique_label(text, iri), lang="en"))
            self.add(
                node,
                SKOS + "definition",
                _lit(
                    f"A property {self.short()} reports under this name; added when that source was curated.", lang="en"
                ),
            )


def _listed(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _dedupe(quads: list[ox.Quad]) -> list[ox.Quad]:
    seen: set[ox.Quad] = set()
    out = []
    for q in quads:
        if q not in seen:
            seen.add(q)
            out.append(q)
    return out


def emit(graph: Any, source: Source, names: Names) -> tuple[list[ox.Quad], dict[str, str]]:
    """The quads of ``source``'s named graph (raises :class:`InputError` listing every problem with its line),
    and where in the file each node it makes comes from."""
    emitter = Emitter(graph, source, names)
    return emitter.run(), emitter.places


def iter_triples(quads: list[ox.Quad]) -> Iterator[ox.Triple]:
    return (q.triple for q in quads)
