"""``/ontology`` on ``sslmb serve``: the ontology's documentation (pyLODE's page with the class picture, made once
on first request, :mod:`kg.output.docs`) and its terms dereferenced by content negotiation.

The ontology IRI ``https://w3id.org/sslmb`` is ``/ontology`` here and a term ``https://w3id.org/sslmb/NAME`` (a
class or property the ontology declares) is ``/ontology/NAME``: a browser gets HTML (a term is a 303 to its place in
the page), ``Accept: text/turtle`` Turtle and ``Accept: application/ld+json`` JSON-LD (or ``?format=ttl|jsonld``).
An instance of the graph is not a term of the ontology: its page is ``/entity/NAME``.
"""

from __future__ import annotations

from kg.endpoint.negotiate import MEDIA_TYPES, parse_accept

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any

_FORMATS = {"html": "html", "ttl": "ttl", "turtle": "ttl", "jsonld": "jsonld", "json-ld": "jsonld"}


def wanted(accept: str | None, given: str | None) -> str | None:
    """The format asked for: ``?format=`` first, then the first Accept type served (HTML when none is); None for a
    ``?format=`` this route does not serve.

    >>> wanted("text/turtle;q=0.9, application/ld+json", None), wanted(None, None), wanted("*/*", "ttl")
    ('jsonld', 'html', 'ttl')
    """
    if given is not None:
        return _FORMATS.get(given)
    for media, q in parse_accept(accept):
        if q <= 0:
            continue
        if media in ("text/turtle", "application/x-turtle"):
            return "ttl"
        if media in ("application/ld+json", "application/json"):
            return "jsonld"
        if media in ("text/html", "application/xhtml+xml", "*/*", "text/*"):
            return "html"
    return "html"


def term_triples(iri: str) -> list[Any]:
    """The ontology's statements about a term: those with it as subject, with the blank nodes they lead to
    (restrictions, lists); empty when the ontology does not declare it."""
    import pyoxigraph as ox

    from kg.output.docs import ontology_file

    with open(ontology_file(), "rb") as f:
        triples = list(ox.parse(f, format=ox.RdfFormat.TURTLE))
    by_subject: dict[Any, list[Any]] = {}
    for t in triples:
        by_subject.setdefault(t.subject, []).append(t)
    found: list[Any] = []
    todo: list[Any] = [ox.NamedNode(iri)]
    seen: set[Any] = set()
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for t in by_subject.get(node, []):
            found.append(t)
            if isinstance(t.object, ox.BlankNode):
                todo.append(t.object)
    return found


def routes(csp: str) -> list[Any]:
    """The Starlette routes of ``/ontology``; ``csp`` is the Content-Security-Policy of HTML pages."""
    import asyncio

    from starlette.requests import Request
    from starlette.responses import PlainTextResponse, RedirectResponse, Response
    from starlette.routing import Route

    from kg.core.errors import KGError
    from kg.core.namespaces import PREFIXES, SSLMB

    made: dict[str, Any] = {}
    lock = asyncio.Lock()

    async def docs() -> Any:
        async with lock:  # made once, on a thread: pyLODE takes a second or two
            if "docs" not in made:
                from kg.output.docs import make

                made["docs"] = await asyncio.get_running_loop().run_in_executor(None, lambda: make(href="/ontology"))
        return made["docs"]

    def rdf(fmt: str, triples: list[Any] | None) -> Response:
        import pyoxigraph as ox

        from kg.output.docs import ontology_bytes

        if triples is None:
            body = ontology_bytes(fmt)
        else:
            rdf_format = ox.RdfFormat.TURTLE if fmt == "ttl" else ox.RdfFormat.JSON_LD
            body = ox.serialize(triples, format=rdf_format, prefixes=PREFIXES if fmt == "ttl" else None) or b""
        return Response(body, media_type=MEDIA_TYPES[fmt], headers={"Vary": "Accept"})

    def unavailable(exc: KGError) -> Response:
        return PlainTextResponse(f"{exc}\n", status_code=501)

    async def ontology(request: Request) -> Response:
        fmt = wanted(request.headers.get("accept"), request.query_params.get("format"))
        if fmt is None:
            return PlainTextResponse("format is html, ttl or jsonld\n", status_code=400)
        if fmt != "html":
            return rdf(fmt, None)
        try:
            page = await docs()
        except KGError as exc:
            return unavailable(exc)
        headers = {"Vary": "Accept", "Content-Security-Policy": csp}
        return Response(page.html.encode(), media_type=MEDIA_TYPES["html"], headers=headers)

    async def term(request: Request) -> Response:
        name = request.path_params["name"]
        if not name:  # /ontology/
            return RedirectResponse("/ontology", status_code=308)
        if name == "classes.svg":
            from kg.output.docs import hierarchy_svg

            try:
                fragments = (await docs()).fragments
            except KGError:
                fragments = None  # the picture needs no pyLODE; its links do
            svg = hierarchy_svg(fragments, href="/ontology")
            return Response(svg.encode(), media_type="image/svg+xml", headers={"Content-Security-Policy": csp})
        fmt = wanted(request.headers.get("accept"), request.query_params.get("format"))
        if fmt is None:
            return PlainTextResponse("format is html, ttl or jsonld\n", status_code=400)
        iri = SSLMB + name
        triples = term_triples(iri) if "/" not in name and "#" not in name else []
        if not triples:
            return PlainTextResponse(
                f"<{iri}> is not a term of the ontology (a class or property it declares); "
                f"an entity of the graph has its page at /entity/{name}\n",
                status_code=404,
            )
        if fmt != "html":
            return rdf(fmt, triples)
        try:
            fragment = (await docs()).fragments.get(iri)
        except KGError as exc:
            return unavailable(exc)
        target = "/ontology" + (f"#{fragment}" if fragment else "")
        return RedirectResponse(target, status_code=303, headers={"Vary": "Accept"})

    return [
        Route("/ontology", ontology, methods=["GET", "HEAD"]),
        Route("/ontology/{name:path}", term, methods=["GET", "HEAD"]),
    ]
