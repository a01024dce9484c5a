"""A tiny real upstream HTTP API (stdlib only) that the shop apps call: rates, stock, charges.

Run: ``python -m tests.e2e.apps.upstream PORT``.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone
from urllib.parse import parse_qs, urlsplit

from tests.stdlib_server import JsonHandler, serve


class Handler(JsonHandler):
    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path == "/rates":
            currency = parse_qs(url.query).get("currency", ["EUR"])[0]
            now = datetime.now(timezone.utc).isoformat()
            self._send(200, {"currency": currency, "rate": 1.25, "as_of": now})
        elif url.path.startswith("/stock/"):
            sku = url.path.rsplit("/", 1)[1]
            self._send(200, {"sku": sku, "available": len(sku) * 3})
        elif url.path == "/fees":
            self._send(200, {"fee": 0.5})
        else:
            self._send(404, {"error": "not found"})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        payload = json.loads(self.rfile.read(length) or b"{}")
        if self.path == "/charges":
            self._send(
                201,
                {
                    "charge_id": str(uuid.uuid4()),
                    "status": "captured",
                    "amount": payload.get("amount"),
                },
            )
        else:
            self._send(404, {"error": "not found"})


if __name__ == "__main__":
    serve(Handler)
