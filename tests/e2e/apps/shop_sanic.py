"""A Sanic shop (``shop_logic``) under Sanic's own server, recorded through
``driftdiff_sdk.sanic_server.install``, calling the upstream with httpx's async client.
Run: ``python -m tests.e2e.apps.shop_sanic PORT``.
"""

from __future__ import annotations

import sys

import httpx
from driftdiff_sdk.sanic_server import install
from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, json

from tests.e2e.apps import shop_logic as shop

app = Sanic("shop_sanic")


@app.get("/health")
async def health(request: Request) -> HTTPResponse:
    return json({"ok": True})


@app.get("/orders/<order_ref:int>")
async def get_order(request: Request, order_ref: int) -> HTTPResponse:
    async with httpx.AsyncClient() as client:
        stock = (await client.get(shop.stock_url(order_ref))).json()
    return json(shop.order(order_ref, stock))


@app.post("/orders")
async def create_order(request: Request) -> HTTPResponse:
    sent = shop.charge(request.json)
    async with httpx.AsyncClient() as client:
        charged = (await client.post(f"{shop.UPSTREAM}/charges", json=sent)).json()
    return json(shop.created(sent, charged), status=201)


@app.get("/prices")
async def prices(request: Request) -> HTTPResponse:
    currency = request.args.get("currency", "EUR")
    async with httpx.AsyncClient() as client:
        rate = (await client.get(f"{shop.UPSTREAM}/rates", params={"currency": currency})).json()
        if shop.NEW_CALL:
            await client.get(f"{shop.UPSTREAM}/fees")
    return json(shop.price(currency, rate))


install(app, service="shop-sanic")

if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(sys.argv[1]), single_process=True, access_log=False)
