"""What `drugkg query` writes: a readable table, or a serialisation of `graph.query.formats`.

`--format table` (the default) writes any result as an aligned text table with prefixed names
(`graph.query.tables`); any other name is looked up in the formats table for the query's kind
of result, as the endpoint's `format` parameter is (`json`: SPARQL JSON results for SELECT
and ASK, JSON-LD for CONSTRUCT and DESCRIBE). A name no format has is refused with the list
of every name; a format that does not fit the query's form is refused saying what it is for
and which formats fit, before the query runs when its form is plain from the text.
"""

from __future__ import annotations

from collections.abc import Mapping

from pyoxigraph import QueryBoolean, QueryTriples, RdfFormat, serialize

from graph.errors import UnknownFormatError
from graph.query import formats
from graph.query.formats import Kind, Result
from graph.query.tables import result_table
from graph.query.tokens import QUERY_FORMS

TABLE = "table"
"""The readable text table, for every kind of result."""

FULL_VALUES_HINT = "`--format csv` or `--format json` shows every value in full"

_PREFIXED = (RdfFormat.TURTLE, RdfFormat.TRIG, RdfFormat.RDF_XML)
"""The RDF formats that can declare prefixes (the others write full IRIs)."""


def names() -> list[str]:
    """Every name `--format` takes, `table` first."""
    return [TABLE, *formats.names()]


def check_name(name: str) -> None:
    """Refuse a name that no format has, listing every name."""
    if name != TABLE and not any(formats.named(name, kind) for kind in Kind):
        raise UnknownFormatError(name, names())


def check_fits(name: str, form: str | None) -> None:
    """Refuse a format that does not fit a query form (SELECT, ASK, CONSTRUCT, DESCRIBE);
    a form that is None or no query form is left to the parser."""
    if name == TABLE or form not in QUERY_FORMS:
        return
    kind = Kind.GRAPH if form in ("CONSTRUCT", "DESCRIBE") else Kind.SOLUTIONS
    _fitting(name, kind, form)


def write_result(result: Result, name: str, prefixes: Mapping[str, str]) -> bytes:
    """Serialise a query result in the named format (UnknownFormatError if it does not fit)."""
    if isinstance(result, QueryTriples):
        form, kind = "CONSTRUCT/DESCRIBE", Kind.GRAPH
    else:
        form, kind = ("ASK" if isinstance(result, QueryBoolean) else "SELECT"), Kind.SOLUTIONS
    if name == TABLE:
        return result_table(result, prefixes, full_values_hint=FULL_VALUES_HINT).encode()
    fmt = _fitting(name, kind, form)
    if isinstance(result, QueryTriples):
        triples = list(result)
        if fmt.rdf_format in _PREFIXED:
            return serialize(triples, format=fmt.rdf_format, prefixes=dict(prefixes)) or b""
        return serialize(triples, format=fmt.rdf_format) or b""
    return result.serialize(format=fmt.results_format) or b""


def _fitting(name: str, kind: Kind, form: str) -> formats.Format:
    fmt = formats.named(name, kind)
    if fmt is not None:
        return fmt
    label = "CONSTRUCT/DESCRIBE" if kind is Kind.GRAPH else form
    fitting = [TABLE, *(f.name for f in formats.offered(kind))]
    other = Kind.SOLUTIONS if kind is Kind.GRAPH else Kind.GRAPH
    fits = None
    if formats.named(name, other) is not None:  # a known format, for the other kind
        what = "graph results" if other is Kind.GRAPH else "solutions and booleans"
        fits = f"{what} ({other.forms})"
    raise UnknownFormatError(name, fitting, query_form=label, fits=fits)
