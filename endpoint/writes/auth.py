"""Who may write: the holder of the write token, sent as `Authorization: Bearer <token>`.

The token is read once at start-up from the file DRUGKG_WRITE_TOKEN_FILE names (surrounding
blanks ignored); a writable server refuses to start without one, or with one shorter than
MIN_TOKEN_CHARS. A request's token is compared with `hmac.compare_digest` (constant time, so
its timing says nothing of how much of it was right). Reads never need it. The audit names a
writer by `token_id`, a digest of the token that cannot be turned back into it.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from pathlib import Path

from endpoint.errors import ReadOnlyError, UnauthorizedError
from graph.errors import DrugkgError

MIN_TOKEN_CHARS = 32


class TokenFileError(DrugkgError):
    """A writable server without a usable token: it does not start."""


@dataclass(frozen=True)
class WriteAccess:
    """Whether this server takes writes, and the token they need."""

    token: bytes | None
    """None: the server is read-only."""

    @classmethod
    def read_only(cls) -> WriteAccess:
        return cls(None)

    @classmethod
    def from_file(cls, path: Path | None) -> WriteAccess:
        if path is None:
            raise TokenFileError(
                "a writable endpoint needs a write token: put one (at least "
                f"{MIN_TOKEN_CHARS} characters) in a file and set DRUGKG_WRITE_TOKEN_FILE"
            )
        try:
            token = path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise TokenFileError(f"cannot read the write token file {path}: {exc}") from exc
        if len(token) < MIN_TOKEN_CHARS:
            raise TokenFileError(
                f"the write token in {path} has {len(token)} characters; it needs at least "
                f"{MIN_TOKEN_CHARS} (for example `python -c 'import secrets; "
                "print(secrets.token_urlsafe(32))'`)"
            )
        return cls(token.encode())

    @property
    def writable(self) -> bool:
        return self.token is not None

    def authorise(self, authorization: str | None) -> str:
        """The writer's non-secret id, or the error that refuses the write: 403 when the
        server is read-only, 401 without the right token."""
        if self.token is None:
            raise ReadOnlyError()
        scheme, _, credentials = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not credentials.strip():
            raise UnauthorizedError(
                "this write needs the endpoint's write token: send `Authorization: Bearer <token>`"
            )
        given = credentials.strip().encode()
        if not hmac.compare_digest(given, self.token):
            raise UnauthorizedError("the write token is not valid", token_sent=True)
        return token_id(self.token)


def token_id(token: bytes) -> str:
    """A name for the token in the audit: 12 hex characters of a keyed digest."""
    return hashlib.blake2b(token, digest_size=6, person=b"drugkg-token").hexdigest()
