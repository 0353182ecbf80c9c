"""SPARQL texts and results, shared by the command line, the endpoint and the tests.

tokens       the SPARQL lexer and the words SPARQL reserves
text         the nesting guard, the deep stack, readable syntax errors
formats      the one table of result and RDF formats (names, media types, serialisers)
run          a query given to `drugkg query`: its text, the checks before it runs, evaluation
output       what `drugkg query` writes: a table or a serialisation from `formats`
tables       results as aligned text tables with prefixed names
compare      the one answer comparer: bags or sequences, blank nodes up to renaming
questions    the competency questions of queries/ and their headers
"""
