"""Uploading a graph to a triple store with the SPARQL 1.1 Graph Store Protocol, as N-Triples (standard library
only), checked afterwards by counting the triples the endpoint holds."""

from __future__ import annotations

import time
from dataclasses import dataclass

import pyoxigraph as ox

from kg.core.backends.http import Http, split_credentials
from kg.core.backends.remote import RemoteStore
from kg.core.errors import InputError
from kg.core.graph import Graph


@dataclass(frozen=True)
class PushedGraph:
    """One graph sent: the local graph (``None``: the default graph), the target graph at the server (``None``:
    its default graph), the statements sent, and how many the endpoint then holds there (when it was counted)."""

    local: str | None
    target: str | None
    triples: int
    triples_at_endpoint: int | None


@dataclass(frozen=True)
class PushReport:
    """What :func:`push` did: where the graphs went, how much was sent, and (when the query endpoint is known)
    how many triples the endpoint then holds in each (``triples_at_endpoint`` is their sum)."""

    gsp: str
    graph: str | None
    method: str
    triples: int
    bytes: int
    seconds: float
    triples_at_endpoint: int | None
    graphs: tuple[PushedGraph, ...] = ()


def gsp_url(endpoint: str, *, user: str | None = None, http: Http | None = None) -> str:
    """Guess the Graph Store Protocol URL from a query endpoint: Oxigraph serves ``/query`` and ``/store``;
    Virtuoso serves ``/sparql`` and ``/sparql-graph-crud`` (``/sparql-graph-crud-auth`` with credentials).

    >>> gsp_url("http://127.0.0.1:7878/query")
    'http://127.0.0.1:7878/store'
    """
    from urllib.parse import urlsplit, urlunsplit

    url, url_user, _ = split_credentials(endpoint)
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    if path.endswith("/query"):
        path = path[: -len("query")] + "store"
    elif path.endswith("/sparql"):
        path = path + ("-graph-crud-auth" if (user or url_user) else "-graph-crud")
    else:
        raise InputError(
            f"cannot tell the Graph Store Protocol URL of {url}; give it with --gsp "
            "(Oxigraph: http://HOST/store, Virtuoso: http://HOST/sparql-graph-crud-auth, Fuseki: http://HOST/DATASET/data)"
        )
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def push(
    graph: Graph,
    *,
    endpoint: str | None = None,
    gsp: str | None = None,
    graph_iri: str | None = None,
    ontology_graph: str | None = None,
    user: str | None = None,
    password: str | None = None,
    replace: bool = True,
    timeout: float = 600.0,
) -> PushReport:
    """Upload ``graph`` to a store with the SPARQL 1.1 Graph Store Protocol, as N-Triples, one request per graph.

    Each source's named graph goes to the graph of the same name, and the ontology (the default graph) to the
    server's default graph, or to ``ontology_graph`` when given; Virtuoso cannot write its default graph, so
    there it goes to :data:`.dataset.ONTOLOGY_GRAPH` unless ``ontology_graph`` names another. With ``graph_iri``
    everything goes into that one graph instead (each triple once).

    ``replace`` (the default) PUTs: each target graph then holds exactly what was sent; otherwise POST adds to it.
    The GSP URL is ``gsp``, or guessed from ``endpoint`` (see :func:`gsp_url`); when ``endpoint`` is given each
    graph is counted there afterwards.
    """
    from urllib.parse import urlencode

    from kg.core.backends import dataset

    if gsp is None and endpoint is None:
        raise InputError("push needs --endpoint URL or --gsp URL")
    endpoint_user = endpoint_password = None
    if endpoint is not None:
        _, endpoint_user, endpoint_password = split_credentials(endpoint)
    user = user if user is not None else endpoint_user
    target, url_user, url_password = split_credentials(gsp or gsp_url(endpoint or "", user=user))
    user = url_user if url_user is not None else user
    password = url_password if url_user is not None else (password if password is not None else endpoint_password)
    http = Http(target, user, password, timeout)
    remote = RemoteStore(endpoint, user=user, password=password, timeout=timeout) if endpoint else None
    raw = dataset.raw_store(graph)
    if graph_iri is not None or raw is None:  # everything into one graph, each triple once
        data = graph.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()) or b""
        sends = [(dataset.Part(None, graph_iri, len(graph)), data)]
    else:
        kind = _kind(remote, target)
        ontology_target = ontology_graph or (dataset.ONTOLOGY_GRAPH if kind == "virtuoso" else None)
        sends = []
        for part in dataset.parts(raw, ontology_target):
            name = ox.DefaultGraph() if part.name is None else ox.NamedNode(part.name)
            sends.append((part, raw.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=name) or b""))
    method = "PUT" if replace else "POST"
    started = time.perf_counter()
    for part, data in sends:
        query = urlencode({"graph": part.target}) if part.target else "default"
        http.send(
            f"{target}{'&' if '?' in target else '?'}{query}",
            method=method,
            data=data,
            headers={"Content-Type": "application/n-triples; charset=utf-8"},
            authorize_first=True,
        )
    seconds = time.perf_counter() - started
    pushed = tuple(
        PushedGraph(
            part.name, part.target, part.triples, None if remote is None else _held(remote, http, target, part.target)
        )
        for part, _ in sends
    )
    held = sum(p.triples_at_endpoint or 0 for p in pushed) if remote is not None else None
    return PushReport(
        target,
        graph_iri,
        method,
        sum(p.triples for p in pushed),
        sum(len(d) for _, d in sends),
        round(seconds, 3),
        held,
        pushed,
    )


def _kind(remote: RemoteStore | None, gsp: str) -> str:
    """Which server receives the graphs: asked at the query endpoint, else guessed from the GSP URL."""
    if remote is not None and remote.probe():
        return remote.server
    return "virtuoso" if "sparql-graph-crud" in gsp else ""


def _held(remote: RemoteStore, http: Http, gsp: str, target: str | None) -> int:
    """The triples the endpoint holds in ``target``; its default graph is read back with the Graph Store Protocol
    (a query may see the union there), and counted."""
    if target is not None:
        return remote.count_graph(target)
    data, _ = http.send(
        f"{gsp}{'&' if '?' in gsp else '?'}default", method="GET", headers={"Accept": "application/n-triples"}
    )
    return sum(1 for _ in ox.parse(data, format=ox.RdfFormat.N_TRIPLES))
