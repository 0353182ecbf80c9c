"""Federation both ways with real engines on loopback.

Out: the example query in queries/federated/ runs at drugkg and joins, through owl:sameAs,
with the Wikidata stand-in (the `oxigraph` server holding fixtures/wikidata-sample.ttl).
In: the `oxigraph` server evaluating `SERVICE <drugkg>` and Comunica using drugkg as a SPARQL
source both get exactly what a direct query gets. Failure modes of drugkg's own outgoing
SERVICE calls (down, slow, garbage) are covered by tests/endpoint/sparql/test_federation.py.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fixturepaths import WIKIDATA_SAMPLE
from liveservers import LiveServer as Server
from liveservers import comunica, free_port, start_oxigraph
from pyoxigraph import NamedNode, Quad, RdfFormat, Store, parse

from graph.paths import QUERIES_DIR
from graph.settings import Settings

pytestmark = pytest.mark.slow

FEDERATED = QUERIES_DIR / "federated"
WIKIDATA_ENDPOINT = "https://query.wikidata.org/sparql"
DRUGKG_DEFAULT = "http://127.0.0.1:8000/sparql"
JSON = {"Accept": "application/sparql-results+json"}
WAIT_S = 60
"""The longest a client waits: a bound on a hang, not a measurement."""

Rows = list[tuple[tuple[str, str], ...]]


def _rows(document: dict[str, object]) -> Rows:
    """SPARQL JSON results as sorted rows of (variable, value): order and term kind aside."""
    results = document["results"]
    assert isinstance(results, dict)
    rows = [tuple(sorted((k, v["value"]) for k, v in b.items())) for b in results["bindings"]]
    return sorted(rows)


def _ask(url: str, query: str) -> Rows:
    response = httpx.post(url, data={"query": query}, headers=JSON, timeout=WAIT_S)
    assert response.status_code == 200, response.text
    return _rows(response.json())


def _inner(query: str) -> str:
    """The query with its SERVICE clause evaluated locally: `SERVICE <x> {` becomes `{`."""
    head, _, rest = query.partition("SERVICE <")
    return head + rest.partition(">")[2]


@pytest.fixture(scope="module")
def engine(ld_workdir: Path) -> Iterator[Server]:
    """Another SPARQL engine: the oxigraph server, with an empty store of its own."""
    server = start_oxigraph(ld_workdir / "engine-store", None, ld_workdir)
    yield server
    server.stop()


def test_example_query_joins_drugkg_with_the_wikidata_stand_in(
    ld_server: Server, wikidata: Server, built_store: Settings
) -> None:
    text = (FEDERATED / "fentanyl-origin-countries-wikidata.rq").read_text(encoding="utf-8")
    federated = _ask(ld_server.url + "/sparql", text.replace(WIKIDATA_ENDPOINT, wikidata.sparql))
    # The same join evaluated in one local store holding both datasets.
    local = Store()
    local.bulk_extend(Store.read_only(str(built_store.store)))
    fixture = NamedNode("urn:test:wikidata-sample")
    local.bulk_extend(
        Quad(q.subject, q.predicate, q.object, fixture)
        for q in parse(path=str(WIKIDATA_SAMPLE), format=RdfFormat.TURTLE)
    )
    answer = local.query(_inner(text), use_default_graph_as_union=True)
    direct = sorted(
        tuple(sorted((str(v), row[v].value) for v in answer.variables if row[v] is not None))  # type: ignore[union-attr]
        for row in answer  # type: ignore[union-attr]
    )
    direct = [tuple((k.lstrip("?"), v) for k, v in row) for row in direct]
    assert federated == direct
    labels = {dict(row)["wikidataLabel"] for row in federated}
    assert labels == {"People's Republic of China", "Mexico"}


def test_oxigraph_server_queries_drugkg_through_service(ld_server: Server, engine: Server) -> None:
    text = (FEDERATED / "drugkg-from-another-engine.rq").read_text(encoding="utf-8")
    through = _ask(engine.sparql, text.replace(DRUGKG_DEFAULT, ld_server.url + "/sparql"))
    direct = _ask(ld_server.url + "/sparql", _inner(text))
    assert through == direct
    assert len(direct) == 5


def test_comunica_queries_drugkg_as_a_sparql_source(ld_server: Server, tmp_path: Path) -> None:
    command = comunica()
    text = _inner((FEDERATED / "drugkg-from-another-engine.rq").read_text(encoding="utf-8"))
    query = tmp_path / "query.rq"
    query.write_text(text, encoding="utf-8")
    done = subprocess.run(
        [
            str(command),
            f"sparql@{ld_server.url}/sparql",
            "-f",
            str(query),
            "-t",
            "application/sparql-results+json",
        ],
        capture_output=True,
        timeout=WAIT_S * 3,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    assert _rows(json.loads(done.stdout)) == _ask(ld_server.url + "/sparql", text)


def test_another_engine_gets_a_clear_error_or_nothing_when_drugkg_is_down(engine: Server) -> None:
    down = f"http://127.0.0.1:{free_port()}/sparql"
    query = "SELECT * WHERE { SERVICE %s<" + down + "> { ?s ?p ?o } }"
    refused = httpx.post(engine.sparql, data={"query": query % ""}, headers=JSON, timeout=WAIT_S)
    # The oxigraph server streams: the 200 header is out before SERVICE runs, so the error
    # arrives in place of the results, which no longer parse. Either way the client sees it.
    assert "Connection refused" in refused.text
    if refused.status_code == 200:
        with pytest.raises(json.JSONDecodeError):
            json.loads(refused.text)
    silent = _ask(engine.sparql, query % "SILENT ")
    assert len(silent) <= 1  # SILENT: one empty solution, no error
    assert all(row == () for row in silent)
