"""The analysis layer: networkx-style algorithms as plain functions over a :class:`kg.core.graph.Graph` (networkx
is imported only when one runs). The entity network (:mod:`.network`), the causal graph (:mod:`.causal`), and one
module per question: what mitigates a hazard (:mod:`.mitigations`), what an electrolyte risks (:mod:`.risks`),
the simple paths between two entities (:mod:`.paths`), where research is missing (:mod:`.gaps`), and the hubs of
the causal graph (:mod:`.centrality`).
"""
