"""A FastAPI shop instrumented with the driftdiff SDK, calling the upstream API with httpx.

``SHOP_VARIANT`` selects a changed build: ``field-removed`` (orders lose ``total``),
``type-changed`` (``total`` becomes a string), ``status-changed`` (orders answer 404),
``new-call`` (prices also call an upstream endpoint never recorded), ``raw-socket`` (prices open
a TCP connection no instrumentation covers), ``crash`` (order 3 kills the process), ``slow``
(prices take 1.5 s: past a 1 s replay timeout, and no longer than that needs).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import uuid
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

import httpx
from driftdiff_sdk.asgi import DriftDiffMiddleware
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

UPSTREAM = os.environ.get("UPSTREAM_URL", "http://127.0.0.1:9")
VARIANT = os.environ.get("SHOP_VARIANT", "")

api = FastAPI()


@api.get("/health")
async def health() -> dict[str, bool]:
    return {"ok": True}


@api.get("/orders/{order_id}")
async def get_order(order_id: int, request: Request) -> Any:
    if VARIANT == "crash" and order_id == 3:
        os._exit(3)
    if VARIANT == "status-changed":
        return JSONResponse({"error": "gone"}, status_code=404)
    sku = f"sku-{order_id}"
    async with httpx.AsyncClient() as client:
        stock = (await client.get(f"{UPSTREAM}/stock/{sku}")).json()
    total: Any = 10.5 * order_id
    order = {
        "id": order_id,
        "sku": sku,
        "total": total,
        "in_stock": stock["available"] > 0,
        "items": [{"sku": sku, "qty": 1, "line_id": str(uuid.uuid4())}],
        "created_at": datetime.now(timezone.utc).isoformat(),
        "next_url": f"{str(request.base_url).rstrip('/')}/orders/{order_id + 1}",
    }
    if VARIANT == "field-removed":
        del order["total"]
    elif VARIANT == "type-changed":
        order["total"] = str(total)
    return order


@api.get("/prices")
async def prices(currency: str = "EUR") -> dict[str, Any]:
    if VARIANT == "slow":
        await asyncio.sleep(1.5)
    async with httpx.AsyncClient() as client:
        rate = (await client.get(f"{UPSTREAM}/rates", params={"currency": currency})).json()
        if VARIANT == "new-call":
            await client.get(f"{UPSTREAM}/fees")
    if VARIANT == "raw-socket":
        parts = urlsplit(UPSTREAM)
        with contextlib.suppress(OSError):
            socket.create_connection((parts.hostname, parts.port or 80), timeout=1).close()
    return {"currency": currency, "price": round(8 * rate["rate"], 2), "as_of": rate["as_of"]}


@api.post("/orders", status_code=201)
async def create_order(payload: dict[str, Any]) -> dict[str, Any]:
    order_id = str(uuid.uuid4())
    async with httpx.AsyncClient() as client:
        charge = (
            await client.post(
                f"{UPSTREAM}/charges", json={"order_id": order_id, "amount": payload["qty"] * 5}
            )
        ).json()
    return {"order_id": order_id, "charge_id": charge["charge_id"], "status": "created"}


@api.get("/report.txt")
async def report() -> Response:
    return Response("orders: 3\nrevenue: 31.5\n", media_type="text/plain")


@api.get("/logo.png")
async def logo() -> Response:
    return Response(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", media_type="image/png")


@api.get("/old-orders/{order_id}")
async def moved(order_id: int) -> Response:
    return RedirectResponse(f"/orders/{order_id}", status_code=307)


app = DriftDiffMiddleware(api, service="shop-fastapi")
