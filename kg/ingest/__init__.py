"""Reading sources into curation documents: hand-written YAML files and data sets read through a column mapping."""
