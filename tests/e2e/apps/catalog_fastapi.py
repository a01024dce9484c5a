"""A FastAPI catalogue that uses Redis (cache, counters) and Postgres on every request.

``PG_DSN`` / ``REDIS_URL`` point at the datastores. ``CATALOG_VARIANT=changed-query`` is a
changed build whose item lookup issues a different query; ``raw-socket`` also opens a TCP
connection to Postgres that no instrumentation covers.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import uuid
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import psycopg2
import psycopg2.extras
import redis
from driftdiff_sdk.asgi import DriftDiffMiddleware
from fastapi import FastAPI
from fastapi.responses import JSONResponse

PG_DSN = os.environ.get("PG_DSN", "postgresql://postgres@127.0.0.1:9/postgres")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:9/0")
VARIANT = os.environ.get("CATALOG_VARIANT", "")


@contextlib.asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    db()  # at start-up, outside any exchange: not recorded; in replay answered without a server
    yield


api = FastAPI(lifespan=lifespan)
cache = redis.Redis.from_url(REDIS_URL)
psycopg2.extras.register_uuid()
_db: Any = None


def db() -> Any:
    """One autocommit connection, opened (and the schema created) at start-up."""
    global _db
    if _db is None:
        conn = psycopg2.connect(PG_DSN)
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(
                "CREATE TABLE IF NOT EXISTS items (id uuid PRIMARY KEY, sku text UNIQUE NOT NULL,"
                " name text NOT NULL, price numeric(8,2) NOT NULL,"
                " created_at timestamptz NOT NULL DEFAULT now())"
            )
        _db = conn
    return _db


def _item(row: Any) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "sku": row["sku"],
        "name": row["name"],
        "price": float(row["price"]),
        "created_at": row["created_at"].isoformat(),
    }


@api.get("/health")
def health() -> dict[str, bool]:
    return {"ok": True}


@api.post("/items", status_code=201)
def create_item(payload: dict[str, Any]) -> Any:
    with db().cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
        try:
            cur.execute(
                "INSERT INTO items (id, sku, name, price) VALUES (%s, %s, %s, %s) "
                "RETURNING id, sku, name, price, created_at",
                (uuid.uuid4(), payload["sku"], payload["name"], Decimal(str(payload["price"]))),
            )
        except psycopg2.errors.UniqueViolation:
            return JSONResponse({"error": "duplicate sku"}, status_code=409)
        row = cur.fetchone()
    cache.incr("stats:created")
    return _item(row)


@api.get("/items/{sku}")
def get_item(sku: str) -> Any:
    cached = cache.get(f"item:{sku}")
    if cached is not None:
        return {**json.loads(cached), "cached": True}
    query = (
        "SELECT id, sku, name, price, created_at FROM items WHERE sku = %s"
        if VARIANT != "changed-query"
        else "SELECT id, sku, name, price, created_at FROM items WHERE lower(sku) = lower(%s)"
    )
    if VARIANT == "raw-socket":
        parts = urlsplit(PG_DSN)
        with contextlib.suppress(OSError):
            socket.create_connection((parts.hostname, parts.port or 5432), timeout=1).close()
    with db().cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
        cur.execute(query, (sku,))
        row = cur.fetchone()
    if row is None:
        return JSONResponse({"error": "not found"}, status_code=404)
    item = _item(row)
    cache.set(f"item:{sku}", json.dumps(item), ex=300)
    return {**item, "cached": False}


@api.get("/items")
def list_items(min_price: float = 0) -> dict[str, Any]:
    with db().cursor() as cur:
        cur.execute("SELECT sku, price FROM items WHERE price >= %s ORDER BY sku", (min_price,))
        rows = cur.fetchall()
        count = cur.rowcount
    return {"count": count, "items": [{"sku": s, "price": float(p)} for s, p in rows]}


@api.get("/stats")
def stats() -> dict[str, Any]:
    with cache.pipeline() as pipe:
        created, views = pipe.get("stats:created").incr("stats:views").execute()
    with db().cursor() as cur:
        cur.execute("SELECT count(*), max(price) FROM items")
        total, top = cur.fetchone()
    return {
        "created": int(created or 0),
        "views": views,
        "total": total,
        "top_price": float(top) if top is not None else None,
    }


app = DriftDiffMiddleware(api, service="catalog-fastapi")
