"""endpoint.http.accept: the one Accept parser, for /sparql, linked-data IRIs and errors."""

from __future__ import annotations

import pytest

from endpoint.http.accept import parse_accept, wants_json
from endpoint.linkeddata.negotiation import wants_html


def test_ranges_keep_order_and_clamp_q() -> None:
    ranges = parse_accept("text/html;q=2, application/json ;q=0.5, *, bogus, image/png;q=x")
    assert [(r.media_type, r.q, r.order) for r in ranges] == [
        ("text/html", 1.0, 0),
        ("application/json", 0.5, 1),
        ("*/*", 1.0, 2),
        ("image/png", 0.0, 4),
    ]


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, False),
        ("application/sparql-results+json", True),
        ("application/json;q=0.2, */*;q=0.1", True),
        ("application/json;q=0", False),
        ("application/json, text/plain", False),
        ("text/javascript", False),
        ("*/*", False),
    ],
)
def test_errors_are_json_when_json_is_asked_for(accept: str | None, expected: bool) -> None:
    assert wants_json(accept) is expected


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", True),
        ("text/turtle, text/html;q=0.5", False),
        ("TEXT/HTML", True),
        ("*/*", False),
        ("text/html;q=0", False),
    ],
)
def test_linked_data_iris_read_accept_with_the_same_parser(accept: str, expected: bool) -> None:
    assert wants_html(accept, None) is expected
