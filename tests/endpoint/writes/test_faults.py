"""Faults during writes: the server killed mid-write, a full disk, a build racing writes.
Whatever happens, the store opens with the old state or the new one, never a mix."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from liveservers import start_drugkg, unavailable
from pyoxigraph import NamedNode, Store
from test_integrity import build, kill_hard, lines, put, restart
from writeclient import Writable, writable_server

from graph.storage.versions import current_version
from graph.vocabulary.namespace import BASE

pytestmark = pytest.mark.slow

EX = "http://example.org/faults/"
ENTITIES = BASE + "graph/entities"


def graph_sizes(store: Path) -> dict[str, int]:
    opened = Store.read_only(str(current_version(store)))
    sizes = {}
    for name in opened.named_graphs():
        if isinstance(name, NamedNode):
            sizes[name.value] = sum(1 for _ in opened.quads_for_pattern(None, None, None, name))
    return sizes


def in_background(call: object) -> tuple[threading.Thread, list[object]]:
    out: list[object] = []

    def run() -> None:
        try:
            out.append(call())  # type: ignore[operator]
        except httpx.HTTPError as error:  # the server was killed under it
            out.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, out


@pytest.mark.parametrize("delay", [0.3, 1.0, 2.0])
def test_kill_9_during_a_large_put_leaves_the_old_or_the_new_state(
    tmp_path: Path, token: tuple[str, Path], delay: float
) -> None:
    server = writable_server(tmp_path, token)
    before = graph_sizes(server.store)
    size = 200_000
    body = lines(size)
    thread, _ = in_background(lambda: put(server, EX + "big", body))
    time.sleep(delay)
    kill_hard(server)
    thread.join(timeout=60)
    after = graph_sizes(server.store)
    assert after.get(EX + "big", 0) in (0, size), after.get(EX + "big")
    assert {k: v for k, v in after.items() if k != EX + "big" and k != BASE + "graph/audit"} == {
        k: v for k, v in before.items() if k != BASE + "graph/audit"
    }
    again = restart(server, tmp_path, token[1])
    try:
        assert again.count(EX + "big") in (0, size)
        assert again.update(f"INSERT DATA {{ <{EX}after> <{EX}p> 1 }}").status_code == 200
    finally:
        again.live.stop()


@pytest.mark.parametrize("delay", [0.2, 0.8])
def test_kill_9_during_an_update_leaves_the_old_or_the_new_state(
    tmp_path: Path, token: tuple[str, Path], delay: float
) -> None:
    server = writable_server(tmp_path, token)
    copied = graph_sizes(server.store)[ENTITIES]
    where = f"WHERE {{ GRAPH <{ENTITIES}> {{ ?s ?p ?o }} }}"
    update = (
        f"INSERT {{ GRAPH <{EX}copy> {{ ?s ?p ?o }} }} {where};"
        f"INSERT {{ GRAPH <{EX}copy2> {{ ?s ?p ?o }} }} {where}"
    )
    thread, _ = in_background(lambda: server.update(update))
    time.sleep(delay)
    kill_hard(server)
    thread.join(timeout=60)
    after = graph_sizes(server.store)
    state = (after.get(EX + "copy", 0), after.get(EX + "copy2", 0))
    assert state in ((0, 0), (copied, copied)), state


# A full disk: the store on a small tmpfs. Mounting needs root (CI runs as root).


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0:
        unavailable("mounting a small tmpfs for the full-disk test needs root (CI runs as root)")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        unavailable(f"could not mount a tmpfs here: {done.stderr.decode()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.mark.parametrize(
    "rows",
    [
        pytest.param(120_000, id="payload-does-not-fit"),
        pytest.param(45_000, id="payload-fits-the-new-version-does-not"),
    ],
)
def test_a_full_disk_is_507_and_loses_nothing(
    small_disk: Path, tmp_path: Path, token: tuple[str, Path], rows: int
) -> None:
    source = writable_server(tmp_path / "source", token)
    source.live.stop()
    store = small_disk / "store"
    shutil.copytree(current_version(source.store), store)
    before = graph_sizes(store)
    live = start_drugkg(store, tmp_path, writable="true", write_token_file=str(token[1]), dump="")
    server = Writable(live, token[0], store)
    try:
        assert put(server, EX + "small", lines(10)).status_code == 201
        # triples of random text (RocksDB cannot compress them below the disk's size): 26 MB
        # do not fit as the payload; 10 MB do, but not beside the new version's 10 MB or more
        body = "".join(
            f'<{EX}r{i}> <{EX}p> "{secrets.token_hex(100)}" .\n' for i in range(rows)
        ).encode()
        response = put(server, EX + "huge", body)
        assert response.status_code == 507, response.text
        assert "full" in response.text
        received = "could not be received" not in response.text
        assert received == (rows < 100_000), response.text  # which step found the disk full
        assert server.count(EX + "huge") == 0
        assert server.count(EX + "small") == 10
        # the space the failed version took is given back: a small write goes through again
        again = put(server, EX + "small-2", lines(5))
        assert again.status_code == 201, again.text
    finally:
        live.stop()
    after = graph_sizes(store)
    assert after[EX + "small"] == 10
    assert EX + "huge" not in after
    assert {k: v for k, v in after.items() if k in before and k != BASE + "graph/audit"} == {
        k: v for k, v in before.items() if k != BASE + "graph/audit"
    }


def test_writes_racing_a_build_all_land_or_are_refused_clearly(
    tmp_path: Path, token: tuple[str, Path]
) -> None:
    server = writable_server(tmp_path, token)
    try:
        assert put(server, EX + "before", lines(4)).status_code == 201
        results: list[subprocess.CompletedProcess[str]] = []
        building = threading.Thread(target=lambda: results.append(build(server.store)))
        building.start()
        acknowledged = []
        refused: list[int] = []
        deadline = time.monotonic() + 60
        i = 0
        while building.is_alive() and time.monotonic() < deadline:
            response = put(server, f"{EX}race-{i}", lines(3))
            if response.status_code == 201:
                acknowledged.append(f"{EX}race-{i}")
            else:
                assert response.status_code == 503, response.text
                assert "writing this store" in response.text, response.text
                refused.append(i)
            i += 1
        building.join()
        assert results, "the build did not finish"
        result = results[0]
        assert result.returncode == 0, result.stdout + result.stderr  # it waits for a write
        assert server.count(EX + "before") == 4
        for graph in acknowledged:
            assert server.count(graph) == 3, graph
        assert server.count(ENTITIES) > 0
        assert acknowledged, "no write was acknowledged during or after the build"
    finally:
        server.live.stop()
