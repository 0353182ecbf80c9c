"""The query page's routes over HTTP: the page, its configuration and its static files.

The server is a live one (`limited_server` of conftest); the browser tests in tests/browser
drive the page itself.
"""

from __future__ import annotations

import json
from html import unescape
from pathlib import Path

import httpx
import pytest
from liveservers import LiveServer
from vendored import require

from bench.competency import discover
from endpoint.querypage.page import (
    YASGUI_DIR,
    ExampleError,
    page_config,
    query_page,
    read_example,
    read_examples,
    yasgui,
)
from endpoint.sparql.negotiation import TABLE, ResultKind
from graph.paths import QUERIES_DIR
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
        assert question.title in unescape(response.text)
        if "'" in question.title:
            assert question.title not in response.text  # escaped in the markup
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
    for kind in ResultKind:
        assert [f["name"] for f in config["formats"][kind.value]] == [
            r.names[0] for r in TABLE[kind]
        ]


PINNED = json.loads(
    (Path(__file__).resolve().parents[3] / "package.json").read_text(encoding="utf-8")
)["dependencies"]


def test_yasgui_is_served_by_the_server_at_its_pinned_release(limited_server: LiveServer) -> None:
    require(YASGUI_DIR, "@triply/yasgui")
    config = httpx.get(limited_server.url + "/query.json").json()["yasgui"]
    assert config["version"] == PINNED["@triply/yasgui"]
    page = httpx.get(limited_server.url + "/query").text
    assert f'<script src="{config["js"]}"></script>' in page
    assert f'<link rel="stylesheet" href="{config["css"]}">' in page
    assert "cdn" not in page.lower()
    assert "cdn" not in json.dumps(config).lower()
    for url, media in ((config["js"], "javascript"), (config["css"], "text/css")):
        assert url.startswith("/static/yasgui/")
        response = httpx.get(limited_server.url + url)
        assert response.status_code == 200
        assert media in response.headers["content-type"]
        assert len(response.content) > 10_000


def test_without_yasgui_files_the_page_keeps_its_built_in_editor(tmp_path: Path) -> None:
    assert yasgui(tmp_path) is None
    (tmp_path / "package.json").write_text('{"version": "4.2.28"}', encoding="utf-8")
    assert yasgui(tmp_path) is None  # the scripts themselves are missing
    config = {**page_config("https://w3id.org/drugkg/"), "yasgui": None}
    page = query_page(config)
    assert "yasgui" not in page
    assert "built-in editor" in page
    assert '<script src="/static/query/query.js"></script>' in page


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
    assert sorted(e.name for e in examples) == sorted(q.name for q in discover(QUERIES_DIR))
    assert all(e.title for e in examples)


def test_gallery_leads_with_what_a_reader_asks_first() -> None:
    examples = read_examples()
    assert examples[0].name == "fentanyl-supply-routes"
    orders = [e.order for e in examples]
    assert None not in orders, "every competency question says where it stands"
    assert orders == sorted(orders)
    assert len(set(orders)) == len(orders)


def test_gallery_order_and_unordered_questions(tmp_path: Path) -> None:
    (tmp_path / "a.rq").write_text("# title: A\nASK {}\n", encoding="utf-8")
    (tmp_path / "b.rq").write_text("# title: B\n# order: 2\nASK {}\n", encoding="utf-8")
    (tmp_path / "c.rq").write_text("# title: C\n# order: 1\nASK {}\n", encoding="utf-8")
    assert [e.name for e in read_examples(tmp_path)] == ["c", "b", "a"]


def test_example_with_an_order_that_is_no_number_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "odd.rq"
    path.write_text("# title: Odd\n# order: first\nASK {}\n", encoding="utf-8")
    with pytest.raises(ExampleError, match=r"odd\.rq: `# order: first` is not a whole number"):
        read_example(path)


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
