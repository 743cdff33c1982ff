"""The ontology's documentation: an HTML page made by pyLODE (its OntPub profile) with a picture of the class
hierarchy drawn by this module (SVG, an indented tree: no graphviz), and the ontology itself as Turtle and
JSON-LD beside it. ``sslmb docs -o DIR`` writes them; ``sslmb serve`` serves them at ``/ontology``.

pyLODE (the ``docs`` extra) and rdflib are imported only when the page is made.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from pathlib import Path

from kg.core import resources
from kg.core.namespaces import OWL, RDF, RDFS, SSLMB

ONTOLOGY_IRI = SSLMB.rstrip("/")
# What `sslmb docs` writes, and `sslmb serve` serves under /ontology.
FILES = ("index.html", "classes.svg", "sslmb.ttl", "sslmb.jsonld")
_ROW, _INDENT, _LEFT, _TOP = 22, 22, 12, 40


@dataclass(frozen=True)
class Docs:
    """The documentation made in memory: the HTML page, the class picture, and pyLODE's fragment id of each
    term (``https://w3id.org/sslmb/Electrolyte`` -> ``Electrolyte``), for links into the page."""

    html: str
    svg: str
    fragments: dict[str, str]


def ontology_file() -> Path:
    return resources.ontology_file()


def classes(path: Path | None = None) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The named classes of the ontology with their labels, and each class's named superclasses."""
    import pyoxigraph as ox

    labels: dict[str, str] = {}
    parents: dict[str, list[str]] = {}
    with open(path or ontology_file(), "rb") as f:
        triples = list(ox.parse(f, format=ox.RdfFormat.TURTLE))
    for t in triples:
        if t.predicate.value == RDF + "type" and t.object == ox.NamedNode(OWL + "Class"):
            if isinstance(t.subject, ox.NamedNode):
                labels.setdefault(t.subject.value, t.subject.value.rsplit("/", 1)[-1])
    for t in triples:
        s = t.subject.value if isinstance(t.subject, ox.NamedNode) else None
        if s in labels and t.predicate.value == RDFS + "label" and isinstance(t.object, ox.Literal):
            if t.object.language in (None, "", "en"):
                labels[s] = t.object.value
        if s in labels and t.predicate.value == RDFS + "subClassOf" and isinstance(t.object, ox.NamedNode):
            if t.object.value in labels:
                parents.setdefault(s, []).append(t.object.value)
    return labels, parents


def hierarchy_svg(fragments: dict[str, str] | None = None, *, href: str = "") -> str:
    """The class hierarchy as an indented tree in SVG: each class once, under its first superclass (by label); a
    class with several superclasses says so in its tooltip. With ``fragments``, each name links to
    ``href#fragment`` (pyLODE's anchor of the class).

    >>> svg = hierarchy_svg()
    >>> svg.count("<circle") == len(classes()[0]), "solid-state electrolyte</text>" in svg
    (True, True)
    """
    labels, parents = classes()
    key = {iri: (labels[iri].casefold(), iri) for iri in labels}
    children: dict[str | None, list[str]] = {}
    for iri in labels:
        ps = sorted(parents.get(iri, []), key=key.__getitem__)
        children.setdefault(ps[0] if ps else None, []).append(iri)
    rows: list[tuple[int, str]] = []
    seen: set[str] = set()

    def walk(parent: str | None, depth: int) -> None:
        for iri in sorted(children.get(parent, []), key=key.__getitem__):
            if iri in seen:
                continue
            seen.add(iri)
            rows.append((depth, iri))
            walk(iri, depth + 1)

    walk(None, 0)
    for iri in sorted(labels, key=key.__getitem__):  # classes on a loop of superclasses, never reached from a root
        if iri not in seen:
            seen.add(iri)
            rows.append((0, iri))
            walk(iri, 1)
    title = f"Classes of the sslmb ontology ({len(rows)}), each under its superclass"
    width = max([_LEFT + d * _INDENT + 8 * len(labels[i]) + 40 for d, i in rows] + [_LEFT + 9 * len(title)])
    height = _TOP + len(rows) * _ROW + 10
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        'font-family="DejaVu Sans, Verdana, Arial, sans-serif" font-size="13">',
        "<title>The class hierarchy of the sslmb ontology</title>",
        f'<text x="{_LEFT}" y="22" font-size="15" font-weight="bold">{escape(title)}</text>',
    ]
    position: dict[str, tuple[int, int]] = {}
    for n, (depth, iri) in enumerate(rows):
        x, y = _LEFT + depth * _INDENT, _TOP + n * _ROW
        position[iri] = (x, y)
        ps = parents.get(iri, [])
        parent = sorted(ps, key=key.__getitem__)[0] if ps else None
        if parent in position:
            px, py = position[parent]
            out.append(f'<path d="M{px + 5} {py + 6} V{y} H{x}" fill="none" stroke="#9aa5b1" stroke-width="1"/>')
        also = [labels[p] for p in sorted(ps, key=key.__getitem__)[1:]]
        tip = escape(iri + (f" (also a subclass of {', '.join(also)})" if also else ""))
        name = escape(labels[iri])
        mark = f'<circle cx="{x + 5}" cy="{y}" r="4" fill="{"#2b6cb0" if children.get(iri) else "#ffffff"}" ' + (
            'stroke="#2b6cb0"/>'
        )
        text = f'<text x="{x + 14}" y="{y + 4}"><title>{tip}</title>{name}{" *" if also else ""}</text>'
        fragment = (fragments or {}).get(iri)
        if fragment:
            text = f'<a href="{escape(href)}#{escape(fragment)}">{text}</a>'
        out += [mark, text]
    out.append("</svg>")
    return "\n".join(out) + "\n"


def make(*, href: str = "") -> Docs:
    """The documentation in memory: pyLODE's page of the ontology with the class picture inserted after its
    metadata, and the fragment ids of the terms. Needs pyLODE (``pip install 'sslmb-kg[docs]'``)."""
    from kg.core.errors import KGError

    try:
        from pylode import OntPub
    except ImportError:
        raise KGError("the ontology's documentation needs pyLODE: pip install 'sslmb-kg[docs]'") from None
    import logging

    logging.getLogger().setLevel(max(logging.getLogger().level, logging.WARNING))  # pyLODE logs at INFO
    od = OntPub(str(ontology_file()), sort_subjects=True)
    html = od.make_html()
    fragments = {str(k): str(v) for k, v in od.fids.items() if v}
    svg = hierarchy_svg(fragments, href=href)
    picture = (
        '<div id="class-hierarchy"><h2>Class hierarchy</h2>'
        "<p>Each class under its superclass; a star marks a class with more than one (its tooltip names them). "
        'Drawn by sslmb-kg; also as <a href="classes.svg">classes.svg</a>.</p>'
        f'<div style="overflow:auto;max-height:40rem;border:1px solid #ddd">{svg}</div></div>'
    )
    anchor = '<div class="section" id="classes">'
    if anchor in html:
        html = html.replace(anchor, picture + anchor, 1)
    else:  # a pyLODE whose page is laid out otherwise: the picture goes first
        html = html.replace('<div id="content">', '<div id="content">' + picture, 1)
    return Docs(html, svg, fragments)


def ontology_bytes(fmt: str) -> bytes:
    """The ontology file as Turtle (as written) or JSON-LD."""
    data = ontology_file().read_bytes()
    if fmt == "ttl":
        return data
    import pyoxigraph as ox

    triples = list(ox.parse(data, format=ox.RdfFormat.TURTLE))
    return ox.serialize(triples, format=ox.RdfFormat.JSON_LD) or b""


def write(directory: str | Path) -> list[Path]:
    """Write :data:`FILES` into ``directory`` (created when missing); returns the paths written."""
    from kg.core.errors import InputError
    from kg.core.files import atomic_write

    out = Path(directory)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{out}: cannot make the folder ({exc.strerror or exc})") from None
    docs = make(href="index.html")
    contents = {
        "index.html": docs.html.encode(),
        "classes.svg": docs.svg.encode(),
        "sslmb.ttl": ontology_bytes("ttl"),
        "sslmb.jsonld": ontology_bytes("jsonld"),
    }
    written = []
    for name in FILES:
        atomic_write(out / name, contents[name])
        written.append(out / name)
    return written
