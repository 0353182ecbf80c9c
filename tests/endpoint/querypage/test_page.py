"""The query page's routes over HTTP: the page, its configuration and its static files.

The server is a live one (`limited_server` of conftest); the browser tests in tests/browser
drive the page itself.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

import httpx
import pytest
from liveservers import LiveServer

from bench.competency import discover
from endpoint.querypage.page import ExampleError, read_example, read_examples
from graph.paths import QUERIES_DIR
from graph.query import formats
from graph.query.formats import Kind
from graph.vocabulary.namespace import DK

pytestmark = pytest.mark.slow


def test_home_page_links_the_query_page(limited_server: LiveServer) -> None:
    assert 'href="/query"' in httpx.get(limited_server.url + "/").text


def test_page_lists_every_competency_question(limited_server: LiveServer) -> None:
    response = httpx.get(limited_server.url + "/query")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    questions = discover(QUERIES_DIR)
    assert questions
    for question in questions:
        assert f'data-name="{question.name}"' in response.text
        assert question.title is not None
        assert question.title.replace("'", "&#x27;") in response.text
    for script in ("editor.js", "views.js", "query.js"):
        assert f'src="/static/query/{script}"' in response.text


def test_config_carries_examples_prefixes_terms_and_formats(limited_server: LiveServer) -> None:
    config = httpx.get(limited_server.url + "/query.json").json()
    by_name = {e["name"]: e for e in config["examples"]}
    files = sorted(QUERIES_DIR.glob("*.rq"))
    assert sorted(by_name) == sorted(f.stem for f in files)
    for file in files:
        assert by_name[file.stem]["query"] == file.read_text(encoding="utf-8")
    assert config["prefixes"]["dk"] == str(DK)
    assert config["prefixes"]["dkid"] == "https://w3id.org/drugkg/id/"
    route = next(t for t in config["terms"] if t["curie"] == "dk:TraffickingRoute")
    assert route == {
        "curie": "dk:TraffickingRoute",
        "iri": str(DK.TraffickingRoute),
        "label": "trafficking route",
        "kind": "class",
    }
    assert any(t["curie"] == "dk:origin" and t["kind"] == "property" for t in config["terms"])
    for kind in Kind:
        assert [f["name"] for f in config["formats"][kind.value]] == [
            r.name for r in formats.offered(kind)
        ]


def test_yasgui_is_pinned_with_integrity(limited_server: LiveServer) -> None:
    yasgui = httpx.get(limited_server.url + "/query.json").json()["yasgui"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", yasgui["version"])
    for url, integrity in (
        (yasgui["js"], yasgui["jsIntegrity"]),
        (yasgui["css"], yasgui["cssIntegrity"]),
    ):
        assert url.startswith(
            "https://cdn.jsdelivr.net/npm/@triply/yasgui@" + yasgui["version"] + "/"
        )
        algorithm, digest = integrity.split("-", 1)
        assert algorithm == "sha384"
        assert len(base64.b64decode(digest, validate=True)) == 48


@pytest.mark.parametrize(
    ("name", "media"),
    [
        ("query.js", "javascript"),
        ("editor.js", "javascript"),
        ("views.js", "javascript"),
        ("query.css", "text/css"),
    ],
)
def test_static_files(limited_server: LiveServer, name: str, media: str) -> None:
    response = httpx.get(f"{limited_server.url}/static/query/{name}")
    assert response.status_code == 200
    assert media in response.headers["content-type"]


def test_page_revalidates_with_etag(limited_server: LiveServer) -> None:
    first = httpx.get(limited_server.url + "/query")
    tag = first.headers["etag"]
    again = httpx.get(limited_server.url + "/query", headers={"if-none-match": tag})
    assert again.status_code == 304


def test_examples_read_from_the_queries_folder() -> None:
    examples = read_examples()
    assert [e.name for e in examples] == [q.name for q in discover(QUERIES_DIR)]
    assert all(e.title for e in examples)


def test_example_without_title_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "untitled.rq"
    path.write_text("# question: what?\nASK {}\n", encoding="utf-8")
    with pytest.raises(ExampleError, match=r"untitled\.rq: no `# title:` line"):
        read_example(path)


def test_unreadable_example_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.rq"
    path.write_bytes(b"# title: \xff\xfe\n")
    with pytest.raises(ExampleError, match=r"broken\.rq: cannot read the query"):
        read_example(path)
