"""Bringing data into a store: the bulk load pipeline (parse, validate, commit a new generation of an on-disk
store). It needs validation, so it sits above the store layer; the storage mechanics stay in
:mod:`kg.core.backends.disk`. The next source ingests (a curated source file in, its named graph out) land here.
"""
