"""The build pipeline: the curated files in, a checked store out.

inputs       read the ontology, seeds, entities, facts (TriG), links and shapes
seeds        source documents and their metadata
quotes       every quote verbatim at its offsets in its source text
statements   one statement graph per quote, nothing fact-bearing outside one
reasoning    the entailments materialised into the `inferred` graph
hermit       the ontology and data checked with HermiT (OWL 2 DL)
shacl        the shapes, with pySHACL
build        the steps in order, the report, the atomic swap (`graph.storage`)
"""
