"""The layers of the package, declared once, bottom to top (``tests/test_architecture.py`` enforces them, and
``docs/architecture.svg`` is drawn from them by ``docs/architecture.py``).

Each layer holds one or more parts; a part is a name and the module prefixes it owns (``kg.model`` owns
``kg.model`` and every ``kg.model.*``; the bare ``kg`` owns the package's ``__init__`` only). A module may import
from its own part and from any part of a lower layer: never from a higher layer, never from another part of its
own layer (output and validation do not import each other, nor do endpoint and ingest), and never in a circle.

>>> part_of("kg.validation.fast.compiler")
(3, 'validation')
>>> part_of("kg")
(5, 'facade')
"""

from __future__ import annotations

#: Bottom to top: (part name, module prefixes) for each part of each layer.
LAYERS: tuple[tuple[tuple[str, tuple[str, ...]], ...], ...] = (
    (("core", ("kg.core",)),),  # terms and the store: vocabularies, errors, files, Graph, the three backends
    (("model", ("kg.model",)),),  # reading the graph: search, fact sheets, evidence, numbers, scope, queries
    (("analysis", ("kg.analysis",)),),  # algorithms over the graph: network, causal routes, paths, gaps, hubs
    (("output", ("kg.output",)), ("validation", ("kg.validation",))),  # files and pictures | SHACL, reasoning
    (("endpoint", ("kg.endpoint",)), ("ingest", ("kg.ingest",))),  # sslmb serve | loading data into a store
    # the friendly way in: the package's face, the KnowledgeGraph facade, this declaration, and the two
    # compatibility modules the README documents (kg.draw, kg.remote)
    (("facade", ("kg", "kg.facade", "kg.layers", "kg.draw", "kg.remote")),),
    (("cli", ("kg.cli",)),),  # the sslmb command, on top of everything
)


def _owns(prefix: str, module: str) -> bool:
    if prefix == "kg":
        return module == "kg"
    return module == prefix or module.startswith(prefix + ".")


def part_of(module: str) -> tuple[int, str]:
    """``(layer index, part name)`` of a module of the package (the longest matching prefix decides); a
    :class:`LookupError` for a module no part owns."""
    best: tuple[int, int, str] | None = None
    for index, parts in enumerate(LAYERS):
        for name, prefixes in parts:
            for prefix in prefixes:
                if _owns(prefix, module) and (best is None or len(prefix) > best[0]):
                    best = (len(prefix), index, name)
    if best is None:
        raise LookupError(f"{module}: no layer owns this module; declare it in kg/layers.py")
    return best[1], best[2]
