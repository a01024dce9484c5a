"""A tiny users API (stdlib only) behind the recording proxy in ``test_proxy``.

Run: ``python -m tests.integration.apps.users_api PORT``.
"""

from __future__ import annotations

import json

from tests.stdlib_server import JsonHandler, serve


class Handler(JsonHandler):
    def do_GET(self) -> None:
        if self.path.startswith("/users/"):
            self._send(
                200,
                {
                    "id": int(self.path.split("/")[2].split("?")[0]),
                    "email": "jane.doe@corp.example",
                    "name": "Jane",
                },
            )
        else:
            self._send(404, {"error": "not found"})

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self._send(201, {"received": json.loads(body)})


if __name__ == "__main__":
    serve(Handler)
