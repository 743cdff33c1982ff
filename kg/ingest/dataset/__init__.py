"""A data-set source read through its column mapping, as the same document a hand-written curation file is.

A data-set source (``kind: dataset``) is a YAML file with the usual ``source:`` header and a block::

    dataset:
      file: data/obelix/all.csv        # the table, relative to the source file
      mapping: mappings/obelix.yaml    # how its columns become facts, relative to the source file
      sha256: 54f6...                  # optional: the table must have exactly this SHA-256

:func:`read_dataset` returns a :class:`Curation`: ``document`` is a dict that validates against
``sources/schema.json`` (the source header, ``materials`` and ``measurements``; the ``dataset`` block itself is
left out, so the converter downstream cannot tell it from a hand-written file), and ``origins`` says for every
generated fact where it came from, as an :class:`Origin` ``(file, line, column)``, so that a later error reads
``sources/data/obelix/all.csv:123: column 'Ionic conductivity (S cm-1)': ...``. Paths are shown relative to the
current directory when they lie under it. Facts written by hand in the source file itself (``references``,
``claims``, even ``materials``) are kept, before the generated ones. The reader decides nothing about the graph:
its materials carry neither ``same_as`` nor ``new``, since whether one is already in the graph is entity
resolution, done later. The same files always give the same document: materials and measurements sorted by id,
ids derived from the table's content only.

A generated material is ``{id, name, formula, family?, note?}``; a generated measurement is ``{id, of, property,
value | min/max + qualifier + printed, unit, conditions?, space_group?, identifiers?, refs?, where: {row: <the
row's id>}, note?}``.

The mapping file
----------------
One row of the table is one measurement of one material. Column names are the table's header, exactly (a YAML key
holding `` #`` must be quoted: unquoted, the rest of the line is a comment); cells are read with the spaces around
them trimmed. Keys (any other key is an error that lists the known ones):

``format``
    ``csv`` (comma-separated) or ``tsv`` (tab-separated). The file is UTF-8, with or without a byte-order mark;
    it is read with the standard :mod:`csv` module. The first non-blank line is the header; rows whose cells are
    all blank are skipped; every other row must have as many fields as the header.
``row_id``
    The column holding the data set's own entry id, unique and non-empty in every row. Each measurement's ``id`` is
    ``<source key>_<row id>`` made safe (letters, digits and ``_``): ``obelix_jqc``. Row ids that only differ in
    characters replaced by ``_``, and over-long ones, get a short hash of the row id appended.
``material``
    ``formula`` (column, required): the composition. It must parse as a chemical formula (element symbols,
    amounts with decimals, nested ``()``/``[]``, ``·`` or ``*`` between adducts with an optional leading count).
    Rows whose formulas have the same reduced composition (every amount divided by their sum, compared exactly)
    share one material; it keeps the name, formula and (see ``family``) family of the first such row, and its
    ``note`` lists the other names and formulas the table writes the same composition with. Its ``id`` is
    ``<source key>_<name made safe>``, with a hash of the composition appended if two materials would get the same.
    ``name`` (column, optional): the material's name; an empty cell, or no ``name`` key, means the formula.
    ``family``: either a column whose cells are family labels as they are, or a mapping ``column``, ``values``
    (the data set's family names -> the graph's family labels; compared exactly after trimming spaces) and
    ``otherwise`` (the label for an empty cell or a name not under ``values``; without it such a name is an error
    and an empty cell gives no family). A material takes the family of its first row whose cell names one; only
    when none does, the ``otherwise`` label; rows naming another family are listed in its note.
``measurement``
    ``property`` and ``unit`` (required constants: the graph's metric label, the unit as people write it);
    ``value`` (column, required): a decimal number such as ``1.58e-06`` in every row, or a bound: ``<1E-10``
    gives ``max: 1e-10, qualifier: less than, printed: '<1E-10'`` (``<=``/``≤`` -> up to; ``>``, ``>=``/``≥`` ->
    ``min`` with more than/at least; ``~``/``≈`` -> ``value`` with about);
    ``conditions``: constants (text or a number) under the schema's condition names (``temperature``,
    ``current_density``, ...); ``temperature: room temperature`` stays that text;
    ``space_group``: column -> the measurement's ``space_group`` (the phase measured), trimmed; empty -> none;
    ``derived_from``: a column, or ``column`` and ``separator``: the DOIs of the publications that reported the
    value -> the measurement's ``refs`` (``doi:`` and ``https://doi.org/`` prefixes are removed; each must then
    look like ``10.NNNN/...``);
    ``identifiers``: column -> a name (lower-case, ``icsd``) -> ``identifiers: {icsd: '155950'}``; a whole number
    written with a trailing ``.0`` (``155950.0``, a spreadsheet artefact) is read as the whole number;
    ``flags``: column -> {cell value -> a sentence}: a row whose cell is that value gets the sentence as its
    measurement's ``note`` (several sentences are joined by ``; ``).
``ignored``
    Column -> the reason it is not read (required text). Every column of the table is either mapped above or
    ignored here, never both, and every column named anywhere in the mapping is in the table: the next data set
    needs a new mapping, and a column added to a table is never dropped unnoticed.

Errors are :class:`~kg.core.errors.InputError` with a ``file:line: `` prefix: the table's line for a bad cell, the
mapping's line for a bad key (an unknown key lists the known ones), the source file's line for a bad ``dataset``
block (a digest that does not match gives both digests).

The package in its rooms, in the order a source is read: :mod:`.reader` (:func:`read_dataset`), :mod:`.files`
(paths, lines of YAML keys, the table), :mod:`.mapping` (the mapping file), :mod:`.cells` (formulas, values,
ids), :mod:`.facts` (rows into materials and measurements) and :mod:`.document` (what the schema allows,
:class:`Curation` and :class:`Origin`).
"""

from __future__ import annotations

from kg.ingest.dataset.cells import composition
from kg.ingest.dataset.document import CONDITIONS, Curation, Origin
from kg.ingest.dataset.reader import read_dataset

__all__ = ["CONDITIONS", "Curation", "Origin", "composition", "read_dataset"]
