"""graph.query.formats: the one table of result and RDF formats, read by every user of one."""

from __future__ import annotations

from pyoxigraph import QueryResultsFormat, RdfFormat

from endpoint.linkeddata.negotiation import ALTERNATES
from endpoint.sparql.negotiation import choose, offered
from graph.query import formats, output
from graph.query.formats import Kind
from graph.storage.loading import READABLE


def test_a_name_means_one_format_within_a_kind() -> None:
    for kind in Kind:
        names = [n for f in formats.offered(kind) for n in f.names]
        assert len(names) == len(set(names)), kind
    results, jsonld = formats.named("json", Kind.SOLUTIONS), formats.named("json", Kind.GRAPH)
    assert results is not None
    assert results.serializer == QueryResultsFormat.JSON
    assert jsonld is not None
    assert jsonld.serializer == RdfFormat.JSON_LD
    assert formats.named("turtle", Kind.SOLUTIONS) is None


def test_the_endpoint_the_command_line_and_load_read_the_same_table() -> None:
    for kind in Kind:
        assert offered(kind) == [f.media_type for f in formats.offered(kind)]
        assert choose(kind, None, None) is formats.offered(kind)[0]
    assert output.names() == ["table", *formats.names()]
    assert tuple((f.media_type, f.extension) for f in formats.alternates()) == ALTERNATES
    assert [f.name for f in READABLE] == ["turtle", "ntriples", "rdfxml", "n3"]


def test_a_file_extension_names_its_format_in_any_case() -> None:
    assert formats.for_file("data/LINKS.TTL") is formats.named("turtle", Kind.GRAPH)
    assert formats.for_file("ontology.owl") is formats.named("rdfxml", Kind.GRAPH)
    assert formats.for_file("notes.txt") is None
