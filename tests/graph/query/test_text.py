"""The guards in front of pyoxigraph's recursive parser: nesting refused, a deep stack given.

A query nested a few thousand levels deep overflows pyoxigraph's stack and kills the process
outright (SIGSEGV), so these guards are what stands between such a text and a dead CLI or
query process. The endpoint's side is in tests/endpoint/sparql/test_protocol.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from graph.paths import QUERIES_DIR
from graph.query.text import (
    MAX_NESTING,
    MIN_STACK_BYTES,
    STACK_PER_CHAR,
    StackTooSmallError,
    explain,
    run_on_deep_stack,
    stack_bytes,
    too_deep,
)
from graph.query.tokens import tokens
from graph.settings import Settings


def nested(depth: int) -> str:
    return "SELECT * WHERE " + "{" * depth + " ?s ?p ?o " + "}" * depth


def test_the_competency_questions_pass() -> None:
    for path in sorted(QUERIES_DIR.glob("*.rq")):
        assert too_deep(path.read_text(encoding="utf-8")) is None, path.name


def test_nesting_up_to_the_limit_passes() -> None:
    assert too_deep(nested(MAX_NESTING)) is None


@pytest.mark.parametrize(
    ("text", "what", "column"),
    [
        (nested(MAX_NESTING + 1), "brackets nest more than", 15 + MAX_NESTING + 1),
        (
            "ASK { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }",
            "brackets nest",
            12 + MAX_NESTING,
        ),
        ("ASK { ?s ?p " + "[ ?p " * 3000 + "] " * 3000 + "}", "property lists nest", None),
        ("ASK { ?s ?p " + "[ ?p " * 51 + "1" + " ]" * 51 + "}", "more than 50 levels", 13 + 50 * 5),
        ("ASK { FILTER(" + "!" * 5000 + "true) }", "unary operators in a row", 14 + MAX_NESTING),
        ("ASK { FILTER(" + "-+" * 2000 + "1 > 0) }", "unary operators in a row", None),
        (
            "SELECT * WHERE { "
            + "<< <http://a> <http://b> " * 1200
            + "<http://c>"
            + " >>" * 1200
            + " <http://p> ?o }",
            "brackets nest",
            None,
        ),
    ],
)
def test_too_deep_says_what_and_where(text: str, what: str, column: int | None) -> None:
    problem = too_deep(text)
    assert problem is not None
    assert what in problem
    assert "line 1" in problem
    if column is not None:
        assert f"column {column}" in problem


def test_the_place_is_counted_in_lines_and_columns() -> None:
    text = "SELECT *\nWHERE {\n" + "  {" * (MAX_NESTING - 1) + "\n  {\n ?s ?p ?o }"
    assert "line 4, column 3" in (too_deep(text) or "")


def test_brackets_inside_strings_iris_and_comments_do_not_count() -> None:
    deep = "(" * (MAX_NESTING * 3)
    text = (
        f'SELECT * WHERE {{ BIND("{deep}" AS ?a) BIND(<http://example.org/{"(" * 3000}> AS ?b) }}'
        f"\n# {deep}\n"
    )
    assert too_deep(text) is None


def test_closing_brackets_end_the_count() -> None:
    siblings = "SELECT * WHERE { " + "{ ?s ?p ?o } " * (MAX_NESTING * 3) + "}"
    assert too_deep(siblings) is None
    assert too_deep("ASK { FILTER(1 - - 1 > 0 && !true || -1 < +2) }") is None
    comparisons = "ASK { " + "FILTER(1 < 2) FILTER(3 > 2) " * (MAX_NESTING * 2) + "}"
    assert too_deep(comparisons) is None
    reifiers = "SELECT * WHERE { " + "<< <http://a> <http://b> <http://c> >> ?p ?o . " * 3000 + "}"
    assert too_deep(reifiers) is None


def test_deep_stack_returns_the_result_and_raises_the_error() -> None:
    assert run_on_deep_stack(lambda: threading.current_thread().name, 100) == "drugkg-query"

    def fail() -> None:
        raise ValueError("raised on the deep stack")

    with pytest.raises(ValueError, match="raised on the deep stack"):
        run_on_deep_stack(fail, 100)
    assert threading.stack_size() == 0  # the default is back for every other thread


LEAK = """
import gc
from pyoxigraph import Store
from graph.query.text import run_on_deep_stack

store = Store()

def work():
    result = store.query("SELECT ?s WHERE { VALUES ?s { 1 } }")
    raise ValueError(f"refused a {type(result).__name__}")

try:
    run_on_deep_stack(work, 10)
except ValueError as error:
    print(error)
gc.collect()
print("done")
"""


def test_an_error_leaves_the_results_of_the_thread_behind() -> None:
    """pyoxigraph's results may only be dropped on the thread that made them: an error that
    carried the thread's frames (and their locals) to the caller made pyo3 fail there."""
    done = subprocess.run(
        [sys.executable, "-c", LEAK], capture_output=True, text=True, check=False, timeout=60
    )
    assert done.stdout.split() == ["refused", "a", "QuerySolutions", "done"], done.stderr
    assert "unsendable" not in done.stderr
    assert done.returncode == 0


def test_the_stack_grows_with_the_text() -> None:
    assert stack_bytes(10) == MIN_STACK_BYTES
    assert stack_bytes(1_000_000) == 1_000_000 * STACK_PER_CHAR


def test_a_stack_the_system_refuses_is_a_clear_error() -> None:
    with pytest.raises(StackTooSmallError, match="MiB stack"):
        run_on_deep_stack(lambda: None, 1 << 50)


def test_a_local_name_escape_is_not_a_comment() -> None:
    text = r"PREFIX ex: <http://example.org/> SELECT * WHERE { BIND(ex:a\#b AS ?q) }"
    kinds = [(t.kind, t.text) for t in tokens(text)]
    assert ("pname", r"ex:a\#b") in kinds
    assert ("word", "AS") in kinds


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (r"<http://a/\u0078>", "iri"),
        ("ex:a%41b", "pname"),
        ("ex:a.b", "pname"),
        (":local", "pname"),
        ("ex:", "pname"),
        ('"""a " "" b"""', "string"),
        (r'"a \" b"', "string"),
        ("?x", "var"),
        ("$x", "var"),
        ("_:b1", "bnode"),
        ("@en-GB", "langtag"),
        ("@en--ltr", "langtag"),
        ("1.5e3", "number"),
        ("<<", "punct"),
        ("{|", "punct"),
    ],
)
def test_one_token(text: str, kind: str) -> None:
    (token,) = tokens(text)
    assert (token.kind, token.text) == (kind, text)


def test_disguised_nesting_is_counted() -> None:
    # an escaped # hid these braces from the earlier scanner, and the query process died
    depth = MAX_NESTING + 10
    text = (
        r"PREFIX ex: <http://example.org/> SELECT * WHERE { BIND(ex:a\#b AS ?q) "
        + "{" * depth
        + "}" * depth
        + " }"
    )
    assert "brackets nest more than" in (too_deep(text) or "")


DEEP_SCRIPT = """
import sys
from pyoxigraph import Store
from graph.query.text import run_on_deep_stack
opening, closing, levels = sys.argv[1], sys.argv[2], int(sys.argv[3])
inner = opening * levels + ("1" if opening == "(" else "") + closing * levels
text = f"ASK {{ FILTER({inner}) }}" if opening == "(" else f"ASK {{ {inner} }}"
def work():
    try:
        bool(Store().query(text))
    except (SyntaxError, OSError, RuntimeError) as exc:
        print("error", str(exc)[:200])
run_on_deep_stack(work, len(text))
print("survived")
"""


@pytest.mark.slow
@pytest.mark.parametrize(
    ("opening", "closing"),
    [("{", "}"), ("OPTIONAL{", "}"), ("FILTER(EXISTS{", "})"), ("(", ")")],
)
def test_the_stack_holds_whatever_the_nesting_guard_lets_through(
    opening: str, closing: str, tmp_path: Path
) -> None:
    # Without the nesting guard, pyoxigraph parses and evaluates 60,000 levels of nesting on
    # the stack `stack_bytes` gives the text, in a process of its own, which must survive.
    # (On an 8 MiB stack it dies of SIGSEGV at about 2,000 levels of braces.)
    script = tmp_path / "deep.py"
    script.write_text(DEEP_SCRIPT)
    done = subprocess.run(
        [sys.executable, str(script), opening, closing, "60000"],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=Path.cwd(),
        env={**os.environ, "PYTHONPATH": str(Path.cwd())},
    )
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
    assert "survived" in done.stdout


def drugkg_query(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    """`drugkg query` in its own process: an overflow there would kill it, not the tests."""
    command = [sys.executable, "-m", "graph.cli", "query", "--store", str(settings.store), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


def test_cli_refuses_a_deeply_nested_query_with_the_place(built_store: Settings) -> None:
    done = drugkg_query(built_store, nested(5000))
    assert done.returncode == 2, done.stderr
    assert "nested too deeply" in done.stderr
    assert "line 1, column" in done.stderr


def test_cli_refuses_the_disguised_deep_nesting(built_store: Settings, tmp_path: Path) -> None:
    # 450,000 braces behind an escaped `#`: `drugkg query` died of SIGSEGV (exit 139)
    query = tmp_path / "disguised.rq"
    query.write_text(
        r"PREFIX ex: <http://example.org/> SELECT * WHERE { BIND(ex:a\#b AS ?q) "
        + "{" * 450_000
        + "}" * 450_000
        + " }"
    )
    done = drugkg_query(built_store, str(query))
    assert done.returncode == 2, (done.returncode, done.stderr[-500:])
    assert "nested too deeply" in done.stderr


def test_cli_survives_a_long_sum(built_store: Settings, tmp_path: Path) -> None:
    # 8,000 terms overflowed an 8 MiB main-thread stack (pyoxigraph 0.5.13 died of SIGSEGV at
    # about 7,000); on the deep stack the query is answered
    query = tmp_path / "sum.rq"
    query.write_text("SELECT ?n WHERE { BIND(" + "+".join(["1"] * 8000) + " AS ?n) }")
    done = drugkg_query(built_store, "--format", "csv", str(query))
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["n", "8000"]


def _problem(text: str) -> tuple[str, int | None, int | None]:
    from pyoxigraph import Store

    with pytest.raises(SyntaxError) as caught:
        Store().query(text)
    problem = explain(text, caught.value, ["ex"])
    return problem.message, problem.line, problem.column


@pytest.mark.parametrize(
    ("text", "message", "line", "column"),
    [
        ("SELET * { ?s ?p ?o }", "`SELET` is not a SPARQL keyword: did you mean SELECT?", 1, 1),
        ("ASKK {}", "`ASKK` is not a SPARQL keyword: did you mean ASK?", 1, 1),
        (
            "CONSTRUT { ?s ?p ?o } WHERE { ?s ?p ?o }",
            "`CONSTRUT` is not a SPARQL keyword: did you mean CONSTRUCT?",
            1,
            1,
        ),
        (
            "SELECT * WHERE {\n ?s ?p ?o\n FILTR(?o > 1) }",
            "`FILTR` is not a SPARQL keyword: did you mean FILTER?",
            3,
            2,
        ),
        (
            "SELECT ?s { ?s ?p ?o } GROUP BYE ?s",
            "`BYE` is not a SPARQL keyword: did you mean BY?",
            1,
            30,
        ),
        (
            "SELECT ?s { ?s ?p ?o FILTER(frobnicate(?o)) }",
            "`frobnicate` is not a SPARQL keyword or built-in function (other functions are "
            "called by IRI)",
            1,
            29,
        ),
    ],
)
def test_a_word_that_is_no_keyword_is_named_where_it_stands(
    text: str, message: str, line: int, column: int
) -> None:
    assert _problem(text) == (message, line, column)


@pytest.mark.parametrize(
    "text",
    [
        'SELECT * WHERE { ?s ?p "SELET" ',  # in a string
        "SELECT * WHERE { ?s <http://x/LIMT> ?o ",  # in an IRI
        "SELECT * WHERE { ?s ?limt ?o ",  # a variable
        "# SELET\nSELECT * WHERE { ?s ?p ?o ",  # a comment
        "SELECT * WHERE { ?s a ?o . FILTER(isIRI(?o) && sameTerm(?s, ?o) && true) ",  # keywords
    ],
)
def test_words_that_are_not_bare_are_left_to_the_parser(text: str) -> None:
    message, _, _ = _problem(text)
    assert "is not a SPARQL keyword" not in message
