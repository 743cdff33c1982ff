"""The ontology's documentation: ``sslmb docs -o DIR`` (pyLODE's page, the class picture, Turtle and JSON-LD) and
``sslmb serve`` at ``/ontology`` with its terms dereferenced by content negotiation, on a real server on loopback;
plus ``/ask`` and the ask box of the query page."""

from __future__ import annotations

import json
import urllib.parse
import xml.etree.ElementTree as ET
from importlib.metadata import version

import pyoxigraph as ox
import pytest
from helpers import run_cli
from test_browser import browser, chromium  # noqa: F401 (the fixtures of a real browser)
from test_server import Server

from kg.core.namespaces import OWL, RDF, RDFS, SSLMB
from kg.output.docs import FILES, classes, hierarchy_svg

SVG = "{http://www.w3.org/2000/svg}"


def spo(data: bytes, fmt: ox.RdfFormat) -> set[tuple]:
    """The triples of an RDF document as (subject, predicate, object)."""
    return {(q.subject, q.predicate, q.object) for q in ox.parse(data, format=fmt)}


def test_pylode_is_the_pinned_version():
    assert version("pylode") == "3.3.4"


def test_the_picture_holds_every_class_once_under_a_superclass():
    labels, parents = classes()
    root = ET.fromstring(hierarchy_svg())
    names = [
        "".join(t.itertext()).removesuffix(" *").replace(t.findtext(f"{SVG}title") or "", "", 1)
        for t in root.iter(f"{SVG}text")
    ][1:]  # the first text is the picture's title
    assert sorted(names) == sorted(labels.values())
    assert len(labels) > 50
    # a class is drawn to the right of its superclass (indented by depth); its tooltip is its IRI
    x = {
        (t.findtext(f"{SVG}title") or "").split(" ")[0]: float(t.get("x"))
        for t in root.iter(f"{SVG}text")
        if t.find(f"{SVG}title") is not None
    }
    assert SSLMB + "Electrolyte" in parents[SSLMB + "SolidStateElectrolyte"]
    assert x[SSLMB + "SolidStateElectrolyte"] > x[SSLMB + "Electrolyte"] > x[SSLMB + "CellComponent"]


def test_sslmb_docs_writes_the_page_the_picture_and_the_ontology(tmp_path):
    out = tmp_path / "docs"
    done = run_cli("docs", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "Safety of solid-state lithium metal batteries (sslmb) ontology" in html
    assert 'id="class-hierarchy"' in html and "<svg" in html
    assert 'id="Electrolyte"' in html  # pyLODE's section of the class the picture links to
    svg = (out / "classes.svg").read_text(encoding="utf-8")
    assert 'href="index.html#Electrolyte"' in svg
    ttl = spo((out / "sslmb.ttl").read_bytes(), ox.RdfFormat.TURTLE)
    jsonld = spo((out / "sslmb.jsonld").read_bytes(), ox.RdfFormat.JSON_LD)
    assert len(ttl) == len(jsonld) > 500
    assert (ox.NamedNode(SSLMB.rstrip("/")), ox.NamedNode(RDF + "type"), ox.NamedNode(OWL + "Ontology")) in ttl


def test_sslmb_docs_into_a_file_is_an_input_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    done = run_cli("docs", "-o", str(blocker))
    assert done.returncode == 2
    assert done.stderr.startswith("sslmb: error: ") and done.stderr.count("\n") == 1


# ------------------------------------------------------------------------------------------ on a real server


@pytest.fixture(scope="module")
def server():
    srv = Server()
    yield srv
    if srv.proc.poll() is None:
        srv.stop()


@pytest.mark.slow
def test_the_ontology_iri_negotiates(server):
    status, headers, body = server.request("GET", "/ontology", headers={"Accept": "text/html,*/*;q=0.8"})
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert b"class-hierarchy" in body and b"Content-Security-Policy".lower() in {k.encode() for k in headers}
    assert "accept" in headers["vary"].lower()
    status, headers, body = server.request("GET", "/ontology", headers={"Accept": "text/turtle"})
    assert status == 200 and headers["content-type"].startswith("text/turtle")
    ttl = spo(body, ox.RdfFormat.TURTLE)
    status, headers, body = server.request("GET", "/ontology", headers={"Accept": "application/ld+json"})
    assert status == 200 and headers["content-type"].startswith("application/ld+json")
    assert len(spo(body, ox.RdfFormat.JSON_LD)) == len(ttl) > 500


@pytest.mark.slow
def test_a_class_iri_negotiates(server):
    status, headers, _ = server.request("GET", "/ontology/Electrolyte", headers={"Accept": "text/html"})
    assert status == 303 and headers["location"] == "/ontology#Electrolyte"
    status, headers, body = server.request("GET", "/ontology/Electrolyte", headers={"Accept": "text/turtle"})
    assert status == 200 and headers["content-type"].startswith("text/turtle")
    triples = spo(body, ox.RdfFormat.TURTLE)
    subject = ox.NamedNode(SSLMB + "Electrolyte")
    assert (subject, ox.NamedNode(RDF + "type"), ox.NamedNode(OWL + "Class")) in triples
    assert (subject, ox.NamedNode(RDFS + "label"), ox.Literal("electrolyte", language="en")) in triples
    assert {s for s, _, _ in triples if isinstance(s, ox.NamedNode)} == {subject}
    status, headers, body = server.request("GET", "/ontology/Electrolyte", headers={"Accept": "application/ld+json"})
    assert status == 200 and headers["content-type"].startswith("application/ld+json")
    assert json.loads(body)[0]["@id"] == SSLMB + "Electrolyte"
    status, _, body = server.request("GET", "/ontology/Electrolyte?format=ttl")
    assert status == 200 and spo(body, ox.RdfFormat.TURTLE) == triples


@pytest.mark.slow
def test_a_property_iri_and_what_is_not_a_term(server):
    status, _, body = server.request("GET", "/ontology/mitigates", headers={"Accept": "text/turtle"})
    assert status == 200 and b"owl:ObjectProperty" in body
    status, _, body = server.request("GET", "/ontology/LGPS", headers={"Accept": "text/turtle"})
    assert status == 404 and b"/entity/LGPS" in body  # an instance, not a term of the ontology
    status, _, _ = server.request("GET", "/ontology/NoSuchClass")
    assert status == 404
    status, _, _ = server.request("GET", "/ontology?format=xml")
    assert status == 400
    status, headers, _ = server.request("GET", "/ontology/")
    assert status == 308 and headers["location"] == "/ontology"


@pytest.mark.slow
def test_the_picture_is_served_with_links_into_the_page(server):
    status, headers, body = server.request("GET", "/ontology/classes.svg")
    assert status == 200 and headers["content-type"].startswith("image/svg+xml")
    assert b'href="/ontology#Electrolyte"' in body
    ET.fromstring(body)


@pytest.mark.slow
def test_ask_on_the_server(server):
    q = urllib.parse.quote("which failure modes is LGPS exposed to?")
    status, headers, body = server.request("GET", f"/ask?q={q}")
    assert status == 200 and headers["content-type"].startswith("application/json")
    doc = json.loads(body)
    assert (doc["sure"], doc["command"]) == (True, "sslmb query cq-01-failure-modes-of-electrolyte -p electrolyte=LGPS")
    assert {r["failure_mode_label"] for r in doc["answer"]["rows"]} >= {"hydrogen sulfide release"}
    status, headers, body = server.request("GET", "/ask?q=" + urllib.parse.quote("what's the weather in Berlin"))
    assert status == 200 and headers["x-ask-sure"] == "false" and len(json.loads(body)["suggestions"]) == 3
    assert server.request("GET", "/ask?q=")[0] == 400
    assert server.request("GET", "/ask?q=" + "a" * 1001)[0] == 413


@pytest.mark.slow
def test_the_query_page_has_the_ask_box(server):
    status, _, body = server.request("GET", "/")
    assert status == 200
    assert b'id="ask-form"' in body and b'src="/static/ask.js"' in body and b'href="/ontology"' in body
    status, headers, _ = server.request("GET", "/static/ask.js")
    assert status == 200 and "javascript" in headers["content-type"]


@pytest.mark.slow
def test_the_ask_box_answers_in_a_real_browser(browser, server):  # noqa: F811 (a fixture)
    page = browser.page
    page.goto(server.url)
    page.fill("#ask-input", "which failure modes is LGPS exposed to?")
    page.click("#ask-form button")
    page.wait_for_selector("#ask-answer table", timeout=60_000)
    command = page.inner_text("#ask-answer code.command")
    assert command == "sslmb query cq-01-failure-modes-of-electrolyte -p electrolyte=LGPS"
    assert "hydrogen sulfide release" in page.inner_text("#ask-answer table")
    page.fill("#ask-input", "who is the CEO of QuantumScape")
    page.click("#ask-form button")
    page.wait_for_selector("#ask-answer .unsure", timeout=60_000)
    assert page.locator("#ask-answer ol li").count() == 3
    assert not browser.outside and not browser.problems, browser.outside + browser.problems
