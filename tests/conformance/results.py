"""Query results as comparable values, read from the suite's files or from a response body.

Every form reduces to rows of cells: a table of solutions, a boolean, a set of triples (a
CONSTRUCT result, as rows over `s p o`) or a CSV table of strings. `compare` in
`tests.conformance.compare` matches them with bag semantics and blank-node isomorphism.

Literal cells follow the suite's conventions: terms are equal when they are the same term, or
when both are numeric literals of the same datatype with the same value ("2.0" and "2.00" as
xsd:decimal); language tags compare case-insensitively (BCP 47).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph as ox

XSD = "http://www.w3.org/2001/XMLSchema#"
RS = "http://www.w3.org/2001/sw/DataAccess/tests/result-set#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

_INTEGER_NAMES = (
    "integer nonPositiveInteger negativeInteger long int short byte nonNegativeInteger "
    "unsignedLong unsignedInt unsignedShort unsignedByte positiveInteger"
)
_INTEGER_TYPES = {XSD + name for name in _INTEGER_NAMES.split(" ")}

# A cell is ("b", label) for a blank node, else ("t", a hashable key of the term).
Cell = tuple[str, object]
Row = tuple[tuple[str, Cell], ...]


class ResultsError(Exception):
    """A results document that cannot be read: names the document and the reason."""


@dataclass(frozen=True)
class Table:
    variables: frozenset[str]
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Boolean:
    value: bool


@dataclass(frozen=True)
class Triples:
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class CsvTable:
    variables: tuple[str, ...]
    rows: tuple[Row, ...]


Outcome = Table | Boolean | Triples | CsvTable

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


def cell(term: Term) -> Cell:
    if isinstance(term, ox.BlankNode):
        return ("b", term.value)
    if isinstance(term, ox.NamedNode):
        return ("t", ("iri", term.value))
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        if term.language is not None:
            return ("t", ("lang", term.value, term.language.lower(), term.direction))
        number = _numeric_value(term.value, datatype)
        if number is not None:
            return ("t", ("number", datatype, number))
        return ("t", ("literal", term.value, datatype))
    return ("t", ("triple", str(term)))


def _numeric_value(lexical: str, datatype: str) -> object | None:
    try:
        if datatype in _INTEGER_TYPES:
            return int(lexical.strip())
        if datatype == XSD + "decimal":
            return Decimal(lexical.strip()).normalize()
        if datatype in (XSD + "double", XSD + "float"):
            return float(lexical.strip().replace("INF", "inf"))
    except (ValueError, InvalidOperation):
        return None
    return None


def _row(pairs: list[tuple[str, Term | None]]) -> Row:
    return tuple(sorted((name, cell(term)) for name, term in pairs if term is not None))


def from_query_result(result: object) -> Outcome:
    """An outcome from what `pyoxigraph` returns for a query or parses from a results file."""
    if isinstance(result, ox.QueryBoolean):
        return Boolean(bool(result))
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        rows = tuple(_row([(n, s[n]) for n in names]) for s in result)
        return Table(frozenset(names), rows)
    if isinstance(result, ox.QueryTriples):
        return triples_outcome(list(result))
    raise ResultsError(f"unexpected query result {type(result).__name__}")


def triples_outcome(triples: list[ox.Triple]) -> Triples:
    rows = {_row([("s", t.subject), ("p", t.predicate), ("o", t.object)]) for t in triples}
    return Triples(tuple(rows))


def read_results(data: bytes, fmt: ox.QueryResultsFormat, where: str) -> Outcome:
    """Parse SPARQL JSON, XML or TSV results, or CSV results (which pyoxigraph cannot read)."""
    if fmt == ox.QueryResultsFormat.CSV:
        return read_csv(data, where)
    try:
        return from_query_result(ox.parse_query_results(data, fmt))
    except SyntaxError as error:
        raise ResultsError(f"{where}: not valid {fmt.name} results: {error}") from error


def read_csv(data: bytes, where: str) -> CsvTable:
    try:
        reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""))
        lines = list(reader)
    except (UnicodeDecodeError, csv.Error) as error:
        raise ResultsError(f"{where}: not valid CSV results: {error}") from error
    if not lines:
        raise ResultsError(f"{where}: CSV results without a header line")
    header = tuple(lines[0])
    rows = []
    for number, values in enumerate(lines[1:], start=2):
        if len(values) != len(header):
            raise ResultsError(f"{where}: line {number} has {len(values)} of {len(header)} cells")
        rows.append(tuple(sorted((n, _csv_cell(v)) for n, v in zip(header, values, strict=True))))
    return CsvTable(header, tuple(rows))


def _csv_cell(value: str) -> Cell:
    return ("b", value[2:]) if value.startswith("_:") else ("t", value)


def read_graph(data: bytes, fmt: ox.RdfFormat, base_iri: str | None, where: str) -> Triples:
    try:
        quads = list(ox.parse(data, fmt, base_iri=base_iri))
    except SyntaxError as error:
        raise ResultsError(f"{where}: not valid {fmt.name}: {error}") from error
    return triples_outcome([ox.Triple(q.subject, q.predicate, q.object) for q in quads])


def read_expected(path: Path, iri: str) -> Outcome:
    """The expected outcome of a test from its result file (.srx .srj .tsv .csv .ttl .rdf)."""
    suffix = path.suffix.lower()
    data = path.read_bytes()
    formats = {
        ".srx": ox.QueryResultsFormat.XML,
        ".srj": ox.QueryResultsFormat.JSON,
        ".tsv": ox.QueryResultsFormat.TSV,
        ".csv": ox.QueryResultsFormat.CSV,
    }
    if suffix in formats:
        return read_results(data, formats[suffix], str(path))
    graphs = {
        ".ttl": ox.RdfFormat.TURTLE,
        ".rdf": ox.RdfFormat.RDF_XML,
        ".nt": ox.RdfFormat.N_TRIPLES,
    }
    if suffix not in graphs:
        raise ResultsError(f"{path}: unknown result file type {suffix!r}")
    try:
        triples = [
            ox.Triple(q.subject, q.predicate, q.object)
            for q in ox.parse(data, graphs[suffix], base_iri=iri)
        ]
    except SyntaxError as error:
        raise ResultsError(f"{path}: {error}") from error
    if any(
        t.predicate.value == RDF_TYPE and t.object == ox.NamedNode(RS + "ResultSet")
        for t in triples
    ):
        return _result_set(triples, path)
    return triples_outcome(triples)


def _result_set(triples: list[ox.Triple], path: Path) -> Outcome:
    """A result set written in the DAWG result-set vocabulary (rs:ResultSet)."""
    by_subject: dict[object, list[ox.Triple]] = {}
    for t in triples:
        by_subject.setdefault(t.subject, []).append(t)

    def values(subject: object, name: str) -> list[Term]:
        return [t.object for t in by_subject.get(subject, []) if t.predicate.value == RS + name]

    result_set = next(
        t.subject
        for t in triples
        if t.predicate.value == RDF_TYPE and t.object == ox.NamedNode(RS + "ResultSet")
    )
    booleans = values(result_set, "boolean")
    if booleans:
        return Boolean(_text(booleans[0]) == "true")
    names = frozenset(_text(v) for v in values(result_set, "resultVariable"))
    rows = []
    for solution in values(result_set, "solution"):
        pairs: list[tuple[str, Term | None]] = []
        for binding in values(solution, "binding"):
            variable = values(binding, "variable")
            value = values(binding, "value")
            if len(variable) != 1 or len(value) != 1:
                raise ResultsError(f"{path}: a binding without one variable and one value")
            pairs.append((_text(variable[0]), value[0]))
        rows.append(_row(pairs))
    return Table(names, tuple(rows))


def _text(term: Term) -> str:
    if isinstance(term, ox.Triple):
        raise ResultsError(f"a quoted triple where the result-set vocabulary wants a name: {term}")
    return term.value
