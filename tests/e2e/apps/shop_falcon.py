"""A Falcon WSGI shop (``shop_logic``) under gunicorn, recorded by the SDK's WSGI middleware,
calling the upstream with requests.
Run: ``gunicorn tests.e2e.apps.shop_falcon:app``.
"""

from __future__ import annotations

from typing import Any

import falcon
import requests
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


def _app() -> Any:
    falcon_app = falcon.App()
    falcon_app.add_route("/health", Health())
    falcon_app.add_route("/orders/{order_ref:int}", Order())
    falcon_app.add_route("/orders", Orders())
    falcon_app.add_route("/prices", Prices())
    return falcon_app


app = DriftDiffWSGIMiddleware(_app(), service="shop-falcon")
