"""The model layer: reading the graph as the review's content. Finding entities by what users type (:mod:`.search`),
fact sheets (:mod:`.describe`), evidence, reported numbers and their units (:mod:`.quantity`), which family
statements a member inherits (:mod:`.scope`), counts (:mod:`.stats`), the stored SPARQL queries
(:mod:`.stored`, run by :mod:`.queries`), the chemistry of compositions (:mod:`.chemistry`) and the resolution of
entities named by new sources (:mod:`.resolution`). Every function takes a :class:`kg.core.graph.Graph`.
"""
