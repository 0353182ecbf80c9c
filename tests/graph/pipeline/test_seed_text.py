"""The seed documents are verbatim copies of the shared sources, with their metadata."""

import json
from pathlib import Path

import pytest

from graph.paths import SEEDS_DIR

SEEDS = sorted(SEEDS_DIR.glob("*.json"))


@pytest.mark.parametrize("metadata", SEEDS, ids=[p.stem for p in SEEDS])
def test_seed_is_a_verbatim_copy_of_the_shared_source(metadata: Path, shared_dir: Path) -> None:
    meta = json.loads(metadata.read_text(encoding="utf-8"))
    ours = (SEEDS_DIR / meta["text"]).read_bytes()
    theirs = (shared_dir / "seeds" / meta["shared_name"]).read_bytes()
    assert ours == theirs


@pytest.mark.parametrize("metadata", SEEDS, ids=[p.stem for p in SEEDS])
def test_seed_metadata_matches_its_text(metadata: Path) -> None:
    meta = json.loads(metadata.read_text(encoding="utf-8"))
    text = (SEEDS_DIR / meta["text"]).read_text(encoding="utf-8")
    assert meta["id"] == metadata.stem
    assert text.startswith(meta["title"])
    for field in (meta["subtitle"], meta["photo"]["caption"], f"({meta['photo']['credit']})"):
        assert field in text
    assert meta["publisher"] == "ThinkProgress"
    assert meta["year"] == 2017
