"""The ``sslmb`` command line (the console script is ``kg.cli:main``): :mod:`.app` parses the arguments and
dispatches; each group of commands is a small module that calls the library and prints (:mod:`.reading`,
:mod:`.checking`, :mod:`.queries`, :mod:`.analysis`, :mod:`.output`, :mod:`.stores`), sharing :mod:`.common`.
``python -m kg.cli`` runs it too (:mod:`.__main__`).
"""

from __future__ import annotations

from kg.cli.app import COMMANDS, build_parser, main, run

__all__ = ["COMMANDS", "build_parser", "main", "run"]
