"""Where the graph lives: in memory (:mod:`.memory`, the default), in an on-disk Oxigraph store (:mod:`.disk`), or
behind a SPARQL endpoint (:mod:`.remote`).

Every module reads the graph through ``graph.store``, using four methods of ``pyoxigraph.Store``: ``query``,
``quads_for_pattern``, ``dump`` and ``len()`` (:class:`.protocol.Store`). That is the one seam between the package
and its storage. In memory and on disk, ``graph.store`` is a ``pyoxigraph.Store``; for an endpoint it is a
:class:`.remote.RemoteStore`, which answers the same four calls over HTTP. A new backend is a class with those
methods and a function that returns a :class:`kg.core.graph.Graph` over it.
"""
