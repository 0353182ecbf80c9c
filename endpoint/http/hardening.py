"""The outermost layer of every response: rules that hold for every path, fast one included.

- An HTTP/1.1 request without a Host header is refused with 400, as RFC 9112 (section 3.2)
  requires: a server that guesses the host builds links and base IRIs from nothing.
- Every response carries `X-Content-Type-Options: nosniff`, so a browser never reads a
  plain-text error or an RDF document as HTML or script.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from endpoint.errors import BadRequestError, error_response

NOSNIFF = (b"x-content-type-options", b"nosniff")
_NO_HOST = "an HTTP/1.1 request must carry a Host header (RFC 9112, section 3.2)"


class Hardening:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope.get("http_version") == "1.1" and not any(
            name == b"host" for name, _ in scope["headers"]
        ):
            refused = error_response(BadRequestError(_NO_HOST))
            refused.headers[NOSNIFF[0].decode()] = NOSNIFF[1].decode()
            await refused(scope, receive, send)
            return

        async def send_nosniff(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append(NOSNIFF)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_nosniff)
