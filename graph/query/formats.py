"""Output formats of `drugkg query`: one table from format name to serializer.

A query result is solutions (SELECT), a boolean (ASK) or triples (CONSTRUCT, DESCRIBE). Each
format says which of those it can write. `table` writes any of them as an aligned text table
with prefixed names; the others are the W3C result and RDF serialisations, done by pyoxigraph.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Triple,
    serialize,
)

from graph.errors import UnknownFormatError

Result = QuerySolutions | QueryBoolean | QueryTriples
Prefixes = Mapping[str, str]

SOLUTIONS, BOOLEAN, GRAPH = "SELECT", "ASK", "CONSTRUCT/DESCRIBE"

_XSD = "http://www.w3.org/2001/XMLSchema#"
_PLAIN_TYPES = {f"{_XSD}{t}" for t in ("string", "integer", "decimal", "double", "boolean")}
# Tables are for reading, so a local part may hold '/', '#', ',' and '=' (which strict Turtle
# would escape): `graph:facts/doc` and `source:doc#char=0,8` read better than full IRIs.
_LOCAL = re.compile(r"^[^\s<>\"{}|^`\\]*$")
_CELL_WIDTH = 80


@dataclass(frozen=True)
class OutputFormat:
    """A named output format, the result kinds it writes and how."""

    name: str
    kinds: frozenset[str]
    write: Callable[[Result, Prefixes], bytes]


def form_of(result: Result) -> str:
    """The result kind of a query result: SELECT, ASK or CONSTRUCT/DESCRIBE."""
    if isinstance(result, QuerySolutions):
        return SOLUTIONS
    if isinstance(result, QueryBoolean):
        return BOOLEAN
    return GRAPH


def _results(fmt: QueryResultsFormat) -> Callable[[Result, Prefixes], bytes]:
    def write(result: Result, _prefixes: Prefixes) -> bytes:
        assert isinstance(result, QuerySolutions | QueryBoolean)
        return result.serialize(format=fmt) or b""

    return write


def _rdf(fmt: RdfFormat) -> Callable[[Result, Prefixes], bytes]:
    def write(result: Result, prefixes: Prefixes) -> bytes:
        assert isinstance(result, QueryTriples)
        triples = list(result)
        if fmt in (RdfFormat.TURTLE, RdfFormat.TRIG, RdfFormat.RDF_XML):
            return serialize(triples, format=fmt, prefixes=dict(prefixes)) or b""
        return serialize(triples, format=fmt) or b""

    return write


def _table(result: Result, prefixes: Prefixes) -> bytes:
    if isinstance(result, QueryBoolean):
        return render_table(["ASK"], [["true" if bool(result) else "false"]]).encode()
    if isinstance(result, QueryTriples):
        rows = [
            [term_text(term, prefixes) for term in (t.subject, t.predicate, t.object)]
            for t in result
        ]
        return render_table(["subject", "predicate", "object"], rows).encode()
    names = [v.value for v in result.variables]
    rows = [[term_text(solution[name], prefixes) for name in names] for solution in result]
    return render_table(names, rows).encode()


_ANSWERS = frozenset({SOLUTIONS, BOOLEAN})
_GRAPHS = frozenset({GRAPH})

FORMATS: dict[str, OutputFormat] = {
    f.name: f
    for f in (
        OutputFormat("table", _ANSWERS | _GRAPHS, _table),
        OutputFormat("json", _ANSWERS, _results(QueryResultsFormat.JSON)),
        OutputFormat("csv", _ANSWERS, _results(QueryResultsFormat.CSV)),
        OutputFormat("tsv", _ANSWERS, _results(QueryResultsFormat.TSV)),
        OutputFormat("xml", _ANSWERS, _results(QueryResultsFormat.XML)),
        OutputFormat("turtle", _GRAPHS, _rdf(RdfFormat.TURTLE)),
        OutputFormat("ntriples", _GRAPHS, _rdf(RdfFormat.N_TRIPLES)),
        OutputFormat("jsonld", _GRAPHS, _rdf(RdfFormat.JSON_LD)),
        OutputFormat("nquads", _GRAPHS, _rdf(RdfFormat.N_QUADS)),
        OutputFormat("trig", _GRAPHS, _rdf(RdfFormat.TRIG)),
        OutputFormat("rdfxml", _GRAPHS, _rdf(RdfFormat.RDF_XML)),
    )
}


def get_format(name: str) -> OutputFormat:
    """The format called `name`; UnknownFormatError lists every known format."""
    try:
        return FORMATS[name]
    except KeyError:
        raise UnknownFormatError(name, list(FORMATS)) from None


def write_result(result: Result, name: str, prefixes: Prefixes) -> bytes:
    """Serialise a query result in the named format; unfit formats list the fitting ones."""
    fmt = get_format(name)
    kind = form_of(result)
    if kind not in fmt.kinds:
        fitting = [f.name for f in FORMATS.values() if kind in f.kinds]
        raise UnknownFormatError(name, fitting, query_form=kind)
    return fmt.write(result, prefixes)


def term_text(term: object, prefixes: Prefixes) -> str:
    """A term as a reader wants it in a table: prefixed names, bare plain literals."""
    if term is None:
        return ""
    if isinstance(term, NamedNode):
        return prefixed(term.value, prefixes)
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    if isinstance(term, Literal):
        text = _cell(term.value)
        if term.language:
            return f"{text}@{term.language}"
        if term.datatype.value in _PLAIN_TYPES:
            return text
        return f"{text}^^{prefixed(term.datatype.value, prefixes)}"
    if isinstance(term, Triple):
        parts = (term.subject, term.predicate, term.object)
        return "<< " + " ".join(term_text(p, prefixes) for p in parts) + " >>"
    return str(term)


def prefixed(iri: str, prefixes: Prefixes) -> str:
    """`prefix:local` for the longest namespace that fits, else `<iri>`."""
    best: tuple[str, str] | None = None
    for prefix, namespace in prefixes.items():
        longer = best is None or len(namespace) > len(best[1])
        if longer and iri.startswith(namespace) and _LOCAL.match(iri[len(namespace) :]):
            best = (prefix, namespace)
    if best is None:
        return f"<{iri}>"
    return f"{best[0]}:{iri[len(best[1]) :]}"


def render_table(
    header: Sequence[str], rows: Sequence[Sequence[str]], *, count: bool = True
) -> str:
    """An aligned text table with a header rule and (unless `count` is false) a row count."""
    widths = [len(h) for h in header]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]

    def line(cells: Sequence[str]) -> str:
        return " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    out = [line(header), "-+-".join("-" * w for w in widths)]
    out += [line(row) for row in rows]
    if count:
        out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"


def _cell(text: str) -> str:
    flat = text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")
    return flat if len(flat) <= _CELL_WIDTH else flat[: _CELL_WIDTH - 1] + "…"
