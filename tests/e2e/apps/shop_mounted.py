"""The shop of ``shop_logic`` behind prefixes, under uvicorn: ``starlette_app`` serves it from
nested Starlette ``Mount``s, ``fastapi_app`` from routers included with prefixes (nested too).
Both answer ``GET /v1/orders/{order_ref}``, ``POST /v1/orders`` and ``GET /v1/quotes/prices``
(``/health`` at the root), calling the upstream with httpx's async client.
Run: ``uvicorn tests.e2e.apps.shop_mounted:starlette_app`` (or ``:fastapi_app``).
"""

from __future__ import annotations

from typing import Any

import httpx
from driftdiff_sdk.asgi import DriftDiffMiddleware
from fastapi import APIRouter, FastAPI
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route

from tests.e2e.apps import shop_logic as shop


async def _stock(order_ref: int) -> dict[str, Any]:
    async with httpx.AsyncClient() as client:
        stock: dict[str, Any] = (await client.get(shop.stock_url(order_ref))).json()
    return shop.order(order_ref, stock)


async def _create(payload: dict[str, Any]) -> dict[str, Any]:
    sent = shop.charge(payload)
    async with httpx.AsyncClient() as client:
        charged = (await client.post(f"{shop.UPSTREAM}/charges", json=sent)).json()
    return shop.created(sent, charged)


async def _price(currency: str) -> dict[str, Any]:
    async with httpx.AsyncClient() as client:
        rate = (await client.get(f"{shop.UPSTREAM}/rates", params={"currency": currency})).json()
        if shop.NEW_CALL:
            await client.get(f"{shop.UPSTREAM}/fees")
    return shop.price(currency, rate)


async def _health(_: Request) -> JSONResponse:
    return JSONResponse({"ok": True})


async def _get_order(request: Request) -> JSONResponse:
    return JSONResponse(await _stock(int(request.path_params["order_ref"])))


async def _post_order(request: Request) -> JSONResponse:
    return JSONResponse(await _create(await request.json()), status_code=201)


async def _prices(request: Request) -> JSONResponse:
    return JSONResponse(await _price(request.query_params.get("currency", "EUR")))


starlette_app = DriftDiffMiddleware(
    Starlette(
        routes=[
            Route("/health", _health),
            Mount(
                "/v1",
                routes=[
                    Route("/orders/{order_ref:int}", _get_order),
                    Route("/orders", _post_order, methods=["POST"]),
                    Mount("/quotes", routes=[Route("/prices", _prices)]),
                ],
            ),
        ]
    ),
    service="shop-starlette-mounts",
)

orders = APIRouter(prefix="/orders")


@orders.get("/{order_ref}")
async def get_order(order_ref: int) -> dict[str, Any]:
    return await _stock(order_ref)


@orders.post("", status_code=201)
async def create_order(payload: dict[str, Any]) -> dict[str, Any]:
    return await _create(payload)


prices = APIRouter()


@prices.get("/prices")
async def get_prices(currency: str = "EUR") -> dict[str, Any]:
    return await _price(currency)


quotes = APIRouter(prefix="/quotes")
quotes.include_router(prices)
api = FastAPI()
api.include_router(orders, prefix="/v1")
api.include_router(quotes, prefix="/v1")


@api.get("/health")
async def health() -> dict[str, bool]:
    return {"ok": True}


fastapi_app = DriftDiffMiddleware(api, service="shop-fastapi-prefixes")
