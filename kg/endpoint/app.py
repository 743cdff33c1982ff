"""The Starlette application of ``sslmb serve``: the routes (``/``, ``/sparql``, ``/entity/{name}``, ``/sources``,
``/static``, ``/health``) and the ASGI middleware that keeps the server read-only. Starlette is imported only by
:func:`create_app`."""

from __future__ import annotations

import json

from kg.endpoint.cache import AnswerCache
from kg.endpoint.guard import Refused, check_graph_parameters, check_query
from kg.endpoint.negotiate import MEDIA_TYPES, negotiate, parse_accept
from kg.endpoint.pool import QueryTimeout, WorkerDied, WorkerPool
from kg.endpoint.scheduler import Busy
from kg.endpoint.settings import Settings

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any


_SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
# The page loads nothing but its own files: no CDN, no fonts, no outside requests (the browser enforces it).
_PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
_WRITE_METHODS = frozenset({"PUT", "DELETE", "PATCH"})


def create_app(settings: Settings, pool: WorkerPool | None = None, *, on_ready: Any = None) -> Any:
    """The Starlette application: ``/`` (query page), ``/sparql`` (SPARQL 1.1 Protocol), ``/entity/{name}``,
    ``/sources`` (the sources served, as a page or JSON), ``/static``, ``/health``."""
    import asyncio
    import contextlib
    import functools
    from concurrent.futures import ThreadPoolExecutor
    from urllib.parse import parse_qs

    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.requests import Request
    from starlette.responses import PlainTextResponse, RedirectResponse, Response
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles

    from kg.endpoint.ontology import routes as ontology_routes
    from kg.endpoint.pages import index_html
    from kg.endpoint.web import STATIC_DIR

    pool = pool or WorkerPool(settings)
    cache = AnswerCache(settings.cache_bytes)  # complete answers of this generation (kg/endpoint/cache.py)
    page: dict[str, bytes] = {}
    # The guard reads a large text on a thread of its own, so the event loop goes on serving meanwhile.
    guard_threads = ThreadPoolExecutor(max_workers=2, thread_name_prefix="sslmb-guard")

    def refusal(exc: Refused) -> Response:
        return PlainTextResponse(exc.message.rstrip("\n") + "\n", status_code=exc.status, headers=exc.headers)

    async def answer(request_: dict[str, Any], client: str) -> Response:
        try:
            key = cache.key_of(pool.generation, request_)
            if key is not None:
                digest = key[2] if request_["op"] == "query" else None  # the text's digest, computed once
                compute = functools.partial(pool.run, request_, client=client, digest=digest)
                status, media, headers, body = await cache.answer(key, compute)
            else:
                status, media, headers, body = await pool.run(request_, client=client)
        except QueryTimeout:
            return PlainTextResponse(
                f"query stopped: it ran longer than {settings.query_timeout:g} s (the server's --query-timeout); "
                "the worker that ran it was replaced\n",
                status_code=503,
            )
        except Busy:
            return PlainTextResponse(
                f"every query worker stayed busy for {settings.queue_timeout:g} s; try again shortly\n",
                status_code=503,
                headers={"Retry-After": "2"},
            )
        except WorkerDied as exc:
            return PlainTextResponse(
                f"query stopped: its worker process died ({exc}); a new worker took its place\n",
                status_code=503,
            )
        return Response(body, status_code=status, media_type=media, headers=headers)

    async def read_body(request: Request) -> bytes:
        length = request.headers.get("content-length")
        if length is not None:
            try:
                if int(length) > settings.max_request_bytes:
                    raise Refused(413, f"request body larger than {settings.max_request_bytes} bytes")
            except ValueError:
                raise Refused(400, "bad Content-Length") from None
        chunks: list[bytes] = []

        async def read() -> None:
            size = 0
            async for chunk in request.stream():
                size += len(chunk)
                if size > settings.max_request_bytes:
                    raise Refused(413, f"request body larger than {settings.max_request_bytes} bytes")
                chunks.append(chunk)

        try:
            await asyncio.wait_for(read(), timeout=settings.body_timeout)
        except asyncio.TimeoutError:
            raise Refused(408, f"the request body did not arrive within {settings.body_timeout:g} s") from None
        return b"".join(chunks)

    async def guard(text: str) -> Any:
        if len(text) <= 16384:
            return check_query(text, graphs=pool.graphs)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(guard_threads, lambda: check_query(text, graphs=pool.graphs))

    def client_of(request: Request) -> str:
        return request.client.host if request.client else ""

    def utf8(data: bytes) -> str:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise Refused(400, "the request is not valid UTF-8") from None

    async def sparql_endpoint(request: Request) -> Response:
        try:
            params: dict[str, list[str]] = {}
            for key, value in request.query_params.multi_items():
                params.setdefault(key, []).append(value)
            if request.method == "POST":
                ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
                if ctype == "application/sparql-update":
                    raise Refused(403, "SPARQL Update is not allowed: the endpoint is read-only")
                body = await read_body(request)
                if ctype == "application/x-www-form-urlencoded":
                    for key, values in parse_qs(utf8(body), keep_blank_values=True).items():
                        params.setdefault(key, []).extend(values)
                elif ctype == "application/sparql-query":
                    params.setdefault("query", []).append(utf8(body))
                else:
                    raise Refused(
                        415,
                        "POST a query as application/sparql-query or as an application/x-www-form-urlencoded form",
                    )
            elif len(request.url.query) > settings.max_request_bytes:
                raise Refused(413, f"query string larger than {settings.max_request_bytes} bytes")
            if "update" in params:
                raise Refused(403, "SPARQL Update is not allowed: the endpoint is read-only")
            queries = params.get("query", [])
            if len(queries) != 1 or not queries[0].strip():
                if not queries and request.method == "GET" and "text/html" in request.headers.get("accept", ""):
                    return RedirectResponse("/", status_code=303)
                raise Refused(400, "give exactly one query: GET /sparql?query=..., or POST it (see the page at /)")
            default, named = params.get("default-graph-uri", []), params.get("named-graph-uri", [])
            check_graph_parameters(default + named, pool.graphs)
            checked = await guard(queries[0])
            fmt = negotiate(request.headers.get("accept"), checked.form)
        except Refused as exc:
            return refusal(exc)
        job: dict[str, Any] = {"op": "query", "query": queries[0], "format": fmt}
        if default or named:  # the protocol's dataset, which overrides the query's FROM (SPARQL 1.1 Protocol 2.1.4)
            job["dataset"] = (default, named)
        return await answer(job, client_of(request))

    async def entity(request: Request) -> Response:
        name = request.path_params["name"]
        wanted = request.query_params.get("format")
        if wanted is not None:
            fmt = {"html": "html", "ttl": "ttl", "turtle": "ttl", "jsonld": "jsonld", "json-ld": "jsonld"}.get(wanted)
            if fmt is None:
                return PlainTextResponse("format is html, ttl or jsonld\n", status_code=400)
        else:
            fmt = "html"
            for media, q in parse_accept(request.headers.get("accept")):
                if q <= 0:
                    continue
                if media in ("text/turtle", "application/x-turtle"):
                    fmt = "ttl"
                elif media in ("application/ld+json", "application/json"):
                    fmt = "jsonld"
                elif media in ("text/html", "application/xhtml+xml", "*/*", "text/*"):
                    fmt = "html"
                else:
                    continue
                break
        response = await answer({"op": "entity", "name": name, "format": fmt}, client_of(request))
        if response.status_code == 303 and request.url.query:  # a redirect to the canonical name keeps ?format=
            response.headers["Location"] += "?" + request.url.query
        response.headers["Vary"] = "Accept"
        if fmt == "html":
            response.headers["Content-Security-Policy"] = _PAGE_CSP
        return response

    async def sources_page(request: Request) -> Response:
        wanted = request.query_params.get("format")
        if wanted is not None:
            if wanted not in ("html", "json"):
                return PlainTextResponse("format is html or json\n", status_code=400)
            fmt = wanted
        else:
            fmt = "html"
            for media, q in parse_accept(request.headers.get("accept")):
                if q > 0 and media in ("application/json", "text/html", "application/xhtml+xml", "*/*", "text/*"):
                    fmt = "json" if media == "application/json" else "html"
                    break
        response = await answer({"op": "sources", "format": fmt}, client_of(request))
        response.headers["Vary"] = "Accept"
        if fmt == "html":
            response.headers["Content-Security-Policy"] = _PAGE_CSP
        return response

    async def index(request: Request) -> Response:
        if "html" not in page:
            from kg.model.stored import stored_queries

            page["html"] = index_html(stored_queries(), settings).encode()
        return Response(page["html"], media_type=MEDIA_TYPES["html"], headers={"Content-Security-Policy": _PAGE_CSP})

    async def ask(request: Request) -> Response:  # /ask?q=QUESTION (kg/endpoint/asking.py, in a worker)
        from kg.endpoint.asking import MAX_QUESTION

        question = request.query_params.get("q", "")
        if not question.strip():
            return PlainTextResponse("give a question: /ask?q=what+stops+dendrites\n", status_code=400)
        if len(question) > MAX_QUESTION:
            return PlainTextResponse(f"a question is at most {MAX_QUESTION} characters\n", status_code=413)
        return await answer({"op": "ask", "question": question}, client_of(request))

    async def health(request: Request) -> Response:
        return Response(
            json.dumps(
                {
                    "status": "ok",
                    "workers": settings.workers,
                    "replaced": pool.replaced,
                    "cache": {"entries": len(cache), "bytes": cache.size, "hits": cache.hits, "misses": cache.misses},
                }
            ).encode(),
            media_type="application/json",
        )

    @contextlib.asynccontextmanager
    async def lifespan(app: Any):
        await pool.start()
        if on_ready is not None:
            on_ready(pool)
        try:
            yield
        finally:
            pool.close()
            guard_threads.shutdown(wait=False, cancel_futures=True)

    middleware = [Middleware(_Guard, max_bytes=settings.max_request_bytes)]
    if settings.cors:
        from starlette.middleware.cors import CORSMiddleware

        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors),
                allow_methods=["GET", "POST"],
                allow_headers=["Accept", "Content-Type"],
                expose_headers=["X-Row-Limit", "X-Row-Count", "X-Rows-Truncated", "X-Query-Seconds"],
            )
        )

    async def jsonld_context(request: Request) -> Response:
        # the vocabulary's JSON-LD context: static and public, so any page may fetch it (JSON-LD processors in a
        # browser load contexts cross-origin)
        from kg.core.resources import context_file

        if "context" not in page:
            page["context"] = context_file().read_bytes()
        headers = {"Access-Control-Allow-Origin": "*", "Cache-Control": "public, max-age=3600"}
        return Response(page["context"], media_type="application/ld+json", headers=headers)

    routes = [
        Route("/", index, methods=["GET", "HEAD"]),
        Route("/context.jsonld", jsonld_context, methods=["GET", "HEAD"]),
        Route("/sparql", sparql_endpoint, methods=["GET", "POST", "HEAD"]),
        Route("/entity/{name:path}", entity, methods=["GET", "HEAD"]),
        Route("/sources", sources_page, methods=["GET", "HEAD"]),
        Route("/health", health, methods=["GET", "HEAD"]),
        Route("/ask", ask, methods=["GET", "HEAD"]),
        *ontology_routes(_PAGE_CSP),  # /ontology and its terms (kg/endpoint/ontology.py)
        Mount("/static", app=StaticFiles(directory=str(STATIC_DIR)), name="static"),
    ]
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.pool = pool
    return app


class _Guard:
    """ASGI middleware for every route: the server is read-only (a write method or an ``update`` parameter is
    403 anywhere, a POST is accepted at ``/sparql`` only), request bodies above the cap are 413, and the
    security headers go on every response."""

    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        query_string = scope.get("query_string", b"")
        reason: tuple[int, str] | None = None
        if method in _WRITE_METHODS:
            reason = (403, "the endpoint is read-only")
        elif method == "POST" and scope["path"] != "/sparql":
            reason = (403, "the endpoint is read-only; POST queries to /sparql")
        elif headers.get("content-type", "").split(";")[0].strip().lower() == "application/sparql-update":
            reason = (403, "SPARQL Update is not allowed: the endpoint is read-only")
        elif _has_update_param(query_string):
            reason = (403, "SPARQL Update is not allowed: the endpoint is read-only")
        else:
            length = headers.get("content-length")
            if length is not None and length.isdigit() and int(length) > self.max_bytes:
                reason = (413, f"request body larger than {self.max_bytes} bytes")
        if reason is not None:
            await _drain_small(receive, headers)
            await _plain(send, reason[0], reason[1])
            return

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                extra = [(k.lower().encode(), v.encode()) for k, v in _SECURITY_HEADERS.items()]
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _has_update_param(query_string: bytes) -> bool:
    from urllib.parse import parse_qsl

    if b"update" not in query_string:
        return False
    return any(k == "update" for k, _ in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True))


async def _drain_small(receive: Any, headers: dict[str, str]) -> None:
    """Read a small refused body so the connection stays usable; a large one is left (the server closes)."""
    length = headers.get("content-length")
    if length is None or not length.isdigit() or int(length) > 65536:
        return
    more = int(length) > 0
    while more:
        message = await receive()
        more = message.get("more_body", False) and message["type"] == "http.request"


async def _plain(send: Any, status: int, text: str) -> None:
    body = (text + "\n").encode()
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    headers += [(k.lower().encode(), v.encode()) for k, v in _SECURITY_HEADERS.items()]
    if status == 413:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
