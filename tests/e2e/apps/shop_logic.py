"""What the Litestar, Sanic and Falcon shops answer, shared so the three differ only in their
framework: ``GET /orders/{order_ref}`` (stock from the upstream), ``POST /orders`` (a charge),
``GET /prices`` (a rate). ``SHOP_VARIANT``: ``type-changed`` (an order's ``total`` becomes a
string), ``new-call`` (prices also ask the upstream for ``/fees``, never recorded).
"""

from __future__ import annotations

import os
import uuid
from datetime import datetime, timezone
from typing import Any

UPSTREAM = os.environ.get("UPSTREAM_URL", "http://127.0.0.1:9")
VARIANT = os.environ.get("SHOP_VARIANT", "")
NEW_CALL = VARIANT == "new-call"


def stock_url(order_ref: int) -> str:
    return f"{UPSTREAM}/stock/sku-{order_ref}"


def order(order_ref: int, stock: dict[str, Any]) -> dict[str, Any]:
    total: Any = 10.5 * order_ref
    if VARIANT == "type-changed":
        total = str(total)
    return {
        "id": order_ref,
        "sku": f"sku-{order_ref}",
        "total": total,
        "in_stock": stock["available"] > 0,
        "created_at": datetime.now(timezone.utc).isoformat(),
    }


def charge(payload: dict[str, Any]) -> dict[str, Any]:
    """The charge sent upstream for a new order."""
    return {"order_id": str(uuid.uuid4()), "amount": payload["qty"] * 5}


def created(charge_sent: dict[str, Any], charged: dict[str, Any]) -> dict[str, Any]:
    return {"order_id": charge_sent["order_id"], "charge_id": charged["charge_id"]}


def price(currency: str, rate: dict[str, Any]) -> dict[str, Any]:
    return {"currency": currency, "price": round(8 * rate["rate"], 2)}
