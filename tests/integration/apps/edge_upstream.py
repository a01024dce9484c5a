"""An upstream with the HTTP edge cases the recording proxy must relay untouched.

Run: ``python -m tests.integration.apps.edge_upstream PORT``.

- ``GET /events``: Server-Sent Events; sends ``data: 1``, then waits until ``POST /release``
  (30 s at most) before ``data: 2`` and the end of the stream: a client sees the first event
  before the stream ends only when the proxy streams.
- ``HEAD /item``: ``Content-Length: 1234`` and no body.
- ``GET /empty``: 204; ``GET /cached``: 304 with an ``ETag``; neither has a ``Content-Length``.
- ``GET /headers``: the request headers it received, as JSON.
- ``GET /big``: 5 MiB of ``x`` with its length.
"""

from __future__ import annotations

import threading

from tests.stdlib_server import JsonHandler, serve

RELEASE = threading.Event()
BIG = 5 * 1024 * 1024


class Handler(JsonHandler):
    def do_HEAD(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "1234")
        self.end_headers()

    def do_GET(self) -> None:
        if self.path == "/events":
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b"data: 1\n\n")
            self.wfile.flush()
            RELEASE.wait(30)
            self.wfile.write(b"data: 2\n\n")
            self.wfile.flush()
            self.close_connection = True
        elif self.path == "/empty":
            self.send_response(204)
            self.end_headers()
        elif self.path == "/cached":
            self.send_response(304)
            self.send_header("ETag", '"v1"')
            self.end_headers()
        elif self.path == "/headers":
            self._send(200, {k.lower(): v for k, v in self.headers.items()})
        elif self.path == "/big":
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(BIG))
            self.end_headers()
            block = b"x" * 65536
            for _ in range(BIG // len(block)):
                self.wfile.write(block)
        else:
            self._send(200, {"ok": True})

    def do_POST(self) -> None:
        if self.path == "/release":
            RELEASE.set()
        length = int(self.headers.get("Content-Length") or 0)
        self._send(200, {"got": len(self.rfile.read(length))})


if __name__ == "__main__":
    serve(Handler)
