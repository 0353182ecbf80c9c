"""endpoint.errors: the one place where errors get their HTTP status and become responses."""

from __future__ import annotations

import ast
import errno
from pathlib import Path

import pytest

from endpoint import errors
from endpoint.errors import (
    BadRequestError,
    BuildGraphError,
    EndpointError,
    EvaluationError,
    InsufficientStorageError,
    InvalidParameterError,
    NotFoundError,
    RemoteServiceError,
    ShapesViolatedError,
    UpdateRefusedError,
    WriterBusyError,
    error_response,
    from_wire,
    to_wire,
    write_error,
)
from graph.errors import STORE_CHANGES, InputError, StoreBusyError
from graph.pipeline.shacl import ShaclReport
from graph.query.run import UPDATE_REFUSED
from graph.storage import writes

ENDPOINT = Path(errors.__file__).parent


@pytest.mark.parametrize(
    ("error", "update", "expected", "status"),
    [
        (StoreBusyError("a build holds the store", path=Path("store")), None, WriterBusyError, 503),
        (writes.BuildGraphWriteError(["http://x/graph/facts"]), None, BuildGraphError, 403),
        (writes.GraphMissingError("no graph <http://x/g>"), None, NotFoundError, 404),
        (InputError("not Turtle"), None, InvalidParameterError, 400),
        (RuntimeError("no such graph"), "DROP GRAPH <http://x/g>", BadRequestError, 400),
        (OSError(errno.ENOSPC, "No space left on device"), None, InsufficientStorageError, 507),
        (OSError("refused"), "LOAD <http://x/data.ttl>", RemoteServiceError, 502),
        (OSError("disk error"), "INSERT DATA { <a:s> <a:p> 1 }", EvaluationError, 500),
    ],
)
def test_a_failed_write_becomes_one_endpoint_error_whose_class_holds_the_status(
    error: Exception, update: str | None, expected: type[EndpointError], status: int
) -> None:
    refused = write_error(error, update)
    assert type(refused) is expected
    assert refused.status == status
    again = from_wire({"status": 0, **to_wire(refused)})  # as the write process sends it
    assert type(again) is expected
    assert again.status == status
    assert again.message == refused.message


def test_a_shapes_violation_keeps_its_report_across_the_wire() -> None:
    report = ShaclReport(conforms=False)
    refused = write_error(writes.ShapesViolatedError(report))
    assert isinstance(refused, ShapesViolatedError)
    again = from_wire(to_wire(refused))
    assert isinstance(again, ShapesViolatedError)
    assert again.report == report.turtle().encode()
    response = error_response(again, "application/json")
    assert response.status_code == 422
    assert response.media_type == "text/turtle"


def test_an_update_sent_as_a_query_is_refused_in_the_words_of_the_command_line() -> None:
    http = UpdateRefusedError().message
    assert http.startswith("this is a SPARQL Update, and `query=` (which is read-only) runs")
    assert http.endswith(STORE_CHANGES)
    assert UPDATE_REFUSED.endswith(STORE_CHANGES)
    assert "`drugkg load --graph IRI FILE`" in http
    assert "`drugkg serve --writable`" in http


def test_an_html_page_for_an_error_keeps_its_status() -> None:
    response = error_response(NotFoundError("no such thing"), "text/html", lambda m: f"<p>{m}</p>")
    assert response.status_code == 404
    assert response.body == b"<p>no such thing</p>"


def _error_statuses(tree: ast.AST) -> list[int]:
    """Literal statuses of 400 and above given to a response or put in an answer."""
    found = []
    for node in ast.walk(tree):
        values: list[ast.expr] = []
        if isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else ""
            name = node.func.attr if isinstance(node.func, ast.Attribute) else name
            if name.endswith("Response"):
                values = [*node.args, *(k.value for k in node.keywords if k.arg == "status_code")]
        elif isinstance(node, ast.Dict):
            values = [
                v
                for k, v in zip(node.keys, node.values, strict=True)
                if isinstance(k, ast.Constant) and k.value == "status"
            ]
        found += [
            v.value
            for v in values
            if isinstance(v, ast.Constant) and isinstance(v.value, int) and v.value >= 400
        ]
    return found


def test_no_module_but_endpoint_errors_gives_an_error_status() -> None:
    offenders = {
        str(path.relative_to(ENDPOINT)): statuses
        for path in sorted(ENDPOINT.rglob("*.py"))
        if path.name != "errors.py"
        if (statuses := _error_statuses(ast.parse(path.read_text(encoding="utf-8"))))
    }
    assert offenders == {}
