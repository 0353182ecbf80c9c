"""A rebuild writes the build's own graphs anew and keeps the datasets `drugkg load` added."""

from __future__ import annotations

from pathlib import Path

from pyoxigraph import NamedNode, Store

from graph.pipeline.build import build
from graph.settings import Settings
from graph.storage.loading import load

EXTERNAL = "http://example.org/graph/wikidata-extract"
TRIPLES = """\
<http://www.wikidata.org/entity/Q148> <http://www.w3.org/2000/01/rdf-schema#label> "China"@en .
<http://www.wikidata.org/entity/Q96> <http://www.w3.org/2000/01/rdf-schema#label> "Mexico"@en .
"""


def graph_size(settings: Settings, graph: str) -> int:
    store = Store.read_only(str(settings.store))
    return len(list(store.quads_for_pattern(None, None, None, NamedNode(graph))))


def test_a_rebuild_keeps_a_loaded_dataset(fixture_settings: Settings, tmp_path: Path) -> None:
    build(fixture_settings)
    extract = tmp_path / "extract.nt"
    extract.write_text(TRIPLES, encoding="utf-8")
    load(fixture_settings, EXTERNAL, extract)
    assert graph_size(fixture_settings, EXTERNAL) == 2

    report = build(fixture_settings)

    assert graph_size(fixture_settings, EXTERNAL) == 2
    assert report.counts[EXTERNAL] == 2
    dump = fixture_settings.dump_path.read_text(encoding="utf-8")
    assert dump.count(f"<{EXTERNAL}>") == 2


def test_a_first_build_has_no_loaded_dataset(fixture_settings: Settings) -> None:
    report = build(fixture_settings)
    assert all(graph.startswith(fixture_settings.base_iri + "graph/") for graph in report.counts)
