"""Falcon shops (``shop_logic``): ``app``, WSGI under gunicorn, recorded by the SDK's WSGI
middleware and calling the upstream with requests; ``asgi_app``, ``falcon.asgi`` under uvicorn,
recorded by the ASGI middleware and calling the upstream with httpx's async client.
Run: ``gunicorn tests.e2e.apps.shop_falcon:app``, ``uvicorn tests.e2e.apps.shop_falcon:asgi_app``.
"""

from __future__ import annotations

from typing import Any

import falcon
import falcon.asgi
import httpx
import requests
from driftdiff_sdk.asgi import DriftDiffMiddleware
from driftdiff_sdk.wsgi import DriftDiffWSGIMiddleware

from tests.e2e.apps import shop_logic as shop


class Health:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = {"ok": True}


class Order:
    def on_get(self, req: falcon.Request, resp: falcon.Response, order_ref: int) -> None:
        stock = requests.get(shop.stock_url(order_ref), timeout=5).json()
        resp.media = shop.order(order_ref, stock)


class Orders:
    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        sent = shop.charge(req.get_media())
        charged = requests.post(f"{shop.UPSTREAM}/charges", json=sent, timeout=5).json()
        resp.media = shop.created(sent, charged)
        resp.status = falcon.HTTP_201


class Prices:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        currency = req.get_param("currency") or "EUR"
        rate = requests.get(
            f"{shop.UPSTREAM}/rates", params={"currency": currency}, timeout=5
        ).json()
        if shop.NEW_CALL:
            requests.get(f"{shop.UPSTREAM}/fees", timeout=5)
        resp.media = shop.price(currency, rate)


class AsyncHealth:
    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        resp.media = {"ok": True}


class AsyncOrder:
    async def on_get(
        self, req: falcon.asgi.Request, resp: falcon.asgi.Response, order_ref: int
    ) -> None:
        async with httpx.AsyncClient() as client:
            stock = (await client.get(shop.stock_url(order_ref))).json()
        resp.media = shop.order(order_ref, stock)


class AsyncOrders:
    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        sent = shop.charge(await req.get_media())
        async with httpx.AsyncClient() as client:
            charged = (await client.post(f"{shop.UPSTREAM}/charges", json=sent)).json()
        resp.media = shop.created(sent, charged)
        resp.status = falcon.HTTP_201


class AsyncPrices:
    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        currency = req.get_param("currency") or "EUR"
        async with httpx.AsyncClient() as client:
            params = {"currency": currency}
            rate = (await client.get(f"{shop.UPSTREAM}/rates", params=params)).json()
            if shop.NEW_CALL:
                await client.get(f"{shop.UPSTREAM}/fees")
        resp.media = shop.price(currency, rate)


def _routes(falcon_app: Any, resources: tuple[Any, Any, Any, Any]) -> Any:
    falcon_app.add_route("/health", resources[0])
    falcon_app.add_route("/orders/{order_ref:int}", resources[1])
    falcon_app.add_route("/orders", resources[2])
    falcon_app.add_route("/prices", resources[3])
    return falcon_app


app = DriftDiffWSGIMiddleware(
    _routes(falcon.App(), (Health(), Order(), Orders(), Prices())), service="shop-falcon"
)
asgi_app = DriftDiffMiddleware(
    _routes(falcon.asgi.App(), (AsyncHealth(), AsyncOrder(), AsyncOrders(), AsyncPrices())),
    service="shop-falcon-asgi",
)
