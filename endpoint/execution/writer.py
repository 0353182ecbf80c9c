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

import errno
import json
import os
import sys
import time
import traceback
from typing import Any

from endpoint.errors import EndpointError, to_wire
from endpoint.sparql.updateguard import UpdateGuard
from graph.errors import InputError, StoreBusyError
from graph.pipeline.inputs import Sources, read_shapes
from graph.query.text import explain
from graph.settings import Settings
from graph.storage import writes
from graph.storage.versions import writer_lock


def _failure(status: int, error: str, message: str, report: str | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {"status": status, "error": error, "message": message}
    if report is not None:
        answer["report"] = report
    return answer


class Writer:
    def __init__(self, config: dict[str, Any]) -> None:
        self.settings = Settings.model_validate(config["settings"])
        self.guard = UpdateGuard(config.get("federation_allowlist", []), config["prefixes"])
        self.prefixes: dict[str, str] = dict(config["prefixes"])
        self.shapes = read_shapes(Sources.from_settings(self.settings))
        from graph.pipeline import shacl  # noqa: F401  (pySHACL and rdflib, warm)

    def handle(self, data: dict[str, Any]) -> dict[str, Any]:
        job = writes.WriteJob(**{**data["job"], "prefixes": self.prefixes})
        wait = float(data.get("lock_wait", 0.0))
        try:
            if job.update is not None:
                self.guard.check(job.update, job.base_iri)
            with writer_lock(self.settings.store, "drugkg serve (a write over HTTP)", wait=wait):
                outcome = writes.write(self.settings, job, self.shapes)
        except EndpointError as error:
            return {"status": error.status, **to_wire(error)}
        except StoreBusyError as error:
            return _failure(503, "StoreBusyError", str(error))
        except writes.BuildGraphWriteError as error:
            return _failure(403, "BuildGraphError", str(error))
        except writes.ShapesViolatedError as error:
            return _failure(422, "ShapesViolatedError", str(error), error.turtle().decode())
        except writes.GraphMissingError as error:
            return _failure(404, "NotFoundError", str(error))
        except InputError as error:
            return _failure(400, "InvalidParameterError", str(error))
        except SyntaxError as error:
            problem = explain(job.update or "", error, self.prefixes)
            return _failure(400, "MalformedQueryError", f"malformed update: {problem.located}")
        except RuntimeError as error:  # the update is legal but cannot be applied
            return _failure(400, "BadRequestError", f"the update failed: {error}")
        except OSError as error:
            if error.errno == errno.ENOSPC or "No space left" in str(error):
                return _failure(
                    507,
                    "InsufficientStorageError",
                    "the disk holding the store is full: the write changed nothing",
                )
            if job.update is not None and "LOAD" in job.update.upper():
                return _failure(502, "RemoteServiceError", f"the LOAD failed: {error}")
            return _failure(500, "EvaluationError", f"the write failed: {error}")
        except Exception as error:  # a fault of ours: logged whole, the process stays up
            traceback.print_exc(file=sys.stderr)
            return _failure(
                500,
                "EvaluationError",
                f"the write failed ({type(error).__name__}: {error}); nothing was changed",
            )
        return {"status": 201 if outcome.created else 200, "outcome": outcome.to_json()}


def main() -> None:
    config = json.loads(sys.argv[1])
    out = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # anything printed by accident goes to stderr
    writer = Writer(config)
    out.write(json.dumps({"ready": os.getpid()}) + "\n")
    for line in sys.stdin:
        started = time.monotonic()
        answer = writer.handle(json.loads(line))
        answer["seconds"] = round(time.monotonic() - started, 6)
        out.write(json.dumps(answer) + "\n")


if __name__ == "__main__":
    main()
