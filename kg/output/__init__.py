"""The output layer: the graph written for people and other tools. RDF export (:mod:`.rdf`), the part of the graph
an export is limited to (:mod:`.subgraph`), GEXF and GraphML for network tools (:mod:`.gexf`), text for terminals
(:mod:`.text`), the one colour scheme (:mod:`.palette`) and pictures of what mitigates a hazard (:mod:`.draw`).
It sits beside the validation layer and neither imports the other.
"""
