"""Linked data: every drugkg IRI answers, for people (HTML) and machines (RDF).

routes       /id/<slug>, /source/<doc-id>, /graph/<name>, /ontology
negotiation  HTML or RDF, and the Link header of the other representations
resource     a resource's page: its statements, each with the sentence that supports it
source       a source document's page: its text, the quotes and their statements
text         sentences around a quote
graphs       a named graph's page
ontology     the ontology's documentation (pyLODE)
query        the queries the pages run, through the query processes
pages        what the pages share (layout, 404 page)
"""
