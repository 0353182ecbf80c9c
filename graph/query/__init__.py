"""SPARQL texts and results, shared by the command line, the endpoint and the tests.

text         the lexer, the nesting guard, the deep stack, readable syntax errors
formats      the one table of result and RDF formats (names, media types, serialisers)
questions    the competency questions of queries/ and their headers
"""
