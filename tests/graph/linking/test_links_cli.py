"""`drugkg links check`, `drugkg links suggest` and `drugkg load`, on real stores."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from fixturepaths import WIKIDATA_SAMPLE
from pyoxigraph import Literal, NamedNode, Quad, Store

from graph.cli import main
from graph.errors import InputError
from graph.linking.linkset import check, read_unlinked
from graph.settings import Settings
from graph.storage.versions import write_store
from graph.vocabulary.namespace import DKID, GRAPH, RDFS

pytestmark = pytest.mark.slow
P31 = "http://www.wikidata.org/prop/direct/P31"


def test_links_check_passes_on_the_built_graph(
    built_store: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["links", "check", "--store", str(built_store.store)]) == 0
    out = capsys.readouterr().out
    assert "unlinked country https://w3id.org/drugkg/id/cuba: no verified identifier" in out


def test_links_check_reports_bad_links_and_missing_reasons(
    built_store: Settings, tmp_path: Path
) -> None:
    store = Store()
    source = Store.read_only(str(built_store.store))
    store.bulk_extend(source)
    links = NamedNode(str(GRAPH["links"]))
    same = NamedNode("http://www.w3.org/2002/07/owl#sameAs")
    store.add(Quad(NamedNode(str(DKID["cuba"])), same, NamedNode("http://example.org/cuba"), links))
    store.add(
        Quad(
            NamedNode(str(DKID["mexico"])),
            same,
            NamedNode("http://www.wikidata.org/entity/96"),
            links,
        )
    )
    unlinked = tmp_path / "unlinked.tsv"
    unlinked.write_text("beer\tno identifier\n", encoding="utf-8")
    report = check(store, "https://w3id.org/drugkg/", unlinked)
    assert not report.ok
    text = "\n".join(report.problems)
    assert "http://example.org/cuba: not a well-formed identifier" in text
    assert "http://www.wikidata.org/entity/96: not a well-formed identifier" in text
    assert "https://w3id.org/drugkg/id/wine (substance) has no link and no reason" in text


def test_a_broken_unlinked_list_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "unlinked.tsv"
    path.write_text("# comment\ncuba no tab here\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"unlinked.tsv:2: expected `slug<TAB>reason`"):
        read_unlinked(path)


def test_links_suggest_proposes_scored_candidates_and_adds_no_link(
    built_store: Settings, tmp_path: Path
) -> None:
    extract = tmp_path / "extract.nt"
    # A test-only extract: a person called "Cuba" (incompatible type) and an untyped "wine".
    extract.write_text(
        f"""<http://example.org/p1> <{RDFS.label}> "Cuba"@en .
<http://example.org/p1> <{P31}> <http://www.wikidata.org/entity/Q5> .
<http://example.org/w> <{RDFS.label}> "Wine"@en .
""",
        encoding="utf-8",
    )
    combined = tmp_path / "combined.nt"
    from pyoxigraph import RdfFormat, parse, serialize

    triples = [q.triple for q in parse(path=str(WIKIDATA_SAMPLE), format=RdfFormat.TURTLE)]
    combined.write_bytes(
        (serialize(triples, format=RdfFormat.N_TRIPLES) or b"") + extract.read_bytes()
    )
    before = len(Store.read_only(str(built_store.store)))
    review = tmp_path / "review.tsv"
    argv = ["links", "suggest", "--store", str(built_store.store), "--against", str(combined)]
    assert main([*argv, "--output", str(review)]) == 0
    with review.open(encoding="utf-8") as text:
        rows = list(csv.DictReader(text, delimiter="\t"))
    found = {(r["entity"].rsplit("/", 1)[1], r["candidate"]): r for r in rows}
    cuba = found[("cuba", "http://www.wikidata.org/entity/Q241")]
    assert float(cuba["score"]) == 1.0
    assert "type country" in cuba["why"]
    assert ("cuba", "http://example.org/p1") not in found  # a person is no country
    assert float(found[("wine", "http://example.org/w")]["score"]) < 1.0  # type unknown
    assert len(Store.read_only(str(built_store.store))) == before  # no link was added


def _small_store(tmp_path: Path) -> Settings:
    settings = Settings(store=tmp_path / "store", dump=tmp_path / "drugkg.nq")
    label = NamedNode(str(RDFS.label))
    write_store(
        settings.store,
        [Quad(NamedNode(str(DKID["x"])), label, Literal("x"), NamedNode(str(GRAPH["links"])))],
    )
    return settings


def test_load_puts_an_external_dataset_in_its_own_graph(tmp_path: Path) -> None:
    settings = _small_store(tmp_path)
    graph = "https://example.org/wikidata-sample"
    argv = ["load", "--store", str(settings.store), "--graph", graph, str(WIKIDATA_SAMPLE)]
    assert main(argv) == 0
    store = Store.read_only(str(settings.store))
    loaded = list(store.quads_for_pattern(None, None, None, NamedNode(graph)))
    assert len(loaded) == 15
    assert len(store) == 16  # the old graph is still there
    assert settings.dump_path.read_text(encoding="utf-8").count(graph) == 15
    del store
    assert main(argv) == 0  # loading again replaces the graph, never doubles it
    assert len(Store.read_only(str(settings.store))) == 16


@pytest.mark.parametrize(
    ("graph", "content", "message"),
    [
        ("https://w3id.org/drugkg/graph/links", None, "a graph the build writes"),
        ("not an iri", None, "absolute http(s) or urn IRI"),
        ("https://example.org/g", "<a> <b> .\n", "not valid"),
    ],
)
def test_load_refuses_bad_input_and_leaves_the_store(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    graph: str,
    content: str | None,
    message: str,
) -> None:
    settings = _small_store(tmp_path)
    data = tmp_path / "data.nt"
    data.write_text(content or "<http://e.org/a> <http://e.org/b> <http://e.org/c> .\n")
    before = settings.store.resolve()
    assert main(["load", "--store", str(settings.store), "--graph", graph, str(data)]) == 2
    assert message in capsys.readouterr().err
    assert settings.store.resolve() == before
