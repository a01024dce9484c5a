"""The tests' fake HTTP services: stdlib ``http.server``, quiet, HTTP/1.1, JSON answers.

Subclass :class:`JsonHandler`, answer with ``self._send(status, payload)``, and run it with
``serve(Handler)`` on ``127.0.0.1:PORT`` (``PORT`` from the command line), one thread a request.
"""

from __future__ import annotations

import contextlib
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class JsonHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        pass

    def _send(self, status: int, payload: object, ctype: str = "application/json") -> None:
        """``payload`` as JSON (bytes are sent as they are), with its length; no body on HEAD."""
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def serve(handler: type[BaseHTTPRequestHandler]) -> None:
    """Serve ``handler`` on ``127.0.0.1:<argv[1]>`` until interrupted."""
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), handler)
    server.daemon_threads = True
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
