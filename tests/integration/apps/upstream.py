"""A tiny upstream dependency for the SDK tests: stdlib ``http.server``, one thread per request.

``python -m tests.integration.apps.upstream PORT``. Every answer echoes what it received so a
test can tell which inbound exchange an outbound call belonged to.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

from tests.stdlib_server import JsonHandler, serve


class Handler(JsonHandler):
    def _answer(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if parts.path == "/health":
            self._send(200, {"ok": True})
        elif parts.path.startswith("/items/"):
            self._send(
                200,
                {
                    "id": parts.path.rsplit("/", 1)[1],
                    "tag": query.get("tag"),
                    "owner_email": "owner@example.com",
                    "price": 12.5,
                },
            )
        elif parts.path == "/echo":
            try:
                received = json.loads(raw) if raw else None
            except ValueError:
                received = raw.decode("latin-1")
            self._send(200, {"method": self.command, "tag": query.get("tag"), "received": received})
        elif parts.path == "/binary":
            self._send(200, bytes(range(256)), "application/octet-stream")
        elif parts.path == "/missing":
            self._send(404, {"error": "not found"})
        else:
            self._send(404, {"error": parts.path})

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _answer


if __name__ == "__main__":
    serve(Handler)
