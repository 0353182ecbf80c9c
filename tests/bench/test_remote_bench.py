"""The cheap pieces of bench/remote_bench.py: its report, and wrk's whole seconds.

The run itself starts seven servers, Virtuoso and HAProxy among them, and loads each for
seconds: that is the bench's (`python -m bench.remote_bench --quick`), never a test's.
"""

from __future__ import annotations

import pytest

from bench import wrk
from bench.common import BenchError
from bench.remote_bench import markdown


def _row(rate: float) -> dict[str, float]:
    return {"rate": rate, "cpu_ms": 0.5, "p50_ms": 1.0, "non_2xx": 0, "socket_errors": 0}


def test_the_report_gives_ratios_to_the_reference_and_the_replicas_gain() -> None:
    names = {"oxigraph": 12_000.0, "drugkg": 3_000.0, "1 replica": 1_000.0, "2 replicas": 1_800.0}
    tp = {str(c): {n: [_row(r), _row(r * 1.1)] for n, r in names.items()} for c in (16, 64)}
    lat = {"q1": {"oxigraph": [2.0], "drugkg": [3.0]}, "q2": {"oxigraph": [4.0]}}
    text = markdown("settings", {n: 20 for n in names}, tp, lat, {"q2": {"drugkg": "HTTP 500"}})
    cells = "3,150 (3,000-3,300) | 1.00 | 0.50"
    assert f"| drugkg | {cells} | {cells} | 0.25 |" in text
    assert "2 replicas / 1 replica at 16 connections: 1.80;" in text
    assert "plausible" in text
    assert "| q1 | 2.00 | 3.00 |" in text
    assert "| q2 | 4.00 | HTTP 500 |" in text


def test_wrk_is_asked_for_whole_seconds_only() -> None:
    with pytest.raises(BenchError, match="whole seconds"):
        wrk.run("http://127.0.0.1:1", ["/"], connections=1, seconds=0.5, accept="*/*")
