"""The validation layer: SHACL validation by pySHACL, the reference (:mod:`.pyshacl`), or by the fast engine
(:mod:`.fast`: the shapes compiled to SPARQL on Oxigraph), both chosen by :mod:`.shacl` and both returning a
:mod:`.report`; and OWL reasoning with HermiT (:mod:`.reason`). It sits beside the output layer and neither
imports the other.
"""
