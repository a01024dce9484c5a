"""A tiny items API (stdlib only) for the ``generate`` test; ``CHANGED=1`` makes prices strings.

Run: ``python -m tests.e2e.apps.items PORT``.
"""

from __future__ import annotations

import json
import os
import uuid

from tests.stdlib_server import JsonHandler, serve

CHANGED = os.environ.get("CHANGED") == "1"


class Handler(JsonHandler):
    def do_GET(self) -> None:
        parts = self.path.split("?")[0].strip("/").split("/")
        if parts[0] == "items" and len(parts) == 2:
            item: dict[str, object] = {"id": int(parts[1]), "ref": str(uuid.uuid4()), "price": 9.5}
            if CHANGED:
                item["price"] = "9.50"
            self._send(200, item)
        else:
            self._send(404, {"error": "not found"})

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self._send(201, {"id": 99, "name": body["name"]})


if __name__ == "__main__":
    serve(Handler)
