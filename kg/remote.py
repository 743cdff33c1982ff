"""``kg.remote`` as it was before the package was layered (issue 12), kept because the README documents
``from kg.remote import push``: the remote backend is :mod:`kg.core.backends.remote`, uploading is
:mod:`kg.core.backends.push`, and :func:`connect` is :func:`kg.connect`."""

from __future__ import annotations

from kg.core.backends.push import PushReport, gsp_url, push
from kg.core.backends.remote import RemoteStore
from kg.core.backends.sparqltext import query_form, substitute, with_prefixes
from kg.facade import connect

__all__ = ["PushReport", "RemoteStore", "connect", "gsp_url", "push", "query_form", "substitute", "with_prefixes"]
