"""`drugkg source add`: a new seed document, its text copied byte for byte beside its metadata.

The text must be UTF-8 (a byte that is not is named by its offset) and not empty; the document
id a lowercase slug no seed uses yet; the metadata must validate as `graph.pipeline.seeds.SeedMeta`
(the date as YYYY-MM-DD, the URL http(s)). Everything is checked before anything is written;
then the text is written, then its metadata, each through a temporary file renamed into place,
so an interrupted add leaves no seed (the build reads seeds by their JSON) and never a half
file.

The publisher is named by its entity when the entities graph knows it by that name (its label
or an alternative label); otherwise its slug is made from the name and the curator is told to
add the entity.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from graph.curation.entities import find_by_name, read_entities
from graph.errors import SeedError
from graph.pipeline.seeds import SLUG, SeedMeta, load_seed
from graph.vocabulary.namespace import DKID

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class AddedSource:
    """What `add_source` wrote, and what the curator still has to do."""

    json_path: Path
    text_path: Path
    characters: int
    notes: list[str]


def add_source(
    text_file: Path,
    *,
    doc_id: str,
    title: str,
    publisher: str,
    date: str,
    url: str | None,
    language: str,
    seeds_dir: Path,
    entities_dir: Path,
) -> AddedSource:
    """Check everything, then copy `text_file` into `seeds_dir` as `DOC.txt` with `DOC.json`."""
    if not re.fullmatch(SLUG, doc_id):
        raise SeedError(
            f"document id {doc_id!r} is not a lowercase slug (letters a-z, digits, single "
            "hyphens between them: e.g. 'dea-2019-threat-assessment')",
            term="--id",
        )
    if not seeds_dir.is_dir():
        raise SeedError("the seeds directory does not exist", file=seeds_dir)
    json_path, text_path = seeds_dir / f"{doc_id}.json", seeds_dir / f"{doc_id}.txt"
    for existing in (json_path, text_path):
        if existing.exists():
            raise SeedError(f"a seed {doc_id!r} exists already: nothing was written", file=existing)
    raw = _read_text_bytes(text_file)
    if not _DATE.match(date):
        raise SeedError(f"date {date!r} is not YYYY-MM-DD", term="--date")
    notes: list[str] = []
    publisher_id = _publisher_id(publisher, entities_dir, notes)
    data: dict[str, object] = {
        "id": doc_id,
        "text": text_path.name,
        "title": title,
        "publisher": publisher,
        "publisher_id": publisher_id,
        "year": int(date[:4]),
        "date": date,
        "language": language,
    }
    if url is not None:
        data["url"] = url
    _validate(data)
    metadata = (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    written: list[Path] = []
    try:
        _write_atomically(text_path, raw)
        written.append(text_path)
        _write_atomically(json_path, metadata)
        written.append(json_path)
        load_seed(json_path)  # the build reads it back as it was meant
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return AddedSource(json_path, text_path, len(raw.decode("utf-8")), notes)


def _read_text_bytes(text_file: Path) -> bytes:
    try:
        raw = text_file.read_bytes()
    except FileNotFoundError as exc:
        raise SeedError("the text file does not exist", file=text_file) from exc
    except OSError as exc:
        raise SeedError(f"cannot read the text file: {exc.strerror}", file=text_file) from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise SeedError(
            f"the text is not UTF-8: byte offset {exc.start} (0x{raw[exc.start]:02x}, on line "
            f"{line}): {exc.reason}; convert it to UTF-8 first (iconv -f ENCODING -t UTF-8): "
            "nothing was written",
            file=text_file,
            line=line,
        ) from exc
    if not text.strip():
        raise SeedError("the text file is empty", file=text_file)
    return raw


def _publisher_id(publisher: str, entities_dir: Path, notes: list[str]) -> str:
    known = find_by_name(read_entities(entities_dir), publisher)
    if known is not None and known.iri.startswith(str(DKID)):
        return known.iri.removeprefix(str(DKID))
    slug = re.sub(r"[^a-z0-9]+", "-", publisher.casefold()).strip("-")
    notes.append(
        f"no entity is named {publisher!r} in {entities_dir}: add dkid:{slug or '...'} "
        "(a dk:NewsOrganization, a government agency...) with that label before building"
    )
    return slug


def _validate(data: dict[str, object]) -> None:
    try:
        SeedMeta.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = ".".join(str(part) for part in first["loc"]) or "(document)"
        more = exc.error_count() - 1
        raise SeedError(
            f"metadata field {name!r}: {first['msg']}"
            + (f" (and {more} more problem(s))" if more else "")
            + ": nothing was written",
            term=name,
        ) from exc


def _write_atomically(path: Path, content: bytes) -> None:
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.link(temporary, path)  # fails if the file appeared meanwhile: never overwrite
    finally:
        os.unlink(temporary)
