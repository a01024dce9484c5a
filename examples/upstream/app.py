"""The example shop's upstream: a small inventory and payments API.

The shop calls it with httpx while serving ``GET /products/{product_id}`` (stock level) and
``POST /orders`` (payment authorization). It is deliberately *not* instrumented: driftdiff records
these calls from inside the shop, and during a replay this process is not running at all.

Run: ``uvicorn upstream.app:app --app-dir examples --port 8081``
"""

from __future__ import annotations

import uuid
import zlib
from decimal import Decimal, InvalidOperation

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, Field

app = FastAPI(title="example upstream: inventory and payments", version="1.0.0")

_NAMESPACE = uuid.UUID("0d3c8f52-9a61-4f0e-b2a4-6c7d8e9f0a1b")
_WAREHOUSES = ("AMS-1", "FRA-2", "DUB-1")


@app.get("/inventory/{sku}")
def inventory(sku: str) -> dict[str, object]:
    if not sku[:2].isalpha() or "-" not in sku:
        raise HTTPException(status_code=404, detail=f"unknown sku {sku}")
    # deterministic per sku so that recordings are reproducible
    digest = zlib.crc32(sku.encode())
    return {
        "sku": sku,
        "available": digest % 40,
        "warehouse": _WAREHOUSES[digest % len(_WAREHOUSES)],
        "restock_days": None if digest % 40 else 7,
    }


class PaymentRequest(BaseModel):
    reference: str = Field(min_length=1)
    amount: str
    currency: str = Field(min_length=3, max_length=3)


@app.post("/payments", status_code=201)
def authorize(payment: PaymentRequest) -> dict[str, object]:
    try:
        amount = Decimal(payment.amount)
    except InvalidOperation:
        raise HTTPException(status_code=422, detail="amount is not a decimal") from None
    return {
        "id": str(uuid.uuid5(_NAMESPACE, payment.reference)),
        "reference": payment.reference,
        "status": "authorized" if amount <= Decimal("1000") else "review",
        "amount": str(amount),
        "currency": payment.currency.upper(),
    }


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}
