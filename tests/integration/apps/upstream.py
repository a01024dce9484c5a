"""A tiny upstream dependency for the SDK tests: stdlib ``http.server``, one thread per request.

``python -m tests.integration.apps.upstream PORT``. Every answer echoes what it received so a
test can tell which inbound exchange an outbound call belonged to.
"""

from __future__ import annotations

import contextlib
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        pass

    def _send(self, status: int, payload: object, ctype: str = "application/json") -> None:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _answer(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if parts.path == "/health":
            self._send(200, {"ok": True})
        elif parts.path.startswith("/items/"):
            self._send(200, {"id": parts.path.rsplit("/", 1)[1], "tag": query.get("tag"),
                             "owner_email": "owner@example.com", "price": 12.5})
        elif parts.path == "/echo":
            try:
                received = json.loads(raw) if raw else None
            except ValueError:
                received = raw.decode("latin-1")
            self._send(200, {"method": self.command, "tag": query.get("tag"),
                             "received": received})
        elif parts.path == "/binary":
            self._send(200, bytes(range(256)), "application/octet-stream")
        elif parts.path == "/missing":
            self._send(404, {"error": "not found"})
        else:
            self._send(404, {"error": parts.path})

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _answer


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
    server.daemon_threads = True
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
