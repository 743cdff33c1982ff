"""The bottom layer: terms and the store. Vocabularies, errors, where the data files live, formats, JSON, safe
file reading and writing, RDF terms as Python values, the :class:`~kg.core.graph.Graph` every layer above reads,
and the three backends that hold a graph (:mod:`kg.core.backends`). Nothing here imports anything above it.
"""

from __future__ import annotations

__version__ = "0.1.0"
