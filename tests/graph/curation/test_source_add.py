"""`drugkg source add`: the text copied byte for byte with metadata the build reads; every
refusal exits 2 naming what is wrong and writes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from curation_support import Run, run

from graph.pipeline.seeds import load_seed

TEXT = "Fentanyl crosses the border.\r\nA second “line”, with a non-breaking\u00a0space.\n"


def _add(env: dict[str, str], text_file: Path, doc_id: str = "new-doc", **options: str) -> Run:
    metadata = {"title": "A new document", "publisher": "Fixture Press", "date": "2019-02-03"}
    metadata.update(options)
    args = [f"--{k}={v}" for k, v in metadata.items()]
    return run(env, "source", "add", str(text_file), "--id", doc_id, *args)


def _seeds(env: dict[str, str]) -> list[str]:
    return sorted(p.name for p in Path(env["DRUGKG_SEEDS_DIR"]).iterdir())


def test_add_copies_the_bytes_and_writes_metadata_the_build_reads(
    fixture_env: dict[str, str], tmp_path: Path
) -> None:
    text_file = tmp_path / "in.txt"
    text_file.write_bytes(TEXT.encode("utf-8"))
    done = _add(fixture_env, text_file, url="https://example.org/new")
    assert done.code == 0, done.err
    seeds = Path(fixture_env["DRUGKG_SEEDS_DIR"])
    assert (seeds / "new-doc.txt").read_bytes() == text_file.read_bytes()
    data = json.loads((seeds / "new-doc.json").read_text(encoding="utf-8"))
    assert data == {
        "id": "new-doc",
        "text": "new-doc.txt",
        "title": "A new document",
        "publisher": "Fixture Press",
        "publisher_id": "fixture-press",  # the entity labelled so
        "year": 2019,
        "date": "2019-02-03",
        "language": "en",
        "url": "https://example.org/new",
    }
    seed = load_seed(seeds / "new-doc.json")
    assert seed.meta.publisher_id == "fixture-press"
    assert "note:" not in done.err


def test_an_unknown_publisher_gets_a_slug_and_a_note(
    fixture_env: dict[str, str], tmp_path: Path
) -> None:
    text_file = tmp_path / "in.txt"
    text_file.write_text("Some text.", encoding="utf-8")
    done = _add(fixture_env, text_file, publisher="The Daily Fixture")
    assert done.code == 0, done.err
    data = json.loads(Path(fixture_env["DRUGKG_SEEDS_DIR"], "new-doc.json").read_text())
    assert data["publisher_id"] == "the-daily-fixture"
    assert "no entity is named 'The Daily Fixture'" in done.err
    assert "dkid:the-daily-fixture" in done.err


@pytest.mark.parametrize(
    ("doc_id", "options", "message"),
    [
        ("fixture-doc", {}, "a seed 'fixture-doc' exists already"),
        ("New_Doc", {}, "document id 'New_Doc' is not a lowercase slug"),
        ("new--doc", {}, "is not a lowercase slug"),
        ("new-doc", {"date": "2019-02-30"}, "metadata field 'date'"),
        ("new-doc", {"date": "3 February 2019"}, "date '3 February 2019' is not YYYY-MM-DD"),
        ("new-doc", {"url": "not a url"}, "metadata field 'url'"),
        ("new-doc", {"title": ""}, "metadata field 'title'"),
        ("new-doc", {"language": "English"}, "metadata field 'language'"),
    ],
)
def test_bad_ids_and_metadata_are_refused_and_nothing_is_written(
    fixture_env: dict[str, str], tmp_path: Path, doc_id: str, options: dict[str, str], message: str
) -> None:
    text_file = tmp_path / "in.txt"
    text_file.write_text("Some text.", encoding="utf-8")
    before = _seeds(fixture_env)
    original = Path(fixture_env["DRUGKG_SEEDS_DIR"], "fixture-doc.txt").read_bytes()
    done = _add(fixture_env, text_file, doc_id, **options)
    assert done.code == 2
    assert message in done.err
    assert len(done.err.strip().splitlines()) == 1, done.err
    assert _seeds(fixture_env) == before
    assert Path(fixture_env["DRUGKG_SEEDS_DIR"], "fixture-doc.txt").read_bytes() == original


def test_a_text_that_is_not_utf8_is_refused_with_its_byte_offset(
    fixture_env: dict[str, str], tmp_path: Path
) -> None:
    text_file = tmp_path / "latin1.txt"
    text_file.write_bytes("Line one.\nCaf\u00e9 au lait.".encode("latin-1"))
    before = _seeds(fixture_env)
    done = _add(fixture_env, text_file)
    assert done.code == 2
    assert f"{text_file}:2: the text is not UTF-8: byte offset 13 (0xe9, on line 2)" in done.err
    assert _seeds(fixture_env) == before


def test_an_empty_or_missing_text_is_refused(fixture_env: dict[str, str], tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text(" \n", encoding="utf-8")
    assert "the text file is empty" in _add(fixture_env, empty).err
    missing = _add(fixture_env, tmp_path / "missing.txt")
    assert missing.code == 2
    assert "the text file does not exist" in missing.err
    assert "new-doc.json" not in _seeds(fixture_env)


def test_the_seeds_directory_setting_is_respected(
    fixture_env: dict[str, str], tmp_path: Path
) -> None:
    elsewhere = tmp_path / "other-seeds"
    elsewhere.mkdir()
    text_file = tmp_path / "in.txt"
    text_file.write_text("Some text.", encoding="utf-8")
    done = _add({**fixture_env, "DRUGKG_SEEDS_DIR": str(elsewhere)}, text_file)
    assert done.code == 0, done.err
    assert sorted(p.name for p in elsewhere.iterdir()) == ["new-doc.json", "new-doc.txt"]
    assert "new-doc.json" not in _seeds(fixture_env)


def test_the_build_reads_the_text_as_its_bytes_say(
    fixture_env: dict[str, str], tmp_path: Path
) -> None:
    """Quote offsets count the code points of the file: a CR LF is two, not one newline."""
    text_file = tmp_path / "in.txt"
    text_file.write_bytes(TEXT.encode("utf-8"))
    assert _add(fixture_env, text_file).code == 0
    seed = load_seed(Path(fixture_env["DRUGKG_SEEDS_DIR"], "new-doc.json"))
    assert seed.text == TEXT
