"""Bringing data into the graph: the bulk load pipeline (:mod:`.bulk`, :mod:`.parse`: parse, validate, commit a
new generation of an on-disk store), and reading sources into curation documents (:mod:`.dataset`: hand-written
YAML files and data sets read through a column mapping). It needs validation, so it sits above the store layer;
the storage mechanics stay in :mod:`kg.core.backends.disk`.
"""
