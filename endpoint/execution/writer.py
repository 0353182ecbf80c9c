"""The write process: applies the server's writes to the store, one at a time.

Run as `python -m endpoint.execution.writer CONFIG-JSON` by `endpoint.writes.runner`, never
by hand. It starts once (the SHACL libraries and the shapes loaded ahead of the first write)
and then reads jobs, one JSON object a line on stdin, answering each with one JSON line on
stdout: `{"status": 200, "outcome": ...}` or `{"status": 4xx/5xx, "error": class name,
"message": ..., "report": SHACL report as Turtle}`.

For each job: the update's LOAD and SERVICE calls are checked (`endpoint.sparql.updateguard`);
the process takes the store's writer lock (waiting for another writer, a build or a load,
up to the job's limit); and the write is applied as a new store version, checked, audited
and swapped in (`graph.storage.writes`). The server kills the process when a write runs past
its time or memory limit: the version it was making is then never swapped in, and the next
writer removes it.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from endpoint.errors import (
    EndpointError,
    EvaluationError,
    MalformedQueryError,
    to_wire,
    write_error,
)
from endpoint.sparql.updateguard import UpdateGuard
from graph.errors import DrugkgError, StoreBusyError
from graph.pipeline.inputs import Sources, read_shapes
from graph.query.text import explain
from graph.settings import Settings
from graph.storage import writes
from graph.storage.versions import writer_lock


def _failure(error: EndpointError) -> dict[str, Any]:
    return {"status": error.status, **to_wire(error)}


class Writer:
    def __init__(self, config: dict[str, Any]) -> None:
        self.settings = Settings.model_validate(config["settings"])
        self.guard = UpdateGuard(config.get("federation_allowlist", []), config["prefixes"])
        self.prefixes: dict[str, str] = dict(config["prefixes"])
        self.shapes = read_shapes(Sources.from_settings(self.settings))
        self._counting: list[subprocess.Popen[bytes]] = []
        from graph.pipeline import shacl  # noqa: F401  (pySHACL and rdflib, warm)

    def tidy(self, idle: Callable[[], bool]) -> None:
        """After the answer is sent: old versions deleted, the new one opened for the next
        write (`writes.after_write`), without making the writer that was answered wait; and,
        when no write is waiting (`idle`) and no count is under way, the new version counted
        for the servers' pages (`graph.storage.statistics.count_current`: servers wait for
        these counts rather than count themselves, which at a million quads would take their
        CPU from queries)."""
        try:
            with writer_lock(self.settings.store, "drugkg serve (tidying after a write)", wait=2):
                writes.after_write(self.settings)
            self._counting = [p for p in self._counting if p.poll() is None]
            if idle() and len(self._counting) < 2:
                # counted in a process of its own, so the next write does not wait for it
                # (seconds at a million quads), at low priority; one counts, and one more may
                # wait its turn (`count_current`), so the last write's version is counted too
                self._counting.append(
                    subprocess.Popen(
                        [
                            sys.executable,
                            "-m",
                            "graph.storage.statistics",
                            str(self.settings.store),
                        ],
                        stdin=subprocess.DEVNULL,  # the job pipe stays the write process's
                    )
                )
        except StoreBusyError:
            pass  # another writer is at work, and tidies when it is done
        except Exception:  # tidying is retried after the next write; never fatal
            traceback.print_exc(file=sys.stderr)

    def handle(self, data: dict[str, Any]) -> dict[str, Any]:
        job = writes.WriteJob(**{**data["job"], "prefixes": self.prefixes})
        wait = float(data.get("lock_wait", 0.0))
        try:
            if job.update is not None:
                job = replace(job, update=self.guard.check(job.update, job.base_iri))
            with writer_lock(self.settings.store, "drugkg serve (a write over HTTP)", wait=wait):
                outcome = writes.write(self.settings, job, self.shapes)
        except SyntaxError as error:
            problem = explain(job.update or "", error, self.prefixes)
            return _failure(MalformedQueryError(f"malformed update: {problem.located}"))
        except (EndpointError, DrugkgError, RuntimeError, OSError) as error:
            return _failure(write_error(error, job.update))
        except Exception as error:  # a fault of ours: logged whole, the process stays up
            traceback.print_exc(file=sys.stderr)
            return _failure(
                EvaluationError(
                    f"the write failed ({type(error).__name__}: {error}); nothing was changed"
                )
            )
        return {"status": 201 if outcome.created else 200, "outcome": outcome.to_json()}


def main() -> None:
    config = json.loads(sys.argv[1])
    out = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # anything printed by accident goes to stderr
    writer = Writer(config)
    out.write(json.dumps({"ready": os.getpid()}) + "\n")
    jobs = _Lines(sys.stdin.fileno())
    while (line := jobs.next()) is not None:
        started = time.monotonic()
        answer = writer.handle(json.loads(line))
        answer["seconds"] = round(time.monotonic() - started, 6)
        out.write(json.dumps(answer) + "\n")
        writer.tidy(idle=lambda: not jobs.pending())


class _Lines:
    """The lines of a pipe, read with os.read so that whether another line is waiting can
    be told (a TextIOWrapper's read-ahead hides it from select)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buffer = b""

    def pending(self) -> bool:
        return b"\n" in self.buffer or bool(select.select([self.fd], [], [], 0)[0])

    def next(self) -> str | None:
        while b"\n" not in self.buffer:
            chunk = os.read(self.fd, 1 << 20)
            if not chunk:
                return None
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line.decode()


if __name__ == "__main__":
    main()
