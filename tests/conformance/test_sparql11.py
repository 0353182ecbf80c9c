"""The W3C SPARQL 1.1 query tests, sent over HTTP to a live server, checked against pyoxigraph.

For each evaluation test: pyoxigraph evaluates it in this process (the reference); when it
passes there, the server must pass it too, in every format of `formats_for` (JSON and XML at
least). When pyoxigraph fails it, `known_failures.toml` must list it with the reason, and the
HTTP check is skipped. Negative syntax tests must get 400; positive syntax tests must not.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pyoxigraph as ox
import pytest
from _pytest.mark import ParameterSet

from graph.settings import Settings

from .manifest import FEDERATION_MANIFESTS, QUERY_MANIFESTS, Case, Kind, load_cases
from .runner import FORMATS, Runner, formats_for

pytestmark = pytest.mark.conformance

_HERE = Path(__file__).resolve().parent
_REPO = _HERE.parents[1]
_KNOWN = tomllib.loads((_HERE / "known_failures.toml").read_text(encoding="utf-8"))


def suite_dir() -> Path:
    shared = Settings().shared_dir
    return (shared if shared.is_absolute() else _REPO / shared) / "conformance" / "sparql11"


def _params() -> list[ParameterSet]:
    root = suite_dir()
    if not (root / QUERY_MANIFESTS[0]).is_file():
        reason = f"the W3C SPARQL 1.1 suite is not at {root} (set DRUGKG_SHARED_DIR)"
        return [pytest.param(None, reason, id="suite-missing")]
    cases = load_cases(root, QUERY_MANIFESTS)
    ordered = sorted(cases, key=lambda c: c.dataset.key)  # one server start per dataset
    params = [
        pytest.param(case, fmt, id=f"{case.id}-{fmt}")
        for case in ordered
        for fmt in formats_for(case)
    ]
    for case in load_cases(root, FEDERATION_MANIFESTS):
        reason = _KNOWN["skip"].get(case.id, _KNOWN["skip"]["federation"])
        params.append(pytest.param(case, "", marks=pytest.mark.skip(reason=reason), id=case.id))
    return params


@pytest.mark.parametrize(("case", "fmt"), _params())
def test_sparql11(case: Case | None, fmt: str, request: pytest.FixtureRequest) -> None:
    if case is None:  # the suite is missing: `fmt` holds the reason
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(fmt)
        pytest.skip(fmt)
    sparql_runner: Runner = request.getfixturevalue("sparql_runner")
    reference = sparql_runner.reference(case)
    listed = _KNOWN["pyoxigraph"].get(case.id)
    if not reference.passed:
        if listed is None:
            pytest.fail(
                f"pyoxigraph {ox.__version__} fails {case.id} in-process and "
                f"known_failures.toml does not list it: {reference.detail}"
            )
        pytest.skip(f"pyoxigraph {ox.__version__} fails it in-process: {listed}")
    if listed is not None:
        pytest.fail(
            f"{case.id} is listed in known_failures.toml but pyoxigraph "
            f"{ox.__version__} now passes it: remove the entry"
        )
    if case.kind is Kind.NEGATIVE_SYNTAX:
        response = sparql_runner.send(case, None, method="GET")
        assert response.status_code == 400, (
            f"an invalid query got {response.status_code}, not 400: {response.text[:300]}"
        )
        return
    if case.kind is Kind.POSITIVE_SYNTAX:
        response = sparql_runner.send(case, None, method="GET")
        assert response.status_code != 400, f"a valid query got 400: {response.text[:300]}"
        if reference.evaluates:
            assert response.status_code == 200, (
                f"a valid query got {response.status_code}: {response.text[:300]}"
            )
        return
    verdict = sparql_runner.run_over_http(case, FORMATS[fmt])
    assert verdict.passed, verdict.detail
