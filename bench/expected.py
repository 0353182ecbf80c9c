"""Write the expected answer of a competency question, only when asked.

    python -m bench.expected --update NAME [NAME ...]   write queries/expected/NAME.srj|.ttl
    python -m bench.expected --update-all               rewrite every expected answer
    python -m bench.expected --show NAME                print the answer as a table, write nothing
    python -m bench.expected --check                    compare every answer, write nothing

NAME is the stem of `queries/NAME.rq`. The answer is the query's result over the built dataset
(`graph.pipeline.build.load_dataset`, the `inferred` graph included), as SPARQL JSON results
(SELECT, ASK) or Turtle (CONSTRUCT, DESCRIBE). It is printed as a table so you can review every row
against the source text before committing it: an expected answer is a claim that the graph answers
the question correctly, not a snapshot. The tests never write these files.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from pyoxigraph import Store

from bench.competency import (
    EXPECTED_DIR,
    QUERIES_DIR,
    Question,
    answer_of,
    built_dataset,
    difference,
    discover,
    expected_bytes,
    read_expected,
    read_question,
    run,
)
from graph.pipeline.inputs import Sources, ontology_prefixes
from graph.query.output import write_result


def _question(name: str) -> Question:
    path = QUERIES_DIR / f"{name.removesuffix('.rq')}.rq"
    if not path.is_file():
        known = ", ".join(q.name for q in discover())
        raise SystemExit(f"no competency question {path}; known: {known}")
    return read_question(path)


def _table(store: Store, question: Question, prefixes: dict[str, str]) -> str:
    return write_result(run(store, question), "table", prefixes).decode("utf-8")


def update(store: Store, question: Question, prefixes: dict[str, str]) -> str:
    """Write the expected answer of `question`; return the path written."""
    suffix, content = expected_bytes(run(store, question), prefixes)
    EXPECTED_DIR.mkdir(parents=True, exist_ok=True)
    for stale in EXPECTED_DIR.glob(f"{question.name}.*"):
        if stale.suffix != suffix:
            stale.unlink()
    target = EXPECTED_DIR / f"{question.name}{suffix}"
    target.write_bytes(content)
    return str(target)


def check(store: Store, questions: Sequence[Question]) -> int:
    """Compare every question with its expected answer; the number of mismatches."""
    failures = 0
    for question in questions:
        path = question.expected_path()
        if path is None:
            print(f"{question.name}: no expected answer")
            failures += 1
            continue
        problem = difference(
            read_expected(path), answer_of(run(store, question)), ordered=question.ordered
        )
        print(f"{question.name}: {problem or 'ok'}")
        failures += problem is not None
    return failures


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.expected", description=__doc__.split("\n")[0]
    )
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--update", nargs="+", metavar="NAME", help="write these expected answers")
    group.add_argument("--update-all", action="store_true", help="rewrite every expected answer")
    group.add_argument("--show", nargs="+", metavar="NAME", help="print answers; write nothing")
    group.add_argument("--check", action="store_true", help="compare all; write nothing")
    args = parser.parse_args(argv)

    store = built_dataset()
    prefixes = ontology_prefixes(Sources())
    if args.check:
        return 1 if check(store, discover()) else 0
    if args.update_all:
        questions = discover()
    else:
        questions = [_question(name) for name in (args.update or args.show)]
    for question in questions:
        print(f"## {question.name}: {question.question or '(no question header)'}")
        print(_table(store, question, prefixes))
        if not args.show:
            print(f"wrote {update(store, question, prefixes)}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
