"""The graph's domain model: the chemistry of compositions and the resolution of entities named by new sources."""
