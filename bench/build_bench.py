"""Benchmark `drugkg build` step by step, and `drugkg query` on the competency questions.

    python -m bench.build_bench                 print the results as Markdown
    python -m bench.build_bench --readme        also write them into bench/README.md
    python -m bench.build_bench --runs 3 --query-runs 20 --cli-runs 5

Build. Each run is a fresh Python process that calls `graph.pipeline.build.build` on a scratch store
and reports the BuildReport's steps: wall time and peak resident memory of each step as the build
measures them (the process's high-water mark, reset at the start of each step; HermiT's Java runs in
a child process and is not in it). A second measurement runs the `drugkg build` command end to end:
wall time, and the peak RSS of the process and its waited-for children (wait4). Medians over the
runs. If the build refuses (a failed check), the steps up to the refusal are still timed and the
refusal is reported; the query benchmark then uses a store written from
`graph.pipeline.build.load_dataset` by `graph.storage.versions.write_store`, the same dataset a
build would write.

Query. The same on-disk store and the same competency questions, three ways:
- raw: `Store.query` on an open read-only store plus serialisation (SPARQL JSON results, or
  Turtle for CONSTRUCT); the floor any wrapper is measured against;
- in-process CLI: `graph.cli.main(["query", ...])`, which opens the store, reads the query
  file, loads the output prefixes, evaluates and serialises, as the command does;
- subprocess CLI: the `drugkg query` command, interpreter start-up included.
Medians per question; the ratios are to raw. The JSON output of raw and in-process CLI is
checked to be byte-identical, so both paths answer the same thing.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph
from pyoxigraph import QueryBoolean, QueryResultsFormat, QueryTriples, RdfFormat, Store, serialize

from bench.competency import Question, discover

BENCH_DIR = Path(__file__).resolve().parent
README = BENCH_DIR / "README.md"
RESULTS = BENCH_DIR / "results" / "build_query.json"
SECTION = "## Build and query"
COMMAND = "python -m bench.build_bench --readme"


@dataclass
class BuildRun:
    status: str
    steps: dict[str, tuple[float, float]]  # step -> (seconds, peak RSS MB)


@dataclass
class CliBuild:
    exit_code: int
    seconds: float
    peak_rss_mb: float


@dataclass
class QueryTiming:
    name: str
    form: str
    rows: int
    raw_ms: float
    cli_ms: float
    subprocess_ms: float


@dataclass
class Results:
    when: str
    machine: str
    runs: int
    query_runs: int
    cli_runs: int
    build_runs: list[BuildRun] = field(default_factory=list)
    cli_builds: list[CliBuild] = field(default_factory=list)
    store_note: str = ""
    quads: int = 0
    queries: list[QueryTiming] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Build


def child_build(store: Path) -> None:
    """Run one build in this (fresh) process and print its steps as JSON on stdout."""
    from graph.pipeline.build import ChecksFailedError, build
    from graph.settings import Settings

    settings = Settings(store=store, dump=store.with_name("drugkg.nq"))
    try:
        steps = build(settings).steps
        status = "built"
    except ChecksFailedError as exc:
        steps = exc.result.steps
        lines = exc.result.summary().splitlines()
        checks = [line.rstrip(":") for line in lines if line[:1].isalpha()]
        status = "refused: " + "; ".join(checks)
    print(
        json.dumps({"status": status, "steps": {s.name: (s.seconds, s.peak_rss_mb) for s in steps}})
    )


def build_once(store: Path, env: dict[str, str] | None = None) -> BuildRun:
    """One build in a fresh process (`env`: its environment, by default this one's)."""
    out = subprocess.run(
        [sys.executable, "-m", "bench.build_bench", "--child-build", str(store)],
        cwd=BENCH_DIR.parent,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    data = json.loads(out.stdout.strip().splitlines()[-1])
    return BuildRun(data["status"], {k: (v[0], v[1]) for k, v in data["steps"].items()})


def _cli_build_once(store: Path) -> CliBuild:
    env = {**os.environ, "DRUGKG_STORE": str(store), "DRUGKG_DUMP": str(store.with_name("cli.nq"))}
    start = time.perf_counter()
    process = subprocess.Popen(
        [_drugkg(), "build"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    return CliBuild(process.returncode, seconds, usage.ru_maxrss / 1024)


def _drugkg() -> str:
    beside = Path(sys.executable).with_name("drugkg")
    found = str(beside) if beside.exists() else shutil.which("drugkg")
    if found is None:
        raise SystemExit("the `drugkg` command is not installed in this environment")
    return found


def _ensure_store(store: Path) -> str:
    if store.exists():
        return "the store the last benchmarked build wrote"
    from graph.pipeline.build import load_dataset
    from graph.settings import Settings
    from graph.storage.versions import write_store

    write_store(store, load_dataset(Settings()))
    return (
        "the build refused, so the store was written by `graph.storage.versions.write_store` from "
        "`graph.pipeline.build.load_dataset` (the same dataset, unchecked)"
    )


# ---------------------------------------------------------------------------------------------
# Query


def _raw(store: Store, question: Question) -> bytes:
    result = store.query(question.text, use_default_graph_as_union=True)
    if isinstance(result, QueryTriples):
        return serialize(list(result), format=RdfFormat.TURTLE) or b""
    return result.serialize(format=QueryResultsFormat.JSON) or b""


def _form_and_size(store: Store, question: Question) -> tuple[str, int]:
    result = store.query(question.text, use_default_graph_as_union=True)
    if isinstance(result, QueryTriples):
        return "CONSTRUCT", sum(1 for _ in result)
    if isinstance(result, QueryBoolean):
        return "ASK", 1
    return "SELECT", sum(1 for _ in result)


def _cli_in_process(store_path: Path, question: Question, fmt: str) -> bytes:
    from graph.cli import main

    buffer = io.BytesIO()
    stdout = io.TextIOWrapper(buffer, encoding="utf-8")
    with contextlib.redirect_stdout(stdout):
        code = main(["query", "--store", str(store_path), "--format", fmt, str(question.path)])
    stdout.flush()
    if code != 0:
        raise SystemExit(f"drugkg query failed on {question.name} (exit {code})")
    return buffer.getvalue()


def _cli_subprocess(store_path: Path, question: Question, fmt: str) -> None:
    subprocess.run(
        [_drugkg(), "query", "--store", str(store_path), "--format", fmt, str(question.path)],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def _median_ms(action: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def bench_queries(store_path: Path, questions: Sequence[Question], results: Results) -> None:
    store = Store.read_only(str(store_path))
    results.quads = len(store)
    for question in questions:
        form, rows = _form_and_size(store, question)
        fmt = "turtle" if form == "CONSTRUCT" else "json"
        if fmt == "json" and _cli_in_process(store_path, question, fmt) != _raw(store, question):
            raise SystemExit(f"{question.name}: the CLI and raw pyoxigraph answers differ")
        results.queries.append(_timing(store, store_path, question, form, rows, results))


def _timing(
    store: Store, store_path: Path, question: Question, form: str, rows: int, results: Results
) -> QueryTiming:
    fmt = "turtle" if form == "CONSTRUCT" else "json"

    def raw() -> None:
        _raw(store, question)

    def in_process() -> None:
        _cli_in_process(store_path, question, fmt)

    def command() -> None:
        _cli_subprocess(store_path, question, fmt)

    return QueryTiming(
        name=question.name,
        form=form,
        rows=rows,
        raw_ms=_median_ms(raw, results.query_runs),
        cli_ms=_median_ms(in_process, results.query_runs),
        subprocess_ms=_median_ms(command, results.cli_runs),
    )


# ---------------------------------------------------------------------------------------------
# Report


def _median_steps(runs: Sequence[BuildRun]) -> list[tuple[str, float, float]]:
    names: list[str] = []
    for run in runs:
        names += [n for n in run.steps if n not in names]
    rows = []
    for name in names:
        values = [run.steps[name] for run in runs if name in run.steps]
        rows.append(
            (name, statistics.median(v[0] for v in values), statistics.median(v[1] for v in values))
        )
    return rows


def _geomean(values: Sequence[float]) -> float:
    return statistics.geometric_mean(values) if values else float("nan")


def markdown(results: Results) -> str:
    out = [
        SECTION,
        "",
        f"Measured {results.when} on {results.machine}, with `{COMMAND}` "
        f"(build: median of {results.runs} runs; queries: median of {results.query_runs} runs, "
        f"{results.cli_runs} for the subprocess). How it measures: the docstring of "
        "`bench/build_bench.py`.",
        "",
        "### `drugkg build`, step by step "
        "(in-process `graph.pipeline.build.build`, fresh process per run)",
        "",
        "| step | wall s | peak RSS MB |",
        "|---|---:|---:|",
    ]
    steps = _median_steps(results.build_runs)
    out += [f"| {name} | {sec:.2f} | {mb:.0f} |" for name, sec, mb in steps]
    out.append(f"| **all steps** | **{sum(s[1] for s in steps):.2f}** | |")
    statuses = sorted({run.status for run in results.build_runs})
    out += ["", "Outcome: " + " / ".join(f"`{s}`" for s in statuses), ""]
    if results.cli_builds:
        secs = statistics.median(b.seconds for b in results.cli_builds)
        rss = statistics.median(b.peak_rss_mb for b in results.cli_builds)
        codes = sorted({b.exit_code for b in results.cli_builds})
        out += [
            f"`drugkg build` end to end (subprocess, start-up included): {secs:.2f} s wall, "
            f"peak RSS {rss:.0f} MB (process and waited-for children), exit code(s) {codes}.",
            "",
        ]
    out += [
        "### `drugkg query` on the competency questions against raw pyoxigraph",
        "",
        f"Store: {results.quads} quads on disk; {results.store_note}. Times in milliseconds.",
        "",
        "| question | form | rows | raw `Store.query` + serialise | CLI in-process | ratio "
        "| `drugkg query` subprocess | ratio |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for q in results.queries:
        out.append(
            f"| {q.name} | {q.form} | {q.rows} | {q.raw_ms:.2f} | {q.cli_ms:.2f} | "
            f"{q.cli_ms / q.raw_ms:.1f}x | {q.subprocess_ms:.0f} | "
            f"{q.subprocess_ms / q.raw_ms:.0f}x |"
        )
    raw = [q.raw_ms for q in results.queries]
    cli = [q.cli_ms for q in results.queries]
    sub = [q.subprocess_ms for q in results.queries]
    out += [
        f"| **geometric mean** | | | **{_geomean(raw):.2f}** | **{_geomean(cli):.2f}** | "
        f"**{_geomean(cli) / _geomean(raw):.1f}x** | **{_geomean(sub):.0f}** | "
        f"**{_geomean(sub) / _geomean(raw):.0f}x** |",
        "",
        "The in-process CLI pays for opening the store and reading the output prefixes on every "
        "call; the subprocess adds interpreter start-up and imports. Raw evaluation is the part "
        "the endpoint pays per query, since it keeps the store open.",
        "",
    ]
    return "\n".join(out)


def write_section(text: str, readme: Path = README, section: str = SECTION) -> None:
    """Replace a benchmark's section of bench/README.md (or add it), leaving the rest as is."""
    current = readme.read_text(encoding="utf-8") if readme.exists() else "# Benchmarks\n"
    if section in current:
        before, rest = current.split(section, 1)
        following = rest.find("\n## ")
        after = rest[following + 1 :] if following >= 0 else ""
        updated = before + text.rstrip("\n") + "\n" + ("\n" + after if after else "")
    else:
        updated = current.rstrip("\n") + "\n\n" + text.rstrip("\n") + "\n"
    readme.write_text(updated, encoding="utf-8")


def _machine() -> str:
    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, pyoxigraph {pyoxigraph.__version__}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.build_bench", description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="build runs (default 3)")
    parser.add_argument("--query-runs", type=int, default=20, help="runs per query (default 20)")
    parser.add_argument("--cli-runs", type=int, default=3, help="subprocess runs per query")
    parser.add_argument("--readme", action="store_true", help="write the section of README.md")
    parser.add_argument("--child-build", metavar="STORE", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_build:
        child_build(Path(args.child_build))
        return 0

    results = Results(
        when=datetime.now(UTC).strftime("%Y-%m-%d"),
        machine=_machine(),
        runs=args.runs,
        query_runs=args.query_runs,
        cli_runs=args.cli_runs,
    )
    with tempfile.TemporaryDirectory(prefix="drugkg-bench-") as scratch:
        store = Path(scratch) / "store"
        for run in range(args.runs):
            print(f"build run {run + 1}/{args.runs}", file=sys.stderr)
            results.build_runs.append(build_once(store))
            results.cli_builds.append(_cli_build_once(Path(scratch) / "cli-store"))
        results.store_note = _ensure_store(store)
        print(f"queries: {len(discover())} competency questions", file=sys.stderr)
        bench_queries(store, discover(), results)

    text = markdown(results)
    print(text)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(asdict(results), indent=2) + "\n", encoding="utf-8")
    if args.readme:
        write_section(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
