"""An aiohttp shop instrumented with the driftdiff SDK's server middleware, calling the upstream
API with aiohttp's client. ``SHOP_VARIANT`` as in ``shop_fastapi``.
Run: ``python -m tests.e2e.apps.shop_aiohttp PORT`` (aiohttp's own runner).
"""

from __future__ import annotations

import json
import os
import sys
import uuid
from datetime import datetime, timezone
from typing import Any

import aiohttp
from aiohttp import web
from driftdiff_sdk.aiohttp_server import DriftDiffAiohttpMiddleware

UPSTREAM = os.environ.get("UPSTREAM_URL", "http://127.0.0.1:9")
VARIANT = os.environ.get("SHOP_VARIANT", "")


async def _get(path: str, **params: str) -> Any:
    async with aiohttp.ClientSession() as session, session.get(UPSTREAM + path, params=params) as r:
        return await r.json()


async def health(request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


async def get_order(request: web.Request) -> web.Response:
    if VARIANT == "status-changed":
        return web.json_response({"error": "gone"}, status=404)
    order_id = int(request.match_info["order_id"])
    sku = f"sku-{order_id}"
    stock = await _get(f"/stock/{sku}")
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
    return web.json_response(order)


async def create_order(request: web.Request) -> web.Response:
    payload = await request.json()
    order_id = str(uuid.uuid4())
    charge = {"order_id": order_id, "amount": payload["qty"] * 5}
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{UPSTREAM}/charges", json=charge) as r:
            charged = await r.json()
    return web.json_response({"order_id": order_id, "charge_id": charged["charge_id"]}, status=201)


async def prices(request: web.Request) -> web.Response:
    currency = request.query.get("currency", "EUR")
    rate = await _get("/rates", currency=currency)
    if VARIANT == "new-call":
        await _get("/fees")
    return web.json_response({"currency": currency, "price": round(8 * rate["rate"], 2)})


async def order_lines(request: web.Request) -> web.StreamResponse:
    """The order's lines as one JSON document streamed in pieces (chunked)."""
    order_id = int(request.match_info["order_id"])
    stock = await _get(f"/stock/sku-{order_id}")
    response = web.StreamResponse()
    response.content_type = "application/json"
    response.enable_chunked_encoding()
    await response.prepare(request)
    await response.write(b'{"lines": [')
    for n in range(order_id):
        line = {"n": n, "sku": f"sku-{order_id}", "available": stock["available"]}
        await response.write((", " if n else "").encode() + json.dumps(line).encode())
    await response.write_eof(b"]}")
    return response


async def import_orders(request: web.Request) -> web.Response:
    """Reads the upload from ``request.content`` itself, a few bytes at a time."""
    data = bytearray()
    async for chunk in request.content.iter_chunked(16):
        data += chunk
    return web.json_response({"imported": len(json.loads(data)["orders"])}, status=201)


def make_app() -> web.Application:
    app = web.Application(middlewares=[DriftDiffAiohttpMiddleware(service="shop-aiohttp")])
    app.router.add_get("/health", health)
    app.router.add_get(r"/orders/{order_id:\d+}", get_order)
    app.router.add_post("/orders", create_order)
    app.router.add_get("/prices", prices)
    app.router.add_get(r"/orders/{order_id:\d+}/lines", order_lines)
    app.router.add_post("/imports", import_orders)
    return app


if __name__ == "__main__":
    # SIGTERM ends run_app cleanly: atexit flushes the SDK's trace writer
    web.run_app(make_app(), host="127.0.0.1", port=int(sys.argv[1]), print=None)
