"""A Litestar shop (``shop_logic``) under uvicorn, recorded by the SDK's ASGI middleware, calling
the upstream with httpx's async client.
Run: ``uvicorn tests.e2e.apps.shop_litestar:app``.
"""

from __future__ import annotations

from typing import Any

import httpx
from driftdiff_sdk.asgi import DriftDiffMiddleware
from litestar import Litestar, get, post

from tests.e2e.apps import shop_logic as shop


@get("/health", sync_to_thread=False)
def health() -> dict[str, bool]:
    return {"ok": True}


@get("/orders/{order_ref:int}")
async def get_order(order_ref: int) -> dict[str, Any]:
    async with httpx.AsyncClient() as client:
        stock = (await client.get(shop.stock_url(order_ref))).json()
    return shop.order(order_ref, stock)


@post("/orders", status_code=201)
async def create_order(data: dict[str, Any]) -> dict[str, Any]:
    sent = shop.charge(data)
    async with httpx.AsyncClient() as client:
        charged = (await client.post(f"{shop.UPSTREAM}/charges", json=sent)).json()
    return shop.created(sent, charged)


@get("/prices")
async def prices(currency: str = "EUR") -> dict[str, Any]:
    async with httpx.AsyncClient() as client:
        rate = (await client.get(f"{shop.UPSTREAM}/rates", params={"currency": currency})).json()
        if shop.NEW_CALL:
            await client.get(f"{shop.UPSTREAM}/fees")
    return shop.price(currency, rate)


app = DriftDiffMiddleware(
    Litestar([health, get_order, create_order, prices]), service="shop-litestar"
)
