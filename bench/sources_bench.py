"""Benchmark adding sources: `drugkg draft` on the article, and builds with 1 to 100 documents.

    python -m bench.sources_bench                       print the results as Markdown
    python -m bench.sources_bench --readme              also write them into bench/README.md
                                                        (1, 10, 30 and 100 sources; 100 when
                                                        the 30-source run keeps within
                                                        --ceiling)
    python -m bench.sources_bench --copies 1 10 30 --runs 3 --draft-runs 5 --shapes 1 3 10
    python -m bench.sources_bench --from-results bench/results/sources.json --readme

Draft. `graph.curation.draft.write_draft` on the article (read the entities, split the text,
find mentions, names and cues, write the TriG) in this process, `--draft-runs` times into a
scratch facts folder; and the `drugkg draft --force` command end to end (interpreter start-up
and imports included), 3 times. Medians.

Build with N sources. A scratch copy of the project's data (seeds, facts, entities, links,
shapes; never the real seeds/) holds the article and N - 1 copies of it under new DOC-IDs
(`copy-002-...`): its text, metadata and facts file with every occurrence of its DOC-ID
replaced, and every thing its facts mint (routes, claims, events: a `dkid:` name the entities
graph does not define) renamed with the copy's number, so each copy has its own source,
document graph, quotes, statement graphs and claims, while the entities (countries, people,
substances, policies) are shared by every copy, as documents share them. Each run is a
fresh process running `graph.pipeline.build.build` on it (as `bench.build_bench` does), which
reports each step's wall time and peak memory. Medians over `--runs`; a run over
`--budget` seconds is the last run of its size, and a run over `--ceiling` seconds the last
size (the larger N are skipped and said to be).
How each step grows is the exponent k of t ~ N^k between consecutive sizes; where 100 sources
were not measured, the last k extrapolates to them (a prediction, and said to be one).

SHACL by shapes file (`--shapes N ...`). A fresh process loads the dataset of N sources
(`graph.pipeline.build.load_dataset`) and validates it with each shapes file alone (with the
prefix declarations of core.ttl), one run each: which shapes the SHACL step's time is spent in.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bench.build_bench import BENCH_DIR, BuildRun, _drugkg, _machine, build_once, write_section
from graph import paths

README = BENCH_DIR / "README.md"
RESULTS = BENCH_DIR / "results" / "sources.json"
SECTION = "## Adding sources"
COMMAND = "python -m bench.sources_bench --readme"
ARTICLE = "thinkprogress-2017-doj-opioids"
FOLDERS = {
    "seeds": paths.SEEDS_DIR,
    "facts": paths.FACTS_DIR,
    "entities": paths.ENTITIES_DIR,
    "links": paths.LINKS_DIR,
    "shapes": paths.SHAPES_DIR,
}


@dataclass
class Sized:
    copies: int
    quads: int
    runs: list[BuildRun] = field(default_factory=list)


@dataclass
class Results:
    when: str
    machine: str
    load: str
    draft_sentences: int = 0
    draft_ms: list[float] = field(default_factory=list)
    draft_cli_s: list[float] = field(default_factory=list)
    builds: list[Sized] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    shapes: dict[int, dict[str, float]] = field(default_factory=dict)
    """sources -> seconds of the SHACL validation with each shapes file alone"""
    command: str = COMMAND
    """The command line that measured these."""


def project_copy(target: Path, copies: int) -> dict[str, str]:
    """The data under `target` with the article and `copies - 1` copies; drugkg's environment."""
    for name, folder in FOLDERS.items():
        shutil.copytree(folder, target / name, ignore=shutil.ignore_patterns("*.md", "*.draft.*"))
    files = [
        target / "seeds" / f"{ARTICLE}.txt",
        target / "seeds" / f"{ARTICLE}.json",
        target / "facts" / f"{ARTICLE}.trig",
    ]
    shared = _entity_slugs(target / "entities")
    for number in range(2, copies + 1):
        doc = f"copy-{number:03d}-{ARTICLE}"
        for path in files:
            text = path.read_text(encoding="utf-8").replace(ARTICLE, doc)
            if path.suffix == ".trig":
                text = _renamed(text, shared, doc, f"-copy-{number:03d}")
            path.with_name(path.name.replace(ARTICLE, doc)).write_text(text, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DRUGKG_")}
    env.update(
        DRUGKG_STORE=str(target / "var" / "store"),
        DRUGKG_DUMP=str(target / "var" / "drugkg.nq"),
        DRUGKG_ONTOLOGY_FILE=str(paths.ONTOLOGY_FILE),
        **{f"DRUGKG_{name.upper()}_DIR": str(target / name) for name in FOLDERS},
    )
    return env


_THING = re.compile(r"dkid:([A-Za-z0-9_-]+)")


def _entity_slugs(entities: Path) -> set[str]:
    """The slugs the entities graph defines (shared by every copy)."""
    return {m[1] for path in entities.glob("*.ttl") for m in _THING.finditer(path.read_text())}


def _renamed(text: str, shared: set[str], doc: str, suffix: str) -> str:
    """`text` with each `dkid:` name the entities do not define (nor the document) suffixed."""

    def rename(m: re.Match[str]) -> str:
        return m[0] if m[1] in shared or m[1].startswith(doc) else m[0] + suffix

    return _THING.sub(rename, text)


def _quads(env: dict[str, str]) -> int:
    dump = Path(env["DRUGKG_DUMP"])
    with dump.open("rb") as lines:
        return sum(1 for _ in lines)


def bench_draft(results: Results, runs: int) -> None:
    from graph.curation.draft import write_draft
    from graph.curation.entities import read_entities
    from graph.pipeline.seeds import load_seed

    seed = load_seed(paths.SEEDS_DIR / f"{ARTICLE}.json")
    with tempfile.TemporaryDirectory(prefix="drugkg-bench-draft-") as scratch:
        facts = Path(scratch)
        for _ in range(runs):
            start = time.perf_counter()
            draft = write_draft(seed, read_entities(paths.ENTITIES_DIR), facts, force=True)
            results.draft_ms.append((time.perf_counter() - start) * 1000)
        results.draft_sentences = len(draft.sentences)
        env = {k: v for k, v in os.environ.items() if not k.startswith("DRUGKG_")}
        env["DRUGKG_FACTS_DIR"] = scratch
        for _ in range(3):
            start = time.perf_counter()
            subprocess.run(
                [_drugkg(), "draft", "--force", ARTICLE],
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
            )
            results.draft_cli_s.append(time.perf_counter() - start)


def bench_builds(
    results: Results, sizes: Sequence[int], runs: int, budget: float, ceiling: float
) -> None:
    for index, copies in enumerate(sizes):
        with tempfile.TemporaryDirectory(prefix=f"drugkg-bench-{copies}-") as scratch:
            env = project_copy(Path(scratch), copies)
            sized = Sized(copies, 0)
            for run in range(runs):
                print(f"build with {copies} source(s), run {run + 1}/{runs}", file=sys.stderr)
                start = time.perf_counter()
                sized.runs.append(build_once(Path(env["DRUGKG_STORE"]), env))
                took = time.perf_counter() - start
                print(f"  {took:.1f} s: {sized.runs[-1].status}", file=sys.stderr)
                if took > budget:
                    break
            sized.quads = _quads(env) if sized.runs[-1].status == "built" else 0
            results.builds.append(sized)
            if took > ceiling:
                results.skipped = list(sizes[index + 1 :])
                return


def shapes_child(copies: int) -> None:
    """In this (fresh) process: the SHACL validation of N sources, one shapes file at a time
    (with the prefix declarations of core.ttl), each file's seconds as JSON on stdout."""
    import rdflib

    from graph.pipeline import shacl
    from graph.pipeline.build import load_dataset
    from graph.settings import Settings

    with tempfile.TemporaryDirectory(prefix=f"drugkg-bench-shapes-{copies}-") as scratch:
        env = project_copy(Path(scratch), copies)
        os.environ.update(env)
        store = load_dataset(Settings())
        seconds = {}
        folder = Path(env["DRUGKG_SHAPES_DIR"])
        for path in sorted(folder.glob("*.ttl")):
            shapes = rdflib.Graph().parse(path, format="turtle")
            if path.name != "core.ttl":  # the prefixes every SPARQL constraint declares
                prefixes = rdflib.Graph().parse(folder / "core.ttl", format="turtle")
                shapes += prefixes.triples((None, rdflib.SH.declare, None))
                for _, _, node in prefixes.triples((None, rdflib.SH.declare, None)):
                    shapes += prefixes.triples((node, None, None))
            data = shacl.to_dataset(store)
            start = time.perf_counter()
            shacl.validate(data, shapes)
            seconds[path.name] = round(time.perf_counter() - start, 2)
    print(json.dumps(seconds))


def bench_shapes(results: Results, sizes: Sequence[int]) -> None:
    for copies in sizes:
        print(f"SHACL by shapes file with {copies} source(s)", file=sys.stderr)
        done = subprocess.run(
            [sys.executable, "-m", "bench.sources_bench", "--shapes-child", str(copies)],
            cwd=BENCH_DIR.parent,
            capture_output=True,
            text=True,
            check=True,
        )
        results.shapes[copies] = json.loads(done.stdout.strip().splitlines()[-1])


def _median_steps(runs: Sequence[BuildRun]) -> dict[str, float]:
    names = list(runs[0].steps)
    return {n: statistics.median(r.steps[n][0] for r in runs if n in r.steps) for n in names}


def markdown(results: Results) -> str:
    steps = list(results.builds[0].runs[0].steps) if results.builds else []
    lines = [
        SECTION,
        "",
        f"Measured {results.when} on {results.machine}, with `{results.command}`. "
        f"Load while measuring: {results.load}. How it measures: the docstring of "
        "`bench/sources_bench.py`.",
        "",
        f"`drugkg draft` on the article ({results.draft_sentences} sentences): "
        f"{statistics.median(results.draft_ms):.0f} ms in process (median of "
        f"{len(results.draft_ms)}), {statistics.median(results.draft_cli_s):.2f} s as a command "
        f"(median of {len(results.draft_cli_s)}, start-up included).",
        "",
        "`drugkg build` with N sources (the article and N - 1 copies under new DOC-IDs), "
        "seconds per step, median of the runs:",
        "",
        "| sources | quads | runs | " + " | ".join(steps) + " | **all steps** |",
        "|---:|---:|---:|" + "---:|" * (len(steps) + 1),
    ]
    for sized in results.builds:
        median = _median_steps(sized.runs)
        cells = [f"{median.get(s, 0.0):.2f}" for s in steps]
        lines.append(
            f"| {sized.copies} | {sized.quads} | {len(sized.runs)} | "
            + " | ".join(cells)
            + f" | **{sum(median.values()):.2f}** |"
        )
    if results.shapes:
        sizes = sorted(results.shapes)
        files = sorted({f for by_file in results.shapes.values() for f in by_file})
        lines += [
            "",
            "SHACL by shapes file (each file alone on the same dataset, one run each), seconds:",
            "",
            "| shapes file | " + " | ".join(f"{n} sources" for n in sizes) + " |",
            "|---|" + "---:|" * len(sizes),
        ]
        for name in files:
            cells = [f"{results.shapes[n].get(name, 0.0):.2f}" for n in sizes]
            lines.append(f"| `{name}` | " + " | ".join(cells) + " |")
    lines += _growth(results, steps)
    statuses = {r.status for s in results.builds for r in s.runs}
    lines += ["", f"Outcome of every run: {', '.join(sorted(statuses))}."]
    if results.skipped:
        lines.append(
            f"Not measured (a run of the size before took longer than the ceiling): "
            f"{', '.join(map(str, results.skipped))} sources."
        )
    return "\n".join(lines) + "\n"


PREDICT = 100
"""The number of sources the growth is extrapolated to when it was not measured."""


def _growth(results: Results, steps: list[str]) -> list[str]:
    """How each step grows: the exponent k of t ~ N^k between consecutive sizes, and the time
    at PREDICT sources extrapolated with the last exponent (when PREDICT was not measured)."""
    built = [s for s in results.builds if s.runs]
    if len(built) < 2:
        return []
    medians = [(s.copies, _median_steps(s.runs)) for s in built]
    for _, median in medians:
        median["all steps"] = sum(median.values())
    largest = medians[-1][1]
    shown = [s for s in [*steps, "all steps"] if largest.get(s, 0.0) >= 1.0]
    pairs = list(itertools.pairwise(medians))
    predict = built[-1].copies < PREDICT
    header = [f"k {a[0]}→{b[0]}" for a, b in pairs]
    lines = [
        "",
        "How the steps grow: k in t ~ N^k between two sizes (1 is linear, 2 quadratic)"
        + (
            f", and the time at {PREDICT} sources the last k predicts (all steps: their sum)"
            if predict
            else ""
        )
        + ":",
        "",
        "| step | " + " | ".join(header) + (f" | predicted at {PREDICT}, s |" if predict else " |"),
        "|---|" + "---:|" * (len(header) + (1 if predict else 0)),
    ]

    def exponents(step: str) -> list[float]:
        ks = []
        for (n1, t1), (n2, t2) in pairs:
            a, b = t1.get(step, 0.0), t2.get(step, 0.0)
            ks.append(math.log(b / a) / math.log(n2 / n1) if a > 0 and b > 0 else float("nan"))
        return ks

    n = medians[-1][0]
    predicted = {}
    for step in steps:
        if step in largest:
            k = exponents(step)[-1]
            factor = 1.0 if math.isnan(k) else (PREDICT / n) ** k  # a step too short to time
            predicted[step] = largest[step] * factor
    predicted["all steps"] = sum(predicted.values())
    for step in shown:
        cells = [f"{k:.2f}" for k in exponents(step)]
        if predict:
            cells.append(f"{predicted[step]:.0f}")
        lines.append(f"| {step} | " + " | ".join(cells) + " |")
    return lines


def _from_json(path: Path) -> Results:
    data = json.loads(path.read_text(encoding="utf-8"))
    builds = [
        Sized(b["copies"], b["quads"], [BuildRun(r["status"], r["steps"]) for r in b["runs"]])
        for b in data.pop("builds")
    ]
    shapes = {int(n): by_file for n, by_file in data.pop("shapes", {}).items()}
    return Results(**data, builds=builds, shapes=shapes)


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) at the start"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sources_bench", description=__doc__)
    parser.add_argument(
        "--copies", type=int, nargs="+", default=[1, 10, 30, 100], help="sizes (sources)"
    )
    parser.add_argument("--runs", type=int, default=3, help="build runs per size (default 3)")
    parser.add_argument("--draft-runs", type=int, default=5, help="in-process draft runs")
    parser.add_argument(
        "--budget",
        type=float,
        default=300.0,
        help="a run over this many seconds is the last run of its size (default 300)",
    )
    parser.add_argument(
        "--ceiling",
        type=float,
        default=1800.0,
        help="a run over this many seconds is the last size measured (default 1800)",
    )
    parser.add_argument(
        "--shapes",
        type=int,
        nargs="*",
        default=[1, 3, 10],
        metavar="N",
        help="time SHACL by shapes file with N sources (default 1 3 10; none: --shapes)",
    )
    parser.add_argument("--readme", action="store_true", help="write the section of README.md")
    parser.add_argument("--shapes-child", type=int, help=argparse.SUPPRESS)
    parser.add_argument(
        "--from-results", type=Path, metavar="JSON", help="only write the Markdown of a run"
    )
    args = parser.parse_args(argv)
    if args.shapes_child:
        shapes_child(args.shapes_child)
        return 0
    if args.from_results:
        text = markdown(_from_json(args.from_results))
        print(text)
        if args.readme:
            write_section(text, README, SECTION)
        return 0
    results = Results(when=datetime.now(UTC).strftime("%Y-%m-%d"), machine=_machine(), load=_load())
    bench_draft(results, args.draft_runs)
    bench_builds(results, sorted(args.copies), args.runs, args.budget, args.ceiling)
    bench_shapes(results, sorted(args.shapes))
    text = markdown(results)
    print(text)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(asdict(results), indent=2) + "\n", encoding="utf-8")
    if args.readme:
        write_section(text, README, SECTION)
    return 0


if __name__ == "__main__":
    sys.exit(main())
