"""The SPARQL 1.1 Protocol at /sparql: from an HTTP request to an answer.

protocol     every request form (GET, POST form, POST direct) as one request object
handler      the lean ASGI app of /sparql: parse, revalidate, evaluate, answer
fastpath     the middleware that hands /sparql to the handler past the stack
negotiation  the media type of an answer, from Accept or `format`
lexer        what the endpoint must know of a query text before evaluating it
federation   the SERVICE guard: only allow-listed endpoints, as pyoxigraph reads them
resultcache  whole answers of repeated queries, kept in memory
description  the service description and the VoID description
openapi      what /sparql looks like in the OpenAPI document
"""
