"""The competency questions of queries/ give their expected answers.

Each `queries/NAME.rq` runs against the dataset and is compared with
`queries/expected/NAME.srj` (or `.ttl` for CONSTRUCT): in order when the query has ORDER BY,
as a bag otherwise, blank nodes up to renaming. It runs twice: against the dataset as the build
makes it (`inferred` graph included) and against the asserted data alone, because a question
must have the same answer whether or not the entailments are materialised.

A new question is a new `.rq` file plus its expected answer, which you write with
`python -m bench.expected --update NAME` and then check row by row against the source text.
The tests never write expected answers.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, RdfFormat, Store

from bench.competency import (
    EXPECTED_DIR,
    Answer,
    Graph,
    Question,
    Solutions,
    answer_of,
    asserted_dataset,
    built_dataset,
    difference,
    discover,
    iter_orphans,
    read_expected,
    read_question,
    run,
)

QUESTIONS = discover()
DATASETS: dict[str, Callable[[], Store]] = {"built": built_dataset, "asserted": asserted_dataset}


@pytest.fixture(scope="module", params=sorted(DATASETS))
def dataset(request: pytest.FixtureRequest) -> Store:
    return DATASETS[request.param]()


@pytest.mark.parametrize("question", QUESTIONS, ids=[q.name for q in QUESTIONS])
def test_question_gives_its_expected_answer(question: Question, dataset: Store) -> None:
    path = question.expected_path()
    if path is None:
        pytest.fail(
            f"{question.path} has no expected answer in {EXPECTED_DIR}: write one with "
            f"`python -m bench.expected --update {question.name}` and review it against the text"
        )
    actual = answer_of(run(dataset, question))
    problem = difference(read_expected(path), actual, ordered=question.ordered)
    assert problem is None, f"{question.name}: {problem}"


def test_answers_are_not_empty() -> None:
    """An empty expected answer checks nothing: every question must find something."""
    empty = []
    for question in QUESTIONS:
        path = question.expected_path()
        answer = read_expected(path) if path is not None else None
        if isinstance(answer, Solutions | Graph) and _size(answer) == 0:
            empty.append(question.name)
    assert empty == []


def _size(answer: Solutions | Graph) -> int:
    return len(answer.rows) if isinstance(answer, Solutions) else len(answer)


@pytest.mark.parametrize("question", QUESTIONS, ids=[q.name for q in QUESTIONS])
def test_question_has_a_title_and_a_question(question: Question) -> None:
    assert question.title, f"{question.path}: no `# title:` line at the top"
    assert question.question, f"{question.path}: no `# question:` line at the top"


def test_there_are_enough_questions() -> None:
    assert len(QUESTIONS) >= 18


def test_every_expected_answer_has_its_question() -> None:
    assert list(iter_orphans(QUESTIONS)) == []


# The comparison itself: it must see the differences that matter and only those.

_A, _B, _C = (NamedNode(f"https://example.org/{n}") for n in "abc")


def _rows(*rows: tuple[object, ...]) -> Solutions:
    return Solutions(("x", "y"), tuple(rows))  # type: ignore[arg-type]


def test_ordered_answers_compare_row_order() -> None:
    expected = _rows((_A, Literal("1")), (_B, Literal("2")))
    swapped = _rows((_B, Literal("2")), (_A, Literal("1")))
    assert difference(expected, swapped, ordered=False) is None
    assert difference(expected, swapped, ordered=True) is not None


def test_a_missing_or_changed_row_is_a_difference() -> None:
    expected = _rows((_A, Literal("1")), (_B, None))
    assert difference(expected, _rows((_A, Literal("1"))), ordered=False) is not None
    assert difference(expected, _rows((_A, Literal("1")), (_B, _C)), ordered=False) is not None
    assert difference(expected, _rows((_A, Literal("1")), (_B, None)), ordered=False) is None


def test_duplicates_count_in_a_bag() -> None:
    expected = _rows((_A, None), (_A, None), (_B, None))
    assert difference(expected, _rows((_A, None), (_B, None), (_B, None)), ordered=False)


def test_blank_nodes_match_up_to_renaming_only() -> None:
    b1, b2, b3 = BlankNode("e1"), BlankNode("e2"), BlankNode("other")
    expected = _rows((b1, _A), (b1, _B), (b2, _C))
    renamed = _rows((b3, _A), (b3, _B), (BlankNode("z"), _C))
    merged = _rows((b3, _A), (b3, _B), (b3, _C))
    assert difference(expected, renamed, ordered=True) is None
    assert difference(expected, merged, ordered=False) is not None


def test_variables_must_match() -> None:
    other = Solutions(("x", "z"), ((_A, None),))
    assert difference(_rows((_A, None)), other, ordered=False) is not None


def test_order_by_is_read_outside_comments(tmp_path: Path) -> None:
    path = tmp_path / "q.rq"
    path.write_text("# title: t\n# question: order by what?\nSELECT * WHERE { ?s ?p ?o }\n")
    assert read_question(path).ordered is False
    path.write_text("# title: t\nSELECT * WHERE { ?s ?p ?o } order  by ?s\n")
    question = read_question(path)
    assert question.ordered is True
    assert question.question is None


def test_graphs_compare_up_to_blank_node_renaming() -> None:
    def graph(turtle: str) -> Answer:
        store = Store()
        store.load(turtle, format=RdfFormat.TURTLE, to_graph=DefaultGraph())
        query = Question(
            Path("g.rq"), "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", None, None, None
        )
        return answer_of(run(store, query))

    expected = graph(
        "<https://example.org/a> <https://example.org/p> [ <https://example.org/q> 1 ] ."
    )
    renamed = graph(
        "<https://example.org/a> <https://example.org/p> _:x . _:x <https://example.org/q> 1 ."
    )
    changed = graph(
        "<https://example.org/a> <https://example.org/p> [ <https://example.org/q> 2 ] ."
    )
    assert difference(expected, renamed, ordered=False) is None
    assert difference(expected, changed, ordered=False) is not None
