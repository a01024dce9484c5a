"""A Flask shop instrumented with the driftdiff SDK, calling the upstream API with requests.

``SHOP_VARIANT`` as in ``shop_fastapi``. Run: ``python -m tests.e2e.apps.shop_flask PORT``.
"""

from __future__ import annotations

import os
import signal
import sys
import uuid
from datetime import datetime, timezone
from typing import Any

import requests
from driftdiff_sdk.wsgi import DriftDiffWSGIMiddleware
from flask import Flask, jsonify, request

UPSTREAM = os.environ.get("UPSTREAM_URL", "http://127.0.0.1:9")
VARIANT = os.environ.get("SHOP_VARIANT", "")

flask_app = Flask(__name__)


@flask_app.get("/health")
def health() -> Any:
    return {"ok": True}


@flask_app.get("/orders/<int:order_id>")
def get_order(order_id: int) -> Any:
    if VARIANT == "status-changed":
        return jsonify(error="gone"), 404
    sku = f"sku-{order_id}"
    stock = requests.get(f"{UPSTREAM}/stock/{sku}", timeout=5).json()
    order: dict[str, Any] = {
        "id": order_id,
        "sku": sku,
        "total": 10.5 * order_id,
        "in_stock": stock["available"] > 0,
        "created_at": datetime.now(timezone.utc).isoformat(),
        "trace": str(uuid.uuid4()),
    }
    if VARIANT == "field-removed":
        del order["total"]
    elif VARIANT == "type-changed":
        order["total"] = str(order["total"])
    elif VARIANT == "deprecated":  # RFC 9745 / RFC 8594, a sunset long past
        return order, 200, {"Deprecation": "@946684800", "Sunset": "Mon, 31 Jan 2000 00:00:00 GMT"}
    return order


@flask_app.post("/orders")
def create_order() -> Any:
    payload = request.get_json()
    order_id = str(uuid.uuid4())
    charge = requests.post(
        f"{UPSTREAM}/charges", json={"order_id": order_id, "amount": payload["qty"] * 5}, timeout=5
    )
    return {"order_id": order_id, "charge_id": charge.json()["charge_id"]}, 201


@flask_app.get("/prices")
def prices() -> Any:
    currency = request.args.get("currency", "EUR")
    rate = requests.get(f"{UPSTREAM}/rates", params={"currency": currency}, timeout=5).json()
    if VARIANT == "new-call":
        requests.get(f"{UPSTREAM}/fees", timeout=5)
    return {"currency": currency, "price": round(8 * rate["rate"], 2)}


app = DriftDiffWSGIMiddleware(flask_app, service="shop-flask")


def _stop(signum: int, frame: object) -> None:
    sys.exit(0)  # a clean exit runs atexit, which flushes the SDK's trace writer


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _stop)
    from werkzeug.serving import run_simple

    run_simple("127.0.0.1", int(sys.argv[1]), app, threaded=True)
