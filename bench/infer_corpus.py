"""A synthetic but realistic trace corpus for the inference benchmark (seeded: same bytes each run).

Ten resources × five operations (list, get, create, update, delete) = 50 endpoints. Bodies look
like a shop API: UUID/integer ids in paths, timestamps, e-mails, nested addresses, line items,
optional and nullable fields, enum-like statuses, paginated lists. Resources are drawn from a
pool, so reads of the same resource repeat (as they do in real traffic) while writes vary.
"""

from __future__ import annotations

import random
import uuid
from pathlib import Path
from typing import Any

import orjson

RESOURCES = (
    "users",
    "orders",
    "products",
    "carts",
    "invoices",
    "payments",
    "shipments",
    "reviews",
    "categories",
    "warehouses",
)
STATUSES = ("pending", "active", "shipped", "cancelled", "refunded")
POOL = 2000  # distinct resources per kind


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _when(rng: random.Random) -> str:
    return (
        f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T"
        f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}Z"
    )


def _resource(kind: str, n: int) -> dict[str, Any]:
    """The stored state of resource ``n`` of ``kind`` (deterministic: reads repeat)."""
    rng = random.Random(f"{kind}:{n}")
    body: dict[str, Any] = {
        "id": n if kind in ("users", "products", "categories", "warehouses") else _uuid(rng),
        "created_at": _when(rng),
        "updated_at": _when(rng) if rng.random() < 0.7 else None,
        "status": rng.choice(STATUSES),
        "owner": {
            "id": rng.randint(1, 50_000),
            "email": f"user{rng.randint(1, 9999)}@example.com",
            "name": rng.choice(("Ada", "Linus", "Grace", "Ken", "Barbara")),
        },
        "tags": [rng.choice(("new", "sale", "eu", "vip")) for _ in range(rng.randint(0, 3))],
        "amount": round(rng.uniform(1, 500), 2),
        "currency": rng.choice(("EUR", "USD", "GBP")),
        "metadata": {"source": rng.choice(("web", "ios", "android")), "version": rng.randint(1, 9)},
    }
    if rng.random() < 0.6:
        body["address"] = {
            "street": f"{rng.randint(1, 200)} Main St",
            "city": "Springfield",
            "zip": f"{rng.randint(10000, 99999)}",
            "country": rng.choice(("DE", "FR", "US")),
        }
    if kind in ("orders", "carts", "invoices"):
        body["items"] = [
            {
                "sku": f"SKU-{rng.randint(1000, 9999)}",
                "qty": rng.randint(1, 5),
                "price": round(rng.uniform(1, 100), 2),
                **({"discount": round(rng.uniform(0, 5), 2)} if rng.random() < 0.3 else {}),
            }
            for _ in range(rng.randint(1, 4))
        ]
    if rng.random() < 0.2:
        body["note"] = rng.choice(("leave at door", "fragile", "call first"))
    return body


def _path_id(kind: str, n: int) -> str:
    body_id = _resource(kind, n)["id"]
    return str(body_id)


def _exchange(rng: random.Random, i: int) -> dict[str, Any]:
    kind = RESOURCES[rng.randrange(len(RESOURCES))]
    op = rng.choices(("list", "get", "create", "update", "delete"), (20, 50, 12, 12, 6))[0]
    n = rng.randrange(POOL)
    headers = {
        "accept": ["application/json"],
        "user-agent": ["bench/1.0"],
        "authorization": ["Bearer eyJhbGciOiJIUzI1NiJ9.e30.redacted"],
    }
    request: dict[str, Any] = {"headers": headers, "query": {}}
    response: dict[str, Any] = {
        "headers": {
            "content-type": ["application/json"],
            "x-ratelimit-remaining": [str(rng.randint(0, 999))],
        },
        "content_type": "application/json",
        "truncated": False,
    }
    base = f"/api/v1/{kind}"
    if op == "list":
        page = rng.randint(1, 50)
        request.update(method="GET", path=base, query={"page": [str(page)], "limit": ["10"]})
        start = rng.randrange(POOL - 10)
        response.update(
            status=200,
            body={
                "data": [_resource(kind, k) for k in range(start, start + rng.randint(3, 10))],
                "next": f"https://api.example.com{base}?page={page + 1}" if page < 50 else None,
                "total": POOL,
            },
        )
    elif op == "get":
        request.update(method="GET", path=f"{base}/{_path_id(kind, n)}")
        missing = rng.random() < 0.05
        response.update(
            status=404 if missing else 200,
            body={"error": "not_found", "message": f"no such {kind[:-1]}"}
            if missing
            else _resource(kind, n),
        )
    elif op == "create":
        body = _resource(kind, POOL + i)
        body.pop("id")
        request.update(method="POST", path=base, body=body, content_type="application/json")
        response.update(status=201, body={**body, "id": _uuid(rng)})
    elif op == "update":
        patch = {"status": rng.choice(STATUSES), "note": rng.choice(("fragile", None))}
        request.update(
            method="PATCH",
            path=f"{base}/{_path_id(kind, n)}",
            body=patch,
            content_type="application/json",
        )
        response.update(status=200, body={**_resource(kind, n), **patch})
    else:
        request.update(method="DELETE", path=f"{base}/{_path_id(kind, n)}")
        response.update(status=204, content_type=None)
    return {
        "format": "driftdiff.exchange/1",
        "id": f"ex-{i}",
        "service": "shop",
        "source": "sdk",
        "recorded_at": "2024-05-01T12:00:00.000Z",
        "duration_ms": round(rng.uniform(1, 80), 2),
        "request": request,
        "response": response,
        "outbound": [],
    }


def write_corpus(path: Path, n: int, seed: int = 7) -> Path:
    """Write ``n`` exchanges to ``path`` (reused when it already holds exactly that corpus)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    stamp = path.with_suffix(".meta")
    if path.exists() and stamp.exists() and stamp.read_text() == f"{n}:{seed}":
        return path
    rng = random.Random(seed)
    with open(path, "wb") as fh:
        for i in range(n):
            fh.write(orjson.dumps(_exchange(rng, i)) + b"\n")
    stamp.write_text(f"{n}:{seed}")
    return path
