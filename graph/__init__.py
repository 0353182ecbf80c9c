"""drugkg's knowledge graph: ontology terms, curated facts, links and the build that stores them."""

__version__ = "0.1.0"
