"""Run one suite test in-process (pyoxigraph, the reference) and over HTTP (a live server).

Tests arrive ordered by dataset, so the runner keeps one server (and one in-memory reference
store) alive per dataset and replaces it when the dataset changes.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyoxigraph as ox

from . import servers
from .compare import difference
from .manifest import Case, Dataset, Kind
from .results import Outcome, from_query_result, read_csv, read_expected, read_graph, read_results

_ORDER_BY = re.compile(r"\bORDER\s+BY\b", re.IGNORECASE)
_HTTP_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class Format:
    """A response format the test asks the server for, and how to read it back."""

    name: str
    media_type: str
    results: ox.QueryResultsFormat | None = None
    graph: ox.RdfFormat | None = None


FORMATS = {
    f.name: f
    for f in (
        Format("json", "application/sparql-results+json", results=ox.QueryResultsFormat.JSON),
        Format("xml", "application/sparql-results+xml", results=ox.QueryResultsFormat.XML),
        Format("tsv", "text/tab-separated-values", results=ox.QueryResultsFormat.TSV),
        Format("csv", "text/csv", results=ox.QueryResultsFormat.CSV),
        Format("turtle", "text/turtle", graph=ox.RdfFormat.TURTLE),
        Format("rdfxml", "application/rdf+xml", graph=ox.RdfFormat.RDF_XML),
        Format("jsonld", "application/ld+json", graph=ox.RdfFormat.JSON_LD),
    )
}


def formats_for(case: Case) -> list[str]:
    """The formats a case is checked in: JSON and XML always (JSON-LD and RDF/XML for graphs)."""
    if case.kind in (Kind.POSITIVE_SYNTAX, Kind.NEGATIVE_SYNTAX):
        return ["syntax"]
    if case.kind is Kind.CSV_RESULT:
        return ["csv"]
    assert case.result is not None
    suffix = case.result.path.suffix
    if suffix in (".ttl", ".rdf") and b"ResultSet" not in case.result.path.read_bytes():
        return ["turtle", "jsonld", "rdfxml"]
    return ["json", "xml", "tsv"] if suffix == ".tsv" else ["json", "xml"]


def is_ordered(query: str) -> bool:
    return _ORDER_BY.search(query) is not None


@dataclass(frozen=True)
class Verdict:
    passed: bool
    detail: str = ""
    evaluates: bool = True  # False: the query parses but cannot be evaluated (unknown function)


def expected_outcome(case: Case) -> Outcome:
    assert case.result is not None
    return read_expected(case.result.path, case.result.iri)


def reference_store(dataset: Dataset) -> ox.Store:
    store = ox.Store()
    for f in dataset.default:
        store.load(
            path=f.path, format=ox.RdfFormat.from_extension(f.path.suffix[1:]), base_iri=f.iri
        )
    for f in dataset.named:
        store.load(
            path=f.path,
            format=ox.RdfFormat.from_extension(f.path.suffix[1:]),
            base_iri=f.iri,
            to_graph=ox.NamedNode(f.iri),
        )
    return store


def run_in_process(case: Case, store: ox.Store) -> Verdict:
    query = case.query.path.read_text(encoding="utf-8")
    try:
        result = store.query(query, base_iri=case.query.iri)
        if case.kind is Kind.CSV_RESULT:
            assert isinstance(result, ox.QuerySolutions)
            serialised = result.serialize(format=ox.QueryResultsFormat.CSV)
            assert serialised is not None
            outcome: Outcome = read_csv(serialised, "pyoxigraph CSV")
        else:
            outcome = from_query_result(result)
    except SyntaxError as error:
        if case.kind is Kind.NEGATIVE_SYNTAX:
            return Verdict(True)
        return Verdict(False, f"syntax error: {error}")
    except (OSError, RuntimeError) as error:
        if case.kind is Kind.POSITIVE_SYNTAX:
            # it parsed; evaluation is not what a syntax test checks
            return Verdict(True, f"parses, then fails to evaluate: {error}", evaluates=False)
        if case.kind is Kind.NEGATIVE_SYNTAX:
            return Verdict(False, f"parsed, then failed to evaluate: {error}")
        return Verdict(False, f"evaluation error: {error}")
    if case.kind is Kind.NEGATIVE_SYNTAX:
        return Verdict(False, "a query the suite calls invalid was accepted")
    if case.kind is Kind.POSITIVE_SYNTAX:
        return Verdict(True)
    found = difference(expected_outcome(case), outcome, ordered=is_ordered(query))
    return Verdict(found is None, found or "")


class Runner:
    """One live server and one reference store at a time, for the dataset at hand."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._workdir = Path(tempfile.mkdtemp(prefix="drugkg-conformance-"))
        self._key: str | None = None
        self._server: servers.Running | None = None
        self._reference: ox.Store | None = None
        self._count = 0
        self._verdicts: dict[str, Verdict] = {}
        self.client = httpx.Client(timeout=_HTTP_TIMEOUT_S)

    def _switch(self, dataset: Dataset) -> None:
        if self._key == dataset.key:
            return
        self.close_server()
        self._count += 1
        store_dir = servers.build_store(dataset, self._workdir / f"store-{self._count}")
        self._server = servers.start(self.kind, store_dir)
        self._reference = reference_store(dataset)
        self._key = dataset.key

    def reference(self, case: Case) -> Verdict:
        """pyoxigraph's own verdict on the case, in this process, computed once."""
        if case.id not in self._verdicts:
            self._switch(case.dataset)
            assert self._reference is not None
            self._verdicts[case.id] = run_in_process(case, self._reference)
        return self._verdicts[case.id]

    def send(self, case: Case, media_type: str | None, *, method: str = "POST") -> httpx.Response:
        """Send the case's query, with its base IRI made explicit (HTTP carries no base)."""
        self._switch(case.dataset)
        assert self._server is not None
        query = f"BASE <{case.query.iri}>\n" + case.query.path.read_text(encoding="utf-8")
        headers = {"Accept": media_type} if media_type else {}
        if method == "GET":
            return self.client.get(self._server.sparql, params={"query": query}, headers=headers)
        headers["Content-Type"] = "application/sparql-query; charset=utf-8"
        return self.client.post(self._server.sparql, content=query.encode(), headers=headers)

    def run_over_http(self, case: Case, fmt: Format) -> Verdict:
        response = self.send(case, fmt.media_type)
        where = f"{fmt.media_type} response to {case.id}"
        if response.status_code != 200:
            return Verdict(False, f"HTTP {response.status_code}: {response.text[:500]}")
        content_type = response.headers.get("content-type", "").split(";")[0].strip()
        if content_type != fmt.media_type:
            return Verdict(False, f"asked for {fmt.media_type}, got Content-Type {content_type!r}")
        if fmt.graph is not None:
            outcome: Outcome = read_graph(response.content, fmt.graph, None, where)
        else:
            assert fmt.results is not None
            outcome = read_results(response.content, fmt.results, where)
        query = case.query.path.read_text(encoding="utf-8")
        found = difference(expected_outcome(case), outcome, ordered=is_ordered(query))
        return Verdict(found is None, found or "")

    def close_server(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
            self._key = None

    def close(self) -> None:
        self.close_server()
        self.client.close()
        shutil.rmtree(self._workdir, ignore_errors=True)
