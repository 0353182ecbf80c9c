"""The federation guard of updates: LOAD and SERVICE reach only the allow-listed endpoint,
whatever disguise their IRI wears.

A recording HTTP server on loopback answers every request (a SPARQL result, or an empty
document for a LOAD) and records its path. Hypothesis writes updates that LOAD from it (with
or without SILENT, INTO GRAPH or not) or that read from it with SERVICE in an INSERT ... WHERE,
with the endpoint escaped, relative to one or two BASEs, or a prefixed name with escaped local
parts, behind comments and strings that look like code. Whatever drugkg answers, the
recording server receives nothing unless the endpoint is exactly the allow-listed one, and no
answer is a server error. A refused LOAD SILENT succeeds and changes nothing (SILENT).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from disguises import Recorder, cased, endpoint_written, near_misses
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from writeclient import Writable, writable_server

from endpoint.errors import FederationRefusedError
from endpoint.sparql.updateguard import UpdateGuard

pytestmark = pytest.mark.slow

EX = "http://example.org/guard/"

DECOYS = [
    "",
    "# LOAD <http://example.org/> ;\n",
    'INSERT DATA { <http://example.org/a> <http://example.org/b> "LOAD <x> ; SERVICE <y> {}" } ;\n',
    "INSERT DATA { <http://example.org/a\\u0023b> <http://example.org/service> 1 } ;\n",
    "CLEAR SILENT GRAPH <http://example.org/load> ;\n",
]


@pytest.fixture(scope="module")
def recorder() -> Iterator[Recorder]:
    running = Recorder()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def guarded(
    tmp_path_factory: pytest.TempPathFactory, token: tuple[str, Path], recorder: Recorder
) -> Iterator[Writable]:
    server = writable_server(
        tmp_path_factory.mktemp("update-guard"),
        token,
        federation_allowlist=f"{recorder.root}/allowed/sparql",
        write_timeout="20",
    )
    yield server
    server.live.stop()


@st.composite
def reaching_update(draw: st.DrawFn, root: str) -> tuple[str, str, bool]:
    """(update, the absolute IRI its LOAD or SERVICE names, whether that is a LOAD SILENT)."""
    target = draw(near_misses(root))
    prologue, written = draw(endpoint_written(target))
    gap = draw(st.sampled_from([" ", "\n", "\t", " # a comment }\n", "#\n"]))
    silent = draw(st.sampled_from(["", "SILENT ", "silent\n"]))
    decoy = draw(st.sampled_from(DECOYS))
    if draw(st.booleans()):
        into = draw(st.sampled_from(["", f" INTO GRAPH <{EX}loaded>", f" into graph <{EX}l2>"]))
        operation = f"{cased(draw, 'load')}{gap}{silent}{written}{into}"
        quiet = bool(silent)
    else:
        clause = f"{cased(draw, 'service')}{gap}{silent}{written}{gap}{{ ?x ?y ?z }}"
        wrapper = draw(st.sampled_from(["{inner}", "OPTIONAL {{ {inner} }}", "{{ {inner} }}"]))
        operation = (
            f"INSERT {{ GRAPH <{EX}copied> {{ ?x ?y ?z }} }} WHERE {{ "
            f"{wrapper.format(inner=clause)} }}"
        )
        quiet = False
    return f"{prologue}{decoy}{operation}", target, quiet


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_update_reaches_an_endpoint_that_is_not_allow_listed(
    guarded: Writable, recorder: Recorder, data: st.DataObject
) -> None:
    update, target, quiet = data.draw(reaching_update(recorder.root))
    recorder.paths.clear()
    version = guarded.version()
    response = guarded.update(update)
    allowed = target == f"{recorder.root}/allowed/sparql"
    event(f"{'allowed' if allowed else 'other'} endpoint: {response.status_code}")
    if allowed:
        # the recorder answers a SPARQL result, which a LOAD cannot read: 502, never a 500
        assert response.status_code != 500, (update, response.text)
        assert set(recorder.paths) <= {"/allowed/sparql"}, update
        return
    assert response.status_code < 500, (update, response.text)
    assert recorder.paths == [], (update, response.text)
    if quiet:  # a refused LOAD SILENT fails silently: success, and nothing loaded
        assert response.status_code == 200, (update, response.text)
    else:
        assert response.status_code == 400, (update, response.text)
        assert guarded.version() == version, update


def test_a_refused_load_silent_succeeds_and_changes_nothing(
    guarded: Writable, recorder: Recorder
) -> None:
    recorder.paths.clear()
    response = guarded.update(f"LOAD SILENT <{recorder.root}/other> INTO GRAPH <{EX}quiet>")
    assert response.status_code == 200, response.text
    assert recorder.paths == []
    assert guarded.count(EX + "quiet") == 0
    loud = guarded.update(f"LOAD <{recorder.root}/other> INTO GRAPH <{EX}quiet>")
    assert loud.status_code == 400
    assert f"{recorder.root}/other" in loud.text


ALLOWED = "http://127.0.0.1:9/allowed/sparql"


def test_a_prefix_label_that_spells_a_keyword_still_names_its_namespace() -> None:
    """`PREFIX service:` or `load:` is a prefix like any other (Hypothesis found the guard
    refusing such an endpoint as unreadable); the guard resolves it to the IRI the engine
    calls. An update that also declares the label the guard renames it to is refused: that
    declaration could send the engine elsewhere than the guard looked."""
    guard = UpdateGuard([ALLOWED], {})
    allowed = "PREFIX service: <http://127.0.0.1:9/> LOAD service:allowed\\/sparql"
    assert guard.check(allowed, None) == allowed
    quiet = "PREFIX Load: <http://127.0.0.1:9/> LOAD SILENT Load:other INTO GRAPH <urn:g>"
    assert guard.check(quiet, None) == "PREFIX Load: <http://127.0.0.1:9/> INSERT DATA { }"
    with pytest.raises(FederationRefusedError, match=re.escape("<http://127.0.0.1:9/other>")):
        guard.check("PREFIX load: <http://127.0.0.1:9/> LOAD load:other", None)
    within = (
        "PREFIX loadService: <http://127.0.0.1:9/> INSERT { <urn:a> <urn:b> ?x } "
        "WHERE { SERVICE loadService:allowed\\/sparql { ?x ?y ?z } }"
    )
    assert guard.check(within, None) == within
    for disguise in (
        "PREFIX service: <http://127.0.0.1:8/> PREFIX zervice: <http://127.0.0.1:9/> "
        "LOAD service:allowed\\/sparql",
        "PREFIX zervice: <http://127.0.0.1:9/> PREFIX service: <http://127.0.0.1:8/> "
        "LOAD service:allowed\\/sparql",
    ):
        with pytest.raises(FederationRefusedError, match="zervice:"):
            guard.check(disguise, None)
