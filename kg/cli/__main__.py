"""``python -m kg.cli``: the ``sslmb`` command."""

from kg.cli.app import run

run()
