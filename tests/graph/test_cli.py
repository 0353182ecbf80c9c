"""The `drugkg` command, end to end: real subprocesses of the installed console script.

Every run gets DRUGKG_STORE in a temporary directory and DRUGKG_*_DIR pointing at a copy of
the fixture data, so the results are known exactly.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from fixturepaths import FIXTURES as SHARED_FIXTURES
from projectcopy import environment
from pyoxigraph import RdfFormat, parse

from graph.pipeline.build import STEPS

FIXTURES = SHARED_FIXTURES
DRUGKG = Path(sys.executable).with_name("drugkg")
FENTANYL_LABEL = "SELECT ?label WHERE { dkid:fentanyl rdfs:label ?label }"
CONSTRUCT = "CONSTRUCT { dkid:united-states dk:neighbours ?x } WHERE { ?x dk:neighbours dkid:united-states }"  # noqa: E501
ASK = "ASK { dkid:fentanyl a dk:Substance }"


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


def data_env(root: Path) -> dict[str, str]:
    data = root / "data"
    if not data.exists():
        shutil.copytree(FIXTURES / "build", data)
    return environment(data, root / "var" / "store")


def drugkg(env: dict[str, str], *args: str, cwd: Path | None = None) -> Run:
    done = subprocess.run(
        [str(DRUGKG), *args], env=env, cwd=cwd, capture_output=True, text=True, check=False
    )
    assert "Traceback" not in done.stderr, done.stderr
    return Run(done.returncode, done.stdout, done.stderr)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    env = data_env(tmp_path_factory.mktemp("cli"))
    run = drugkg(env, "build")
    assert run.code == 0, run.err
    env["BUILD_OUTPUT"] = run.out
    env["BUILD_PROGRESS"] = run.err
    return env


@pytest.mark.slow
def test_build_prints_steps_and_counts_per_graph(built: dict[str, str]) -> None:
    out = built["BUILD_OUTPUT"]
    steps = ("read", "quotes", "statements", "reasoning", "hermit", "shacl", "write store")
    for step in (*steps, "write dump"):
        assert f"\n{step} " in out
    for graph in ("graph:ontology", "graph:entities", "graph:facts/fixture-doc", "graph:links"):
        assert graph in out
    assert "graph:facts/fixture-doc/q-0-71" in out  # a statement graph
    assert "graph:inferred" in out
    assert "statement graphs: 3, each with exactly one quote" in out
    assert "HermiT: consistent" in out
    assert "SHACL: conforms" in out
    assert Path(built["DRUGKG_STORE"]).is_symlink()


@pytest.mark.slow
def test_build_tells_each_step_as_it_starts(built: dict[str, str]) -> None:
    told = [
        line.split(": ")[1]
        for line in built["BUILD_PROGRESS"].splitlines()
        if line.startswith("drugkg build: ")
    ]
    assert told == list(STEPS)
    assert (
        "drugkg build: hermit: checking the ontology and the data with HermiT"
        in (built["BUILD_PROGRESS"])
    )


@pytest.mark.slow
def test_validate_passes_and_writes_the_shacl_report(built: dict[str, str], tmp_path: Path) -> None:
    report = tmp_path / "report.ttl"
    run = drugkg(built, "validate", "--shacl-report", str(report))
    assert run.code == 0, run.err
    assert "SHACL: conforms" in run.out
    assert "http://www.w3.org/ns/shacl#" in report.read_text(encoding="utf-8")


@pytest.mark.slow
def test_validate_exits_1_on_a_violation_with_the_report_on_stdout(tmp_path: Path) -> None:
    env = data_env(tmp_path)
    entities = tmp_path / "data" / "entities" / "fixture.ttl"
    entities.write_text(entities.read_text(encoding="utf-8") + "\ndkid:cocaine a dk:Substance .\n")
    run = drugkg(env, "validate", "--shacl-report", "-")
    assert run.code == 1
    assert "SHACL: does NOT conform" in run.err
    assert "id/cocaine" in run.out
    assert not Path(env["DRUGKG_STORE"]).exists()


@pytest.mark.slow
def test_a_broken_quote_fails_the_build_with_exit_1(tmp_path: Path) -> None:
    env = data_env(tmp_path)
    shutil.copy(
        FIXTURES / "quotes" / "broken-offset.trig", tmp_path / "data/facts/fixture-doc.trig"
    )
    run = drugkg(env, "build")
    assert run.code == 1
    assert "id/fentanyl" in run.err
    assert "fixture-doc#char=114,122" in run.err
    # each step is told as it starts: the build stopped at the quotes, before HermiT
    assert "drugkg build: quotes: checking every quote" in run.err
    assert "drugkg build: hermit:" not in run.err


@pytest.mark.slow
def test_a_long_quote_that_differs_late_shows_where_the_texts_part(tmp_path: Path) -> None:
    env = data_env(tmp_path)
    facts = tmp_path / "data/facts/fixture-doc.trig"
    said = "Fentanyl is a synthetic opioid up to 50 times more powerful than heroin"
    facts.write_text(
        facts.read_text(encoding="utf-8").replace(f'"{said}"', f'"{said[:-6]}morphine"'),
        encoding="utf-8",
    )
    run = drugkg(env, "build")
    assert run.code == 1
    # the texts part at "heroin" (offset 65), past the 60 characters a message shows of each
    assert "they part at character 66 of the quote (offset 65)" in run.err
    assert "more powerful than morphine" in run.err
    assert "more powerful than heroin" in run.err


@pytest.mark.slow
def test_query_table_uses_prefixed_names_and_the_union_graph(built: dict[str, str]) -> None:
    run = drugkg(built, "query", "SELECT ?s ?type WHERE { ?s a ?type } ORDER BY ?s ?type LIMIT 3")
    assert run.code == 0, run.err
    lines = run.out.splitlines()
    assert lines[0].split() == ["s", "|", "type"]
    assert set(lines[1]) <= {"-", "+"}
    assert "(3 rows)" in lines[-1]
    label = drugkg(built, "query", FENTANYL_LABEL)
    assert "fentanyl@en" in label.out
    typed = drugkg(built, "query", "SELECT ?t WHERE { dkid:fentanyl a ?t } ORDER BY ?t")
    assert "dk:SyntheticOpioid" in typed.out
    assert "dk:Substance" in typed.out  # inferred


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["json", "csv", "tsv", "xml", "table"])
def test_select_formats(built: dict[str, str], fmt: str) -> None:
    run = drugkg(built, "query", "--format", fmt, FENTANYL_LABEL)
    assert run.code == 0, run.err
    if fmt == "json":
        bindings = json.loads(run.out)["results"]["bindings"]
        assert bindings == [{"label": {"type": "literal", "value": "fentanyl", "xml:lang": "en"}}]
    elif fmt == "csv":
        assert list(csv.reader(io.StringIO(run.out))) == [["label"], ["fentanyl"]]
    elif fmt == "tsv":
        assert run.out.splitlines() == ["?label", '"fentanyl"@en']
    elif fmt == "xml":
        assert "<sparql" in run.out
        assert 'xml:lang="en">fentanyl</literal>' in run.out
    else:
        assert "fentanyl@en" in run.out


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["json", "csv", "tsv", "xml", "table"])
def test_ask_formats(built: dict[str, str], fmt: str) -> None:
    run = drugkg(built, "query", "--format", fmt, ASK)
    assert run.code == 0, run.err
    assert "true" in run.out.lower()
    if fmt == "json":
        assert json.loads(run.out)["boolean"] is True


@pytest.mark.slow
@pytest.mark.parametrize(
    ("fmt", "rdf_format"),
    [
        ("turtle", RdfFormat.TURTLE),
        ("ntriples", RdfFormat.N_TRIPLES),
        ("jsonld", RdfFormat.JSON_LD),
        ("nquads", RdfFormat.N_QUADS),
        ("trig", RdfFormat.TRIG),
        ("rdfxml", RdfFormat.RDF_XML),
    ],
)
def test_construct_formats(built: dict[str, str], fmt: str, rdf_format: RdfFormat) -> None:
    run = drugkg(built, "query", "--format", fmt, CONSTRUCT)
    assert run.code == 0, run.err
    triples = list(parse(input=run.out.encode(), format=rdf_format))
    assert [(str(q.subject), str(q.object)) for q in triples] == [
        ("<https://w3id.org/drugkg/id/united-states>", "<https://w3id.org/drugkg/id/mexico>")
    ]


@pytest.mark.slow
def test_construct_as_table_and_turtle_with_prefixes(built: dict[str, str]) -> None:
    table = drugkg(built, "query", CONSTRUCT)
    assert "dkid:united-states | dk:neighbours | dkid:mexico" in table.out
    turtle = drugkg(built, "query", "--format", "turtle", CONSTRUCT)
    assert "@prefix dk:" in turtle.out


@pytest.mark.slow
def test_query_from_a_file(built: dict[str, str], tmp_path: Path) -> None:
    query = tmp_path / "label.rq"
    query.write_text("PREFIX dkid: <https://w3id.org/drugkg/id/>\n" + FENTANYL_LABEL)
    run = drugkg(built, "query", "--format", "csv", str(query))
    assert run.out.splitlines() == ["label", "fentanyl"]
    missing = drugkg(built, "query", str(tmp_path / "missing.rq"))
    assert missing.code == 2
    assert "query file does not exist" in missing.err
    marked = tmp_path / "saved-with-a-byte-order-mark.rq"
    marked.write_text(query.read_text(), encoding="utf-8-sig")
    run = drugkg(built, "query", "--format", "csv", str(marked))
    assert run.out.splitlines() == ["label", "fentanyl"], run.err


@pytest.mark.slow
def test_a_malformed_query_gives_the_parser_message_and_position(built: dict[str, str]) -> None:
    run = drugkg(built, "query", "SELECT * WHERE { ?s ?p }")
    assert run.code == 2
    assert "invalid SPARQL query at line 1, column 25" in run.err
    assert "expected" in run.err
    assert run.out == ""


@pytest.mark.slow
def test_an_unknown_format_lists_the_known_ones(built: dict[str, str]) -> None:
    run = drugkg(built, "query", "--format", "yaml", FENTANYL_LABEL)
    assert run.code == 2
    assert "unknown output format 'yaml'" in run.err
    assert "table, json, xml, csv, tsv, turtle, ntriples, jsonld" in run.err


@pytest.mark.slow
def test_a_format_unfit_for_the_query_form_lists_the_fitting_ones(built: dict[str, str]) -> None:
    run = drugkg(built, "query", "--format", "turtle", FENTANYL_LABEL)
    assert run.code == 2
    assert "formats for a SELECT query: table, json, xml, csv, tsv" in run.err
    run = drugkg(built, "query", "--format", "csv", CONSTRUCT)
    assert run.code == 2
    assert "formats for a CONSTRUCT/DESCRIBE query: table, turtle, ntriples, jsonld" in run.err


@pytest.mark.slow
def test_a_graph_format_on_a_select_says_what_it_is_for(built: dict[str, str]) -> None:
    for query in (FENTANYL_LABEL, ASK, f"# a comment first\nPREFIX x: <http://x/>\n{ASK}"):
        run = drugkg(built, "query", "--format", "turtle", query)
        assert run.code == 2
        assert "output format 'turtle' is for graph results (CONSTRUCT, DESCRIBE)" in run.err
        assert "table, json, xml, csv, tsv" in run.err
        assert "RuntimeError" not in run.err
        assert "unsendable" not in run.err
        assert len(run.err.strip().splitlines()) == 1, run.err


@pytest.mark.slow
def test_the_endpoints_format_names_work_on_the_command_line(built: dict[str, str]) -> None:
    turtle = drugkg(built, "query", "--format", "ttl", CONSTRUCT)
    assert turtle.code == 0, turtle.err
    assert "@prefix dk:" in turtle.out
    jsonld = drugkg(built, "query", "--format", "json", CONSTRUCT)
    assert jsonld.code == 0, jsonld.err
    assert len(list(parse(input=jsonld.out.encode(), format=RdfFormat.JSON_LD))) == 1
    results = drugkg(built, "query", "--format", "srj", ASK)
    assert json.loads(results.out)["boolean"] is True


@pytest.mark.slow
@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { dkid:x rdfs:label 'x' }",
        "PREFIX ex: <http://example.org/>\nDELETE WHERE { ?s ?p ?o }",
        "clear all",
        "WITH <http://example.org/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    ],
)
def test_an_update_is_refused_saying_how_the_store_changes(
    built: dict[str, str], update: str
) -> None:
    run = drugkg(built, "query", update)
    assert run.code == 2
    assert "this is a SPARQL Update, and `drugkg query` runs queries only" in run.err
    assert "`drugkg build`" in run.err
    assert "`drugkg load --graph IRI FILE`" in run.err
    assert "invalid SPARQL" not in run.err
    assert drugkg(built, "query", "--format", "csv", "SELECT ?s { dkid:x ?p ?s }").out == "s\n"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("query", "where", "problem"),
    [
        ("SELET ?s WHERE { ?s ?p ?o }", "line 1, column 1", "`SELET` is not a SPARQL keyword"),
        (
            "PREFIX ex: <http://example.org/>\nSELECT ?s WHERE { ?s ?p ?o }\n  LIMT 3",
            "line 3, column 3",
            "`LIMT` is not a SPARQL keyword: did you mean LIMIT?",
        ),
        (
            "SELECT (COUN(?s) AS ?n) { ?s ?p ?o }",
            "line 1, column 9",
            "`COUN` is not a SPARQL keyword: did you mean COUNT?",
        ),
    ],
)
def test_a_misspelt_keyword_is_named_where_it_stands(
    built: dict[str, str], query: str, where: str, problem: str
) -> None:
    run = drugkg(built, "query", query)
    assert run.code == 2
    assert f"invalid SPARQL query at {where}: {problem}" in run.err


@pytest.mark.slow
def test_a_table_cuts_long_cells_but_the_last_and_says_how_to_see_them(
    built: dict[str, str],
) -> None:
    sentence = "The DEA says " + "most fentanyl comes by mail " * 6 + "and the end is here"
    values = f'VALUES (?quote ?n) {{ ("{sentence}" 1) }}'
    cut = drugkg(built, "query", f"SELECT ?quote ?n WHERE {{ {values} }}")
    assert cut.code == 0, cut.err
    assert "and the end is here" not in cut.out
    assert "cells over 80 characters are cut in quote (1 row)" in cut.out
    assert "`--format csv` or `--format json` shows every value in full" in cut.out
    last = drugkg(built, "query", f"SELECT ?n ?quote WHERE {{ {values} }}")
    assert sentence in last.out
    assert "cut" not in last.out


def _on_a_terminal(env: dict[str, str], *args: str) -> tuple[int, str]:
    """Run drugkg with its stderr on a pseudo-terminal of 100 columns; (exit code, stderr)."""
    import fcntl
    import pty
    import struct
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    done = subprocess.Popen([str(DRUGKG), *args], env=env, stdout=subprocess.PIPE, stderr=follower)
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the other end is closed
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    done.communicate(timeout=300)
    return done.returncode, seen.decode("utf-8", "replace")


@pytest.mark.slow
def test_load_shows_a_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    env = data_env(tmp_path)
    assert drugkg(env, "build").code == 0
    data = tmp_path / "large.nt"
    with data.open("w", encoding="utf-8") as out:
        for i in range(60_000):
            out.write(f'<http://example.org/s{i}> <http://example.org/p> "value {i}" .\n')
    code, seen = _on_a_terminal(env, "load", "--graph", "http://example.org/large", str(data))
    assert code == 0, seen
    frames = [f for f in seen.split("\r") if f.startswith("reading large.nt:")]
    assert frames, seen
    assert "100%" in frames[-1]
    assert f"{data.stat().st_size / 1024 / 1024:.2f}M" in frames[-1]
    assert "drugkg load: writing a new store version" in seen
    quiet = drugkg(env, "load", "--graph", "http://example.org/large", str(data))
    assert quiet.code == 0
    assert quiet.err == ""


def test_a_missing_store_says_how_to_build_it(tmp_path: Path) -> None:
    env = data_env(tmp_path)
    run = drugkg(env, "query", ASK)
    assert run.code == 2
    assert "run `drugkg build`" in run.err
    assert str(tmp_path / "var" / "store") in run.err


def test_quote_prints_a_trig_block_for_a_curator(tmp_path: Path) -> None:
    env = data_env(tmp_path)
    run = drugkg(env, "quote", "fixture-doc", "fentanyl")
    assert run.code == 0, run.err
    assert run.out.startswith("<https://w3id.org/drugkg/graph/facts/fixture-doc> {\n")
    assert (
        "    <https://w3id.org/drugkg/graph/facts/fixture-doc/q-115-123> a dk:StatementGraph ;\n"
        "        prov:wasDerivedFrom <https://w3id.org/drugkg/source/fixture-doc#char=115,123> .\n"
    ) in run.out
    assert "<https://w3id.org/drugkg/source/fixture-doc#char=115,123> a dk:Quote ;" in run.out
    assert 'oa:start "115"^^xsd:nonNegativeInteger' in run.out
    assert "<https://w3id.org/drugkg/graph/facts/fixture-doc/q-115-123> {\n" in run.out
    missing = drugkg(env, "quote", "fixture-doc", "fentanyl", "--occurrence", "2")
    assert missing.code == 2
    assert "occurs 1 time(s)" in missing.err
    unknown = drugkg(env, "quote", "no-such-doc", "x")
    assert unknown.code == 2
    assert "no seed 'no-such-doc'; known: fixture-doc" in unknown.err


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    run = drugkg(data_env(tmp_path), "frobnicate")
    assert run.code == 2
    assert "usage: drugkg" in run.err


def test_a_load_during_a_build_is_refused_naming_the_build(tmp_path: Path) -> None:
    env = data_env(tmp_path)
    assert drugkg(env, "build").code == 0
    data = tmp_path / "extra.nt"
    data.write_text('<http://example.org/x> <http://example.org/p> "kept" .\n')
    build = subprocess.Popen(
        [str(DRUGKG), "build"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    lock = Path(env["DRUGKG_STORE"]).with_name(".store.writer.lock")
    try:
        deadline = time.monotonic() + 120
        while b"drugkg build" not in (lock.read_bytes() if lock.exists() else b""):
            assert time.monotonic() < deadline, "the build never took the writer lock"
            assert build.poll() is None, build.communicate()
            time.sleep(0.05)
        refused = drugkg(env, "load", "--graph", "http://example.org/extra", str(data))
    finally:
        _, err = build.communicate(timeout=300)
    assert build.returncode == 0, err
    assert refused.code == 2, refused.err
    assert "is writing this store: `drugkg build` (pid" in refused.err
    assert len(refused.err.strip().splitlines()) == 1
    # once the build is done, the load goes through, and a later build keeps it
    assert drugkg(env, "load", "--graph", "http://example.org/extra", str(data)).code == 0
    assert drugkg(env, "build").code == 0
    kept = drugkg(env, "query", "--format", "csv", "SELECT ?o { ?s <http://example.org/p> ?o }")
    assert kept.out.split() == ["o", "kept"]


def test_load_into_a_graph_name_that_is_no_iri_is_an_input_error(built: dict[str, str]) -> None:
    data = Path(built["DRUGKG_STORE"]).parent / "extra.nt"
    data.write_text('<http://example.org/x> <http://example.org/p> "x" .\n')
    run = drugkg(built, "load", "--graph", "http://ex.org/a b", str(data))
    assert run.code == 2
    assert len(run.err.strip().splitlines()) == 1, run.err
    assert "is not a valid IRI" in run.err
