"""The shop's outbound dependency: the inventory and payments API in ``examples/upstream``.

Its base URL comes from ``SHOP_UPSTREAM_URL``. During a driftdiff replay the upstream is not
running at all: the SDK answers these httpx calls from the recording.
"""

from __future__ import annotations

import os
from decimal import Decimal
from typing import Any

import httpx
from fastapi import HTTPException

DEFAULT_UPSTREAM_URL = "http://127.0.0.1:8081"


def upstream_url() -> str:
    return os.environ.get("SHOP_UPSTREAM_URL", DEFAULT_UPSTREAM_URL).rstrip("/")


async def _call(method: str, path: str, json: Any = None) -> dict[str, Any]:
    try:
        async with httpx.AsyncClient(base_url=upstream_url(), timeout=5.0) as client:
            response = await client.request(method, path, json=json)
    except httpx.HTTPError as exc:
        raise HTTPException(status_code=502, detail=f"upstream unavailable: {exc}") from None
    if response.status_code >= 400:
        raise HTTPException(status_code=502, detail=f"upstream answered {response.status_code}")
    body: dict[str, Any] = response.json()
    return body


async def stock_level(sku: str) -> int:
    """Units available for ``sku`` according to the inventory service."""
    body = await _call("GET", f"/inventory/{sku}")
    return int(body["available"])


async def authorize_payment(order_id: str, amount: Decimal, currency: str) -> dict[str, Any]:
    """Ask the payments service to authorize ``amount``; returns its payment object."""
    return await _call(
        "POST",
        "/payments",
        json={"reference": order_id, "amount": str(amount), "currency": currency},
    )
