"""ETags and caching headers: the store is read-only, so an answer changes only with a build.

Every ETag starts with the store's build id (the versioned directory the store symlink points
at), so a new build invalidates every cached answer. ETags are weak (W/): gzip may change the
bytes, never the meaning. GET answers are cacheable for `cache_max_age` seconds and are
revalidated with If-None-Match (304 Not Modified, the query is not run again).
"""

from __future__ import annotations

import hashlib

from starlette.responses import Response


def etag(build_id: str, *parts: str | None) -> str:
    digest = hashlib.blake2b(digest_size=12)
    for part in parts:
        digest.update(b"\x00" if part is None else part.encode() + b"\x01")
    return f'W/"{build_id}-{digest.hexdigest()}"'


def matches(header: str | None, tag: str) -> bool:
    """Whether an If-None-Match header value names `tag` (weak comparison)."""
    if not header:
        return False
    wanted = tag.removeprefix("W/")
    for candidate in header.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == wanted:
            return True
    return False


def cache_headers(tag: str, max_age: int) -> dict[str, str]:
    return {"etag": tag, "cache-control": f"public, max-age={max_age}"}


def not_modified(headers: dict[str, str]) -> Response:
    return Response(status_code=304, headers=headers)
