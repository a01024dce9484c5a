"""The example shop, version 1: products, orders and a user's order history.

Instrumented with the driftdiff SDK: ``DRIFTDIFF_MODE=record`` writes every exchange (with the
upstream calls made while serving it) under ``DRIFTDIFF_TRACES_DIR``; ``DRIFTDIFF_MODE=replay``
answers those upstream calls from the recording. Without ``DRIFTDIFF_MODE`` the middleware is idle.

Run: ``SHOP_UPSTREAM_URL=http://127.0.0.1:8081 uvicorn shop_v1.app:app --app-dir examples``
"""

from __future__ import annotations

import uuid
from typing import Any

from driftdiff_sdk.asgi import DriftDiffMiddleware
from fastapi import FastAPI, HTTPException, Query
from pydantic import BaseModel, Field
from shop_common.data import PRODUCTS, USERS, Order, OrderLine, Product, Store
from shop_common.upstream import authorize_payment, stock_level

api = FastAPI(title="example shop", version="1.0.0")
store = Store.seeded()


def product_json(product: Product) -> dict[str, Any]:
    return {
        "id": product.id,
        "sku": product.sku,
        "name": product.name,
        "category": product.category,
        "price": float(product.price),
        "description": product.description,
        "tags": list(product.tags),
    }


def order_json(order: Order) -> dict[str, Any]:
    return {
        "id": order.id,
        "user_id": order.user_id,
        "status": order.status,
        "items": [
            {
                "product_id": line.product_id,
                "quantity": line.quantity,
                "unit_price": float(line.unit_price),
            }
            for line in order.lines
        ],
        "total": float(order.total),
        "currency": "EUR",
        "note": order.note,
        "payment_id": order.payment_id,
        "created_at": order.created_at,
    }


@api.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@api.get("/products")
def list_products(
    limit: int = Query(10, ge=1, le=50),
    offset: int = Query(0, ge=0),
    category: str | None = None,
) -> dict[str, Any]:
    matching = [p for p in PRODUCTS.values() if category is None or p.category == category]
    page = matching[offset : offset + limit]
    return {
        "items": [product_json(p) for p in page],
        "total": len(matching),
        "limit": limit,
        "offset": offset,
    }


@api.get("/products/{product_id}")
async def get_product(product_id: int) -> dict[str, Any]:
    product = PRODUCTS.get(product_id)
    if product is None:
        raise HTTPException(status_code=404, detail=f"product {product_id} not found")
    stock = await stock_level(product.sku)
    return {**product_json(product), "stock": stock, "in_stock": stock > 0}


class OrderItemIn(BaseModel):
    product_id: int
    quantity: int = Field(ge=1, le=100)


class OrderIn(BaseModel):
    user_id: int
    items: list[OrderItemIn] = Field(min_length=1)
    note: str | None = None


@api.post("/orders", status_code=201)
async def create_order(body: OrderIn) -> dict[str, Any]:
    if body.user_id not in USERS:
        raise HTTPException(status_code=404, detail=f"user {body.user_id} not found")
    unknown = [item.product_id for item in body.items if item.product_id not in PRODUCTS]
    if unknown:
        raise HTTPException(status_code=422, detail=f"unknown products: {unknown}")
    order_id, created_at = store.next_order_id()
    lines = [OrderLine(i.product_id, i.quantity, PRODUCTS[i.product_id].price) for i in body.items]
    order = Order(order_id, body.user_id, "pending", lines, created_at, body.note)
    payment = await authorize_payment(order.id, order.total, "EUR")
    order.payment_id = payment["id"]
    order.status = "confirmed" if payment["status"] == "authorized" else "pending"
    store.orders[order.id] = order
    return order_json(order)


@api.get("/orders/{order_id}")
def get_order(order_id: uuid.UUID) -> dict[str, Any]:
    order = store.orders.get(str(order_id))
    if order is None:
        raise HTTPException(status_code=404, detail=f"order {order_id} not found")
    return order_json(order)


@api.get("/users/{user_id}/orders")
def user_orders(user_id: int, status: str | None = None) -> dict[str, Any]:
    if user_id not in USERS:
        raise HTTPException(status_code=404, detail=f"user {user_id} not found")
    orders = [
        o
        for o in store.orders.values()
        if o.user_id == user_id and (status is None or o.status == status)
    ]
    return {"user_id": user_id, "count": len(orders), "orders": [order_json(o) for o in orders]}


app = DriftDiffMiddleware(api)
