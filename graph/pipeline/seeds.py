"""Seed documents: verbatim source texts with their metadata, and the triples they yield.

A seed is `seeds/DOC.txt` (the verbatim text, never modified; quotes index it) and
`seeds/DOC.json` (id, text, title, subtitle, publisher, publisher_id, year, language, photo,
and optionally date and url; `drugkg source add` writes both files).
The build generates the source-document resource from them into the facts graph of that
document; the facts file adds everything else about it.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from pathlib import Path

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, ValidationError, model_validator
from pyoxigraph import Literal, NamedNode, Quad

from graph.errors import SeedError
from graph.vocabulary.namespace import DK, DKID, GRAPH, RDF, RDFS, SDO, SOURCE, XSD

SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"
"""A document id, and the local name of every dkid: IRI: lowercase kebab-case."""


class PhotoMeta(BaseModel):
    """The lead photo of a seed document."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=SLUG, description="Slug of the photo's dkid: IRI.")
    caption: str = Field(min_length=1)
    credit: str = Field(min_length=1)


class SeedMeta(BaseModel):
    """The metadata file of a seed document (`seeds/DOC.json`)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    id: str = Field(pattern=SLUG, description="The document id, equal to the file stem.")
    text: str = Field(min_length=1, description="File name of the verbatim text, beside the JSON.")
    title: str = Field(min_length=1)
    subtitle: str | None = None
    publisher: str = Field(min_length=1)
    publisher_id: str = Field(pattern=SLUG)
    year: int = Field(ge=1000, le=9999)
    language: str = Field(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]+)*$")
    photo: PhotoMeta | None = None
    date: datetime.date | None = Field(default=None, description="Day of publication.")
    url: AnyHttpUrl | None = Field(default=None, description="Where the document was published.")

    @model_validator(mode="after")
    def _year_of_date(self) -> SeedMeta:
        if self.date is not None and self.date.year != self.year:
            raise ValueError(f"'year' is {self.year} but 'date' is in {self.date.year}")
        return self


@dataclass(frozen=True)
class Seed:
    """A seed document: its metadata, its verbatim text and where both came from."""

    meta: SeedMeta
    text: str
    json_path: Path
    text_path: Path

    @property
    def doc_id(self) -> str:
        return self.meta.id

    @property
    def iri(self) -> str:
        return str(SOURCE[self.meta.id])

    @property
    def graph(self) -> NamedNode:
        return NamedNode(str(GRAPH[f"facts/{self.meta.id}"]))


def load_seed(json_path: Path) -> Seed:
    """Read and check one seed; SeedError names the file and the field that is wrong."""
    try:
        raw = json_path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SeedError(f"cannot read seed metadata: {exc.strerror}", file=json_path) from exc
    except UnicodeDecodeError as exc:
        raise SeedError("seed metadata is not UTF-8", file=json_path) from exc
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise SeedError(
            f"invalid JSON: {exc.msg}", file=json_path, line=exc.lineno, column=exc.colno
        ) from exc
    try:
        meta = SeedMeta.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "(document)"
        raise SeedError(
            f"field {field!r}: {first['msg']}"
            + (f" (and {exc.error_count() - 1} more problem(s))" if exc.error_count() > 1 else ""),
            file=json_path,
            term=field,
        ) from exc
    if meta.id != json_path.stem:
        raise SeedError(
            f"field 'id' is {meta.id!r} but the file is named {json_path.name!r}",
            file=json_path,
            term="id",
        )
    text_path = json_path.with_name(meta.text)
    if text_path.parent != json_path.parent:
        raise SeedError(
            "field 'text' must name a file beside the JSON", file=json_path, term="text"
        )
    try:  # newline="": the text as its bytes say, "\r\n" kept (offsets count every code point)
        with text_path.open(encoding="utf-8", newline="") as stream:
            text = stream.read()
    except FileNotFoundError as exc:
        raise SeedError(
            f"field 'text' names {meta.text!r}, which does not exist", file=json_path, term="text"
        ) from exc
    except UnicodeDecodeError as exc:
        raise SeedError(f"seed text is not UTF-8 (byte {exc.start})", file=text_path) from exc
    except OSError as exc:
        raise SeedError(f"cannot read seed text: {exc.strerror}", file=text_path) from exc
    if not text:
        raise SeedError("seed text is empty", file=text_path)
    return Seed(meta=meta, text=text, json_path=json_path, text_path=text_path)


def load_seeds(seeds_dir: Path) -> list[Seed]:
    """Every seed under `seeds_dir` (one per `*.json`), sorted by document id."""
    if not seeds_dir.is_dir():
        raise SeedError("the seeds directory does not exist", file=seeds_dir)
    return [load_seed(path) for path in sorted(seeds_dir.glob("*.json"))]


def seed_quads(seed: Seed) -> list[Quad]:
    """The source-document resource (and its photo) in the facts graph of the document."""
    meta, graph = seed.meta, seed.graph
    doc = NamedNode(seed.iri)
    lang = meta.language

    def q(s: NamedNode, p: object, o: NamedNode | Literal) -> Quad:
        return Quad(s, NamedNode(str(p)), o, graph)

    quads = [
        q(doc, RDF.type, NamedNode(str(DK.SourceDocument))),
        q(doc, RDFS.label, Literal(meta.title, language=lang)),
        q(doc, SDO.headline, Literal(meta.title, language=lang)),
        q(doc, DK.publishedBy, NamedNode(str(DKID[meta.publisher_id]))),
        q(doc, SDO.datePublished, Literal(str(meta.year), datatype=NamedNode(str(XSD.gYear)))),
        q(doc, SDO.inLanguage, Literal(lang)),
        q(doc, SDO.text, Literal(seed.text)),
    ]
    if meta.subtitle:
        quads.append(q(doc, SDO.alternativeHeadline, Literal(meta.subtitle, language=lang)))
    if meta.photo is not None:
        photo = NamedNode(str(DKID[meta.photo.id]))
        quads += [
            q(doc, SDO.associatedMedia, photo),
            q(photo, RDF.type, NamedNode(str(DK.Photo))),
            q(photo, SDO.caption, Literal(meta.photo.caption)),
            q(photo, SDO.creditText, Literal(meta.photo.credit)),
        ]
    return quads
