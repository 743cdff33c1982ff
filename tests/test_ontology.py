"""The ontology's own contract: a full header, and a label and a definition for every class and property."""

from __future__ import annotations

from helpers import REPO

import kg


def test_header_is_complete():
    g = kg.load(data=False)
    rows = g.select(
        """SELECT ?title ?desc ?lic ?creator ?version ?info WHERE {
             <https://w3id.org/sslmb> a owl:Ontology ; dcterms:title ?title ; dcterms:description ?desc ;
               dcterms:license ?lic ; dcterms:creator ?creator ; owl:versionIRI ?version ; owl:versionInfo ?info }"""
    )
    assert len(rows) == 1
    assert rows[0]["version"].endswith(rows[0]["info"])


def test_every_class_and_property_has_label_and_definition():
    g = kg.load(REPO / "ontology" / "sslmb.ttl", data=False)
    rows = g.select(
        """SELECT ?t WHERE {
             VALUES ?k { owl:Class owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty }
             ?t a ?k FILTER(isIRI(?t))
             FILTER(NOT EXISTS { ?t rdfs:label ?l } || NOT EXISTS { ?t skos:definition ?d }) }"""
    )
    assert rows == [], [r["t"] for r in rows]


def test_every_term_used_in_the_data_is_declared(graph):
    rows = graph.select(
        """SELECT DISTINCT ?p WHERE { ?s ?p ?o
             FILTER(STRSTARTS(STR(?p), "https://w3id.org/sslmb/"))
             FILTER NOT EXISTS {
               ?p a ?k VALUES ?k { owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty } } }"""
    )
    assert rows == [], [r["p"] for r in rows]
    rows = graph.select(
        """SELECT DISTINCT ?c WHERE { ?s a ?c FILTER(STRSTARTS(STR(?c), "https://w3id.org/sslmb/"))
             FILTER NOT EXISTS { ?c a owl:Class } }"""
    )
    assert rows == [], [r["c"] for r in rows]
