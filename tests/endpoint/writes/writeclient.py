"""A writable server under test, and the requests the write tests send it."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

import httpx
from endpoint_stores import write_article_store
from liveservers import LiveServer, start_drugkg
from pyoxigraph import Store

from graph.storage.versions import current_version

UPDATE = "application/sparql-update"
HTTP_TIMEOUT = 120.0


@dataclass
class Writable:
    live: LiveServer
    token: str
    store: Path

    @property
    def sparql(self) -> str:
        return self.live.sparql

    @property
    def gsp(self) -> str:
        return self.live.url + "/store"

    @property
    def auth(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.token}"}

    def update(self, text: str, **headers: str) -> httpx.Response:
        """POST the update directly (application/sparql-update), with the token."""
        sent = {"content-type": UPDATE, **self.auth, **headers}
        return httpx.post(self.sparql, content=text.encode(), headers=sent, timeout=HTTP_TIMEOUT)

    def count(self, graph: str | None = None) -> int:
        pattern = "?s ?p ?o" if graph is None else f"GRAPH <{graph}> {{ ?s ?p ?o }}"
        query = f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}"
        response = httpx.get(self.sparql, params={"query": query, "format": "json"}, timeout=60)
        assert response.status_code == 200, response.text
        return int(response.json()["results"]["bindings"][0]["n"]["value"])

    def version(self) -> str:
        return current_version(self.store).name

    def on_disk(self) -> Store:
        """The store's current version, opened read-only (as a new server would)."""
        return Store.read_only(str(current_version(self.store)))


def writable_server(root: Path, token: tuple[str, Path], **settings: str) -> Writable:
    store = root / "store"
    write_article_store(store, store.with_name("drugkg.nq"))
    live = start_drugkg(
        store,
        root,
        writable="true",
        write_token_file=str(token[1]),
        dump=str(store.with_name("drugkg.nq")),
        **settings,
    )
    return Writable(live, token[0], store)


def new_token(root: Path) -> tuple[str, Path]:
    """A fresh write token, and the file under `root` that holds it."""
    token = secrets.token_urlsafe(32)
    path = root / "write-token"
    path.write_text(token + "\n", encoding="utf-8")
    return token, path
