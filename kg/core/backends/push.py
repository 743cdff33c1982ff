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
class PushReport:
    """What :func:`push` did: where the graph went, how much was sent, and (when the query endpoint is known)
    how many triples the endpoint then holds in that graph."""

    gsp: str
    graph: str | None
    method: str
    triples: int
    bytes: int
    seconds: float
    triples_at_endpoint: int | None


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
    user: str | None = None,
    password: str | None = None,
    replace: bool = True,
    timeout: float = 600.0,
) -> PushReport:
    """Upload ``graph`` to a store with the SPARQL 1.1 Graph Store Protocol, as N-Triples.

    ``replace`` (the default) PUTs: the target graph then holds exactly this graph; otherwise POST adds to it.
    ``graph_iri`` names the target graph (``?graph=IRI``); without it the store's default graph is written
    (Virtuoso has no writable default graph: name one). The GSP URL is ``gsp``, or guessed from ``endpoint``
    (see :func:`gsp_url`); when ``endpoint`` is given the result is checked by counting the triples there.
    """
    from urllib.parse import urlencode

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
    query = urlencode({"graph": graph_iri}) if graph_iri else "default"
    url = f"{target}{'&' if '?' in target else '?'}{query}"
    started = time.perf_counter()
    data = graph.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()) or b""
    method = "PUT" if replace else "POST"
    http.send(
        url,
        method=method,
        data=data,
        headers={"Content-Type": "application/n-triples; charset=utf-8"},
        authorize_first=True,
    )
    seconds = time.perf_counter() - started
    held = None
    if endpoint is not None:
        held = len(RemoteStore(endpoint, graph=graph_iri, user=user, password=password, timeout=timeout))
    return PushReport(target, graph_iri, method, len(graph), len(data), round(seconds, 3), held)
