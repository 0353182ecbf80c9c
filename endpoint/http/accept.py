"""The one Accept parser of the endpoint: an Accept header as media ranges with q-values.

Content negotiation at /sparql (`endpoint.sparql.negotiation`), HTML or RDF at a linked-data
IRI (`endpoint.linkeddata.negotiation`) and the form of an error's body (`endpoint.errors`)
all read the header here (RFC 9110, section 12.5.1).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class MediaRange:
    type: str
    subtype: str
    q: float
    order: int

    @property
    def media_type(self) -> str:
        return f"{self.type}/{self.subtype}"

    def matches(self, media_type: str) -> int:
        """-1 if this range does not cover media_type, else its specificity (0, 1 or 2)."""
        kind, _, sub = media_type.partition("/")
        if self.type == "*":
            return 0 if self.subtype == "*" else -1
        if self.type != kind:
            return -1
        if self.subtype == "*":
            return 1
        return 2 if self.subtype == sub else -1


def parse_accept(header: str) -> list[MediaRange]:
    """The media ranges of an Accept header with their q-values (clamped to 0..1), in order."""
    ranges: list[MediaRange] = []
    for order, item in enumerate(header.split(",")):
        parts = [p.strip() for p in item.split(";")]
        media = parts[0].lower()
        if not media:
            continue
        kind, slash, sub = media.partition("/")
        if not slash:
            if media == "*":  # a bare `*` is sent by some old clients for "anything"
                kind, sub = "*", "*"
            else:
                continue
        q = 1.0
        for param in parts[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        ranges.append(MediaRange(kind, sub, q, order))
    return ranges


def wants_json(accept: str | None) -> bool:
    """Whether a client asks for JSON (any `*json` type it accepts) and not for plain text: it
    then gets an error, or a write's account, as a JSON object."""
    if not accept:
        return False
    ranges = parse_accept(accept)
    json = any(r.subtype.endswith("json") and r.q > 0 for r in ranges)
    return json and not any(r.media_type == "text/plain" for r in ranges)
