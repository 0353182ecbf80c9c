"""Competency questions: the `.rq` files of queries/, their headers and their expected answers.

A competency question is `queries/NAME.rq`, opening with comment lines

    # title: a short title
    # question: the question in plain English
    # description: optional, a longer account

and its expected answer is `queries/expected/NAME.srj` (SPARQL 1.1 Query Results JSON, for
SELECT and ASK) or `queries/expected/NAME.ttl` (Turtle, for CONSTRUCT and DESCRIBE).

Answers are compared the way SPARQL defines them: solutions as a bag, or as a sequence when the
query has ORDER BY; blank nodes up to renaming (a bijection for solutions, `graph.query.compare`,
and graph isomorphism for triples). `tests/graph/query/test_competency.py` runs every
question; `python -m bench.expected` writes an expected answer, and only when asked.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import rdflib
import rdflib.compare
from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Store,
    Triple,
    parse_query_results,
    serialize,
)

from graph.query.compare import Cells, rows_difference
from graph.query.questions import read_header
from graph.vocabulary.namespace import BASE

REPO_ROOT = Path(__file__).resolve().parent.parent
QUERIES_DIR = REPO_ROOT / "queries"
EXPECTED_DIR = QUERIES_DIR / "expected"

RESULTS_SUFFIX = ".srj"
GRAPH_SUFFIX = ".ttl"

_ORDER_BY = re.compile(r"\bORDER\s+BY\b", re.IGNORECASE)

Term = NamedNode | BlankNode | Literal | Triple
Row = tuple[Term | None, ...]
Result = QuerySolutions | QueryBoolean | QueryTriples


class CompetencyError(Exception):
    """A competency question or its expected answer cannot be read."""

    def __init__(self, message: str, *, file: Path) -> None:
        self.file = file
        super().__init__(f"{file}: {message}")


@dataclass(frozen=True)
class Question:
    """One `.rq` file: its name, text and header fields."""

    path: Path
    text: str
    title: str | None
    question: str | None
    description: str | None

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def ordered(self) -> bool:
        """True when the query orders its solutions (ORDER BY outside comments)."""
        return bool(_ORDER_BY.search(_without_comments(self.text)))

    def expected_path(self, expected_dir: Path = EXPECTED_DIR) -> Path | None:
        """The expected-answer file, if one exists; CompetencyError if there are two."""
        found = [
            p
            for p in (expected_dir / f"{self.name}{s}" for s in (RESULTS_SUFFIX, GRAPH_SUFFIX))
            if p.is_file()
        ]
        if len(found) > 1:
            raise CompetencyError("has both a .srj and a .ttl expected answer", file=found[0])
        return found[0] if found else None


def _without_comments(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def read_question(path: Path) -> Question:
    """Read a `.rq` file and the header comments at its top (missing fields are None)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CompetencyError(f"cannot read the query: {exc}", file=path) from exc
    fields = read_header(text)
    return Question(
        path=path,
        text=text,
        title=fields.get("title"),
        question=fields.get("question"),
        description=fields.get("description"),
    )


def discover(queries_dir: Path = QUERIES_DIR) -> list[Question]:
    """Every competency question in `queries_dir`, sorted by name."""
    return [read_question(p) for p in sorted(queries_dir.glob("*.rq"))]


# ---------------------------------------------------------------------------------------------
# Datasets


def built_dataset() -> Store:
    """The dataset as the build makes it: every named graph, `inferred` included."""
    from graph.pipeline.build import load_dataset
    from graph.settings import Settings

    return load_dataset(Settings(base_iri=BASE))


def asserted_dataset() -> Store:
    """The dataset before reasoning: ontology, facts and links, no `inferred` graph."""
    from graph.pipeline.inputs import Sources, read_inputs

    return read_inputs(Sources()).store


def run(store: Store, question: Question) -> Result:
    """Evaluate a question over the union of the named graphs, as the endpoint does."""
    return store.query(question.text, use_default_graph_as_union=True)


# ---------------------------------------------------------------------------------------------
# Answers: what a result is, as a value that compares the way SPARQL means it


@dataclass(frozen=True)
class Solutions:
    variables: tuple[str, ...]
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Boolean:
    value: bool


@dataclass(frozen=True)
class Graph:
    graph: rdflib.Graph

    def __len__(self) -> int:
        return len(self.graph)


Answer = Solutions | Boolean | Graph


def answer_of(result: Result) -> Answer:
    """Turn a pyoxigraph query result into an Answer (consumes the result)."""
    if isinstance(result, QueryBoolean):
        return Boolean(bool(result))
    if isinstance(result, QueryTriples):
        data = serialize(list(result), format=RdfFormat.N_TRIPLES) or b""
        return Graph(rdflib.Graph().parse(data=data, format="nt"))
    variables = tuple(v.value for v in result.variables)
    rows = tuple(tuple(solution[name] for name in variables) for solution in result)
    return Solutions(variables, rows)


def read_expected(path: Path) -> Answer:
    """Read an expected-answer file (.srj or .ttl); CompetencyError if it is malformed."""
    try:
        if path.suffix == GRAPH_SUFFIX:
            return Graph(rdflib.Graph().parse(path, format="turtle"))
        if path.suffix == RESULTS_SUFFIX:
            return answer_of(parse_query_results(path=path, format=QueryResultsFormat.JSON))
    except (SyntaxError, ValueError, OSError) as exc:
        raise CompetencyError(f"cannot parse the expected answer: {exc}", file=path) from exc
    raise CompetencyError("expected answers end in .srj or .ttl", file=path)


def expected_bytes(result: Result, prefixes: dict[str, str]) -> tuple[str, bytes]:
    """The suffix and content of the expected-answer file for a result (consumes it).

    Solutions and booleans become indented SPARQL JSON results, so a reviewer can read them and
    a change shows as a readable diff; triples become Turtle with the given prefixes.
    """
    if isinstance(result, QueryTriples):
        triples = sorted(result, key=str)
        # Quote IRIs (`source:DOC#char=1,2`) read better in full than as escaped prefixed names.
        readable = {p: ns for p, ns in prefixes.items() if not ns.endswith("/source/")}
        return GRAPH_SUFFIX, serialize(triples, format=RdfFormat.TURTLE, prefixes=readable) or b""
    raw = result.serialize(format=QueryResultsFormat.JSON) or b""
    text = json.dumps(json.loads(raw), indent=2, ensure_ascii=False) + "\n"
    return RESULTS_SUFFIX, text.encode("utf-8")


def difference(expected: Answer, actual: Answer, *, ordered: bool) -> str | None:
    """None when the answers are equal, else a short account of how they differ."""
    if type(expected) is not type(actual):
        return f"expected a {type(expected).__name__} answer, got a {type(actual).__name__}"
    if isinstance(expected, Boolean):
        assert isinstance(actual, Boolean)
        return None if expected == actual else f"expected {expected.value}, got {actual.value}"
    if isinstance(expected, Graph):
        assert isinstance(actual, Graph)
        if rdflib.compare.isomorphic(expected.graph, actual.graph):
            return None
        _, only_expected, only_actual = rdflib.compare.graph_diff(
            rdflib.compare.to_isomorphic(expected.graph), rdflib.compare.to_isomorphic(actual.graph)
        )
        return (
            f"graphs differ: {len(only_expected)} triples missing, {len(only_actual)} unexpected; "
            f"missing e.g. {_sample(only_expected)}, unexpected e.g. {_sample(only_actual)}"
        )
    assert isinstance(expected, Solutions)
    assert isinstance(actual, Solutions)
    if expected.variables != actual.variables:
        return (
            f"variables differ: expected {list(expected.variables)}, got {list(actual.variables)}"
        )
    return rows_difference(expected.rows, actual.rows, TERMS, ordered=ordered)


def _sample(graph: rdflib.Graph) -> list[str]:
    return sorted(" ".join(t.n3() for t in triple) for triple in graph)[:2]


def _blank(term: object) -> str | None:
    return term.value if isinstance(term, BlankNode) else None


TERMS = Cells(
    blank=_blank,
    erase=lambda _term: BlankNode("b"),
    show=lambda term: "UNDEF" if term is None else str(term),
)
"""Rows of pyoxigraph terms (None for an unbound variable), for `graph.query.compare`."""


def iter_orphans(
    questions: Sequence[Question], expected_dir: Path = EXPECTED_DIR
) -> Iterator[Path]:
    """Expected-answer files whose question no longer exists."""
    names = {q.name for q in questions}
    for path in sorted(expected_dir.glob("*")):
        if path.suffix in (RESULTS_SUFFIX, GRAPH_SUFFIX) and path.stem not in names:
            yield path
