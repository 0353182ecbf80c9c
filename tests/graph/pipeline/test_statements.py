"""Statement graphs: every way of breaking the one-quote-per-graph layout is found and named."""

from __future__ import annotations

import pytest
from pyoxigraph import Literal, NamedNode, Quad, Store

from graph.pipeline.inputs import ENTITIES_GRAPH, Inputs, Sources, read_inputs
from graph.pipeline.statements import StatementReport, check
from graph.vocabulary.namespace import DK, DKID, GRAPH, PROV, RDF, RDFS, SOURCE

DOC = "fixture-doc"
DOC_GRAPH = NamedNode(str(GRAPH[f"facts/{DOC}"]))


def node(term: object) -> NamedNode:
    return NamedNode(str(term))


def statement_graph(local: str) -> NamedNode:
    return NamedNode(f"{DOC_GRAPH.value}/{local}")


def quote(start: int, end: int) -> NamedNode:
    return NamedNode(f"{SOURCE[DOC]}#char={start},{end}")


@pytest.fixture
def inputs(fixture_sources: Sources) -> Inputs:
    return read_inputs(fixture_sources)


def run(inputs: Inputs) -> StatementReport:
    return check(inputs.store, inputs.seeds)


def remove(store: Store, s: object, p: object, o: object, g: NamedNode) -> None:
    quads = list(store.quads_for_pattern(s, p, o, g))  # type: ignore[arg-type]
    assert quads, "the fixture no longer has what the test removes"
    for q in quads:
        store.remove(q)


def test_the_fixture_facts_are_laid_out_right(inputs: Inputs) -> None:
    report = run(inputs)
    assert report.problems == []
    assert report.graphs == {DOC_GRAPH.value: 3}
    assert report.total == 3


def test_a_statement_graph_without_its_description_has_no_quote(inputs: Inputs) -> None:
    graph = statement_graph("q-0-71")
    remove(inputs.store, graph, None, None, DOC_GRAPH)
    problems = run(inputs).problems
    assert any(
        p.startswith(f"statement graph <{graph.value}> (facts: <{DKID['fentanyl']}>) has no quote")
        for p in problems
    ), problems
    assert any(f"quote <{quote(0, 71).value}> supports no statement graph" in p for p in problems)


def test_a_statement_graph_with_two_quotes(inputs: Inputs) -> None:
    graph = statement_graph("q-0-71")
    inputs.store.add(Quad(graph, node(PROV.wasDerivedFrom), quote(73, 108), DOC_GRAPH))
    problems = run(inputs).problems
    assert any(f"<{graph.value}>" in p and "has 2 quotes" in p for p in problems), problems
    assert any(f"quote <{quote(73, 108).value}> supports 2 statement graphs" in p for p in problems)


def test_a_statement_graph_named_after_another_quote(inputs: Inputs) -> None:
    graph = statement_graph("q-0-71")
    remove(inputs.store, graph, node(PROV.wasDerivedFrom), None, DOC_GRAPH)
    inputs.store.add(Quad(graph, node(PROV.wasDerivedFrom), quote(73, 108), DOC_GRAPH))
    problems = run(inputs).problems
    assert any(
        f"is named q-0-71 but is derived from <{quote(73, 108).value}>" in p for p in problems
    ), problems


def test_a_statement_graph_derived_from_what_is_no_quote(inputs: Inputs) -> None:
    graph = statement_graph("q-0-71")
    inputs.store.add(Quad(graph, node(PROV.wasDerivedFrom), node(DKID["fentanyl"]), DOC_GRAPH))
    problems = run(inputs).problems
    assert any("which is not a dk:Quote" in p for p in problems), problems


def test_an_empty_statement_graph_supports_nothing(inputs: Inputs) -> None:
    graph = statement_graph("q-0-71")
    remove(inputs.store, None, None, None, graph)
    assert f"statement graph <{graph.value}> holds no triple: its quote supports nothing" in (
        run(inputs).problems
    )


@pytest.mark.parametrize(
    ("subject", "predicate", "value"),
    [
        (DKID["heroin"], DK.sourcedFrom, DKID["mexico"]),  # a fact about an entity
        (SOURCE[f"{DOC}#char=0,71"], DK.about, DKID["heroin"]),  # a quote with a fact
        (GRAPH[f"facts/{DOC}/q-0-71"], RDFS.comment, Literal("a note")),  # a graph with one
    ],
)
def test_a_fact_in_the_document_graph_is_refused(
    inputs: Inputs, subject: object, predicate: object, value: object
) -> None:
    obj = value if isinstance(value, Literal) else node(value)
    inputs.store.add(Quad(node(subject), node(predicate), obj, DOC_GRAPH))
    [problem] = run(inputs).problems
    assert problem.startswith(
        f"the document graph <{DOC_GRAPH.value}> states a fact about <{subject}>"
    )


def test_a_statement_graph_describing_a_quote_is_refused(inputs: Inputs) -> None:
    graph = statement_graph("q-0-71")
    inputs.store.add(Quad(quote(0, 71), node(RDF.type), node(DK.Quote), graph))
    problems = run(inputs).problems
    assert any(
        f"statement graph <{graph.value}> describes <{quote(0, 71).value}>" in p for p in problems
    )


def test_a_fact_in_the_entities_graph_is_refused(inputs: Inputs) -> None:
    fact = Quad(node(DKID["heroin"]), node(DK.sourcedFrom), node(DKID["mexico"]), ENTITIES_GRAPH)
    inputs.store.add(fact)
    [problem] = run(inputs).problems
    assert problem.startswith(f"the entities graph states a fact about <{DKID['heroin']}>")
    assert f"<{DK.sourcedFrom}>" in problem


def test_an_event_in_the_entities_graph_is_refused(inputs: Inputs) -> None:
    event = Quad(node(DKID["a-meeting"]), node(RDF.type), node(DK.Meeting), ENTITIES_GRAPH)
    inputs.store.add(event)
    [problem] = run(inputs).problems
    assert f"makes <{DKID['a-meeting']}> a <{DK.Meeting}>" in problem
    assert "events, claims and reported facts are statements" in problem
