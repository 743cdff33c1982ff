"""The SPARQL endpoint and query page (``sslmb serve``): a read-only, sandboxed HTTP face of the graph.

Layout of a request: the server process (Starlette on uvicorn, :mod:`.app`; :mod:`.httpguard` bounds the HTTP
head) checks the query text with the guard (:mod:`.guard`, reading the text every way at once with
:mod:`.readings`: no update, no SERVICE, no LOAD, no FROM/GRAPH outside the store's own graphs, no text too large
or too deep), negotiates the result format (:mod:`.negotiate`), and hands the query through a fair queue
(:mod:`.scheduler`) to one of a few worker processes (:mod:`.pool`, :mod:`.worker`) that each hold the graph in
an Oxigraph store. A worker that runs past the timeout is killed and replaced, so a runaway query really stops; a
worker that dies (for instance at its memory limit) is replaced as well. The server process itself never
evaluates a query. Pages are :mod:`.pages` with :mod:`.web` (templates and the vendored static files); the limits
are :mod:`.settings`; :mod:`.serve` binds and runs it all.

Starlette and uvicorn are imported only by :func:`.app.create_app` and :func:`.serve.serve`; the worker processes
import neither.
"""
