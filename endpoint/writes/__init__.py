"""Writes over HTTP: who may write, and how a write reaches the store.

auth         the write token: read at start-up, compared in constant time
update       SPARQL 1.1 Update at /sparql: the request forms and the dataset parameters
graphstore   the SPARQL 1.1 Graph Store HTTP Protocol at /store
runner       the write process (`endpoint.execution.writer`): one write at a time,
             under a time and a memory limit, each one a new store version
"""
