"""The vocabulary: the terms of ontology/drugkg.ttl as Python names.

namespace    generated (do not edit): closed rdflib namespaces of every term used
generate     `python -m graph.vocabulary.generate` writes `namespace` from the ontology
"""
