"""The way back: entities of the graph written as a curation document (``sources/<key>.yaml``), so that a fact
already in the graph can be re-curated, moved to another source, or checked against the format.

:func:`writeback` takes a set of IRIs (materials, quantities, strategies, mechanisms, failure modes, families) and
returns the document: every entity named by its IRI (``same_as``) so the converter matches it again, every link it
holds with its place and reference numbers, every number with its unit, conditions, qualifier and print. What the
format cannot say is listed in :data:`NOT_EXPRESSED` and pinned by ``tests/test_curation_format.py``.
"""

from __future__ import annotations

from typing import Any

from kg.core.namespaces import QUDT, SSLMB, shorten

#: What a graph holds that a curation document cannot carry (each pinned by a test).
NOT_EXPRESSED = (
    "several places for one fact: a link or number derived from two parts (Section 2.2 and Fig. 3a) keeps the first",
    "the parts' own structure (sslmb:partOf between sections, section titles): a place is a short text",
    "who reported a fact (prov:wasAttributedTo a research group)",
    "the aspect a strategy concerns (sslmb:concernsAspect)",
    "rdfs:comment on a number (the format has one note, written as skos:editorialNote)",
    "the cited work's own record (authors, journal, pages): a reference is a number, a DOI or a citation text",
)

_LINKS = {  # property -> (section, field) a link is written under
    SSLMB + "mitigates": ("strategies", "mitigates"),
    SSLMB + "appliesTo": ("strategies", "applies_to"),
    SSLMB + "usesMaterial": ("strategies", "uses"),
    SSLMB + "causes": ("mechanisms", "causes"),
    SSLMB + "contributesTo": ("mechanisms", "contributes_to"),
    SSLMB + "leadsTo": ("failure_modes", "leads_to"),
    SSLMB + "hasConstituent": ("materials", "constituents"),
    SSLMB + "susceptibleTo": ("exposures", "susceptible_to"),
    SSLMB + "exhibitsMechanism": ("exposures", "exhibits"),
}
_SCOPE = {SSLMB + "SomeMembers": "some", SSLMB + "GroupAsAWhole": "group", SSLMB + "TypicalOfMembers": "typical"}
_CONDITIONS = {
    SSLMB + "atTemperature": "temperature",
    SSLMB + "atCurrentDensity": "current_density",
    SSLMB + "atArealCapacity": "areal_capacity",
    SSLMB + "overDuration": "duration",
    SSLMB + "afterCycles": "cycles",
    SSLMB + "atCRate": "c_rate",
    SSLMB + "atPressure": "pressure",
    SSLMB + "atVoltage": "voltage",
}


def writeback(graph: Any, iris: list[str], *, source: dict[str, Any], stated_in: str | None = None) -> dict[str, Any]:
    """The curation document of ``iris`` under the header ``source`` (the ``source:`` block of the format); with
    ``stated_in`` (a source's key), only the links that source states."""
    from kg.core.backends.union import graph_iri

    within = graph_iri(stated_in) if stated_in else None
    doc: dict[str, Any] = {"source": dict(source)}
    for iri in iris:
        kind = graph.kind(iri)
        if kind == "quantity":
            owner = _one(graph, "SELECT ?o ?q WHERE { ?o sslmb:hasQuantity ?q }", q=iri)
            doc.setdefault("measurements", []).append({"of": _ref(owner), **_number(graph, iri)})
        elif kind == "strategy":
            doc.setdefault("strategies", []).extend(_strategy(graph, iri, within))
        elif kind in ("mechanism", "failure mode"):
            section = "mechanisms" if kind == "mechanism" else "failure_modes"
            doc.setdefault(section, []).extend(_entity(graph, iri, section, within))
        elif kind in ("electrolyte", "material"):
            doc.setdefault("materials", []).extend(_entity(graph, iri, "materials", within))
        if kind in ("electrolyte", "material", "electrolyte family", "class"):
            doc.setdefault("exposures", []).extend(_exposures(graph, iri, within))
    doc = {k: v for k, v in doc.items() if v}
    return doc


def to_yaml(doc: dict[str, Any]) -> str:
    """The document as YAML text, keys in the format's order."""
    import yaml

    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=116)


# ------------------------------------------------------------------------------------------ pieces


def _ref(iri: str | None) -> str:
    return shorten(str(iri)) if iri else ""


def _one(graph: Any, sparql: str, **bindings: str) -> str | None:
    rows = graph.select(sparql, **bindings)
    return str(rows[0]["o"]) if rows else None


def _evidence(graph: Any, node: str, *, axiom: bool = False) -> dict[str, Any]:
    """``where`` (the first part), ``refs`` (reference numbers or DOIs), ``note`` and ``uncertain`` of a fact."""
    out: dict[str, Any] = {}
    rows = graph.select_terms(
        "SELECT ?p ?w ?u ?note ?n WHERE { { ?n prov:wasDerivedFrom ?p FILTER NOT EXISTS { ?p sslmb:sourceKey ?k } } "
        "UNION { ?n prov:hadPrimarySource ?w } UNION { ?n sslmb:uncertainReading ?u } "
        "UNION { ?n skos:editorialNote ?note } }",
        n=_term(node),
    )
    parts = sorted(r["p"].value for r in rows if "p" in r)
    if parts:
        out["where"] = _place(graph, parts[0])
    refs = []
    for work in sorted({r["w"].value for r in rows if "w" in r}):
        number = graph.value(work, SSLMB + "referenceNumber")
        doi = graph.value(work, "http://purl.org/ontology/bibo/doi")
        if number is not None or doi:
            refs.append(int(number) if number is not None else str(doi))
    if refs:
        out["refs"] = sorted(refs, key=str)
    if any("u" in r and r["u"].value == "true" for r in rows):
        out["uncertain"] = True
    notes = sorted(r["note"].value for r in rows if "note" in r)
    if notes and not axiom:
        out["note"] = notes[0]
    return out


def _place(graph: Any, part: str) -> str:
    """A part as the format writes a place: its label without the name of the source ("Section 2.2")."""
    return graph.label(part).split(" of ")[0]


def _axioms(graph: Any, subject: str, within: str | None) -> list[dict[str, Any]]:
    """The links ``subject`` holds with evidence, those of the named graph ``within`` only when it is given."""
    pattern = "?a owl:annotatedSource ?n ; owl:annotatedProperty ?p ; owl:annotatedTarget ?o"
    if within is None:
        rows = graph.select(f"SELECT ?a ?p ?o ?n WHERE {{ {pattern} }}", n=subject)
    else:
        rows = graph.select(f"SELECT ?a ?p ?o ?n ?g WHERE {{ GRAPH ?g {{ {pattern} }} }}", n=subject, g=within)
    return [{"axiom": str(r["a"]), "property": str(r["p"]), "target": str(r["o"])} for r in rows]


def _entity(graph: Any, iri: str, section: str, within: str | None) -> list[dict[str, Any]]:
    """The entries of one entity: one per distinct evidence of its links (the format gives an entry one place and
    one list of references), the first also carrying its formula."""
    groups: dict[str, dict[str, Any]] = {}
    for link in sorted(_axioms(graph, iri, within), key=lambda a: (a["property"], a["target"])):
        where = _LINKS.get(link["property"])
        if not where or where[0] != section:
            continue
        evidence = _evidence(graph, link["axiom"], axiom=True)
        key = repr(sorted(evidence.items()))
        item = groups.setdefault(key, {"name": graph.label(iri), "same_as": _ref(iri), **evidence})
        item.setdefault(where[1], []).append(_ref(link["target"]))
    items = list(groups.values())
    if section == "strategies":  # a strategy's entry must say what it mitigates: other links join the first
        main = [i for i in items if "mitigates" in i] or [{"name": graph.label(iri), "same_as": _ref(iri)}]
        for other in (i for i in items if "mitigates" not in i):
            for field in ("applies_to", "uses"):
                main[0].setdefault(field, []).extend(other.get(field, []))
        items = main
    if not items:
        items = [{"name": graph.label(iri), "same_as": _ref(iri)}]
    if section == "materials":
        formula = graph.value(iri, SSLMB + "formula")
        if formula:
            items[0]["formula"] = str(formula)
    return items


def _strategy(graph: Any, iri: str, within: str | None) -> list[dict[str, Any]]:
    items = _entity(graph, iri, "strategies", within)
    item = items[0]
    category = graph.value(iri, SSLMB + "hasCategory")
    if category:
        item["category"] = _ref(category)
    outcomes = [str(r["q"]) for r in graph.select("SELECT ?q ?s WHERE { ?s sslmb:hasOutcome ?q }", s=iri)]
    if outcomes:
        item["outcomes"] = []
        for q in sorted(outcomes):
            owner = graph.value(q, SSLMB + "ofMaterial")
            item["outcomes"].append({**({"of": _ref(owner)} if owner else {}), **_number(graph, q)})
    return items


def _exposures(graph: Any, holder: str, within: str | None) -> list[dict[str, Any]]:
    out = []
    for link in sorted(_axioms(graph, holder, within), key=lambda a: (a["property"], a["target"])):
        where = _LINKS.get(link["property"])
        if not where or where[0] != "exposures":
            continue
        entry: dict[str, Any] = {"material": _ref(holder), where[1]: [_ref(link["target"])]}
        entry.update(_scope(graph, link["axiom"]))
        entry.update(_evidence(graph, link["axiom"], axiom=True))
        out.append(entry)
    return out


def _scope(graph: Any, node: str) -> dict[str, Any]:
    rows = graph.select_terms(
        "SELECT ?sc ?ex ?pr ?n WHERE { OPTIONAL { ?n sslmb:statementScope ?sc } "
        "OPTIONAL { ?n sslmb:knownException ?ex } OPTIONAL { ?n sslmb:scopeAsPrinted ?pr } }",
        n=_term(node),
    )
    out: dict[str, Any] = {}
    for r in rows:
        if "sc" in r:
            out["scope"] = _SCOPE[r["sc"].value]
        if "pr" in r:
            out["scope_as_printed"] = r["pr"].value
        if "ex" in r:
            out.setdefault("except", set()).add(_ref(r["ex"].value))
    if "except" in out:
        out["except"] = sorted(out["except"])
    return out


def _term(node: str) -> Any:
    import pyoxigraph as ox

    return ox.BlankNode(node[2:]) if node.startswith("_:") else ox.NamedNode(node)


def _number(graph: Any, q: str) -> dict[str, Any]:
    """A quantity value as the format writes a number (property, value or range, unit, conditions, print)."""
    item: dict[str, Any] = {"property": graph.label(str(graph.value(q, SSLMB + "metric")))}
    for prop, name in (
        (QUDT + "value", "value"),
        ("https://schema.org/minValue", "min"),
        ("https://schema.org/maxValue", "max"),
    ):
        v = graph.value(q, prop)
        if v is not None:
            item[name] = float(v)
    item["unit"] = _unit(graph, graph.value(q, QUDT + "hasUnit"))
    for key, prop in (("qualifier", "qualifier"), ("printed", "printedAs"), ("space_group", "spaceGroup")):
        v = graph.value(q, SSLMB + prop)
        if v is not None:
            item[key] = str(v)
    conditions = _conditions(graph, q)
    if conditions:
        item["conditions"] = conditions
    item.update(_scope(graph, q))
    item.update(_evidence(graph, q))
    return item


def _unit(graph: Any, unit: Any) -> str:
    if unit is None:
        return "1"
    symbol = graph.value(str(unit), QUDT + "symbol")
    return str(symbol) if symbol is not None else _ref(str(unit))


def _conditions(graph: Any, q: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for r in graph.select_terms("SELECT ?p ?c ?q WHERE { ?q ?p ?c }", q=q):
        name = _CONDITIONS.get(r["p"].value)
        if name is not None:
            node = r["c"]
            rows = graph.select_terms(
                "SELECT ?v ?lo ?hi ?u ?ql ?c WHERE { OPTIONAL { ?c qudt:value ?v } OPTIONAL { ?c schema:minValue ?lo } "
                "OPTIONAL { ?c schema:maxValue ?hi } OPTIONAL { ?c qudt:hasUnit ?u } "
                "OPTIONAL { ?c sslmb:qualifier ?ql } }",
                c=node,
            )
            row = rows[0] if rows else {}
            unit = _unit(graph, row["u"].value) if "u" in row else ""
            unit = "" if unit in ("#", "1") else unit  # a count is written bare
            if "v" in row:
                text = f"{_plain(row['v'].value)} {unit}"
            else:
                text = f"{_plain(row['lo'].value)} to {_plain(row['hi'].value)} {unit}"
            if "ql" in row:
                text = f"{row['ql'].value} {text}"
            out[name] = text.strip()
        elif r["p"].value == SSLMB + "atmosphere":
            out["atmosphere"] = r["c"].value
        elif r["p"].value == SSLMB + "underCondition":
            out["temperature"] = graph.label(r["c"].value)
    return out


def _plain(value: str) -> str:
    number = float(value)
    return str(int(number)) if number.is_integer() else repr(number)
