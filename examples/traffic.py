"""Drive a fixed, realistic set of requests against the example shop.

The same requests every time, in the same order, so two recordings of the same build give the
same baseline. Some requests fail on purpose (unknown ids, invalid input): error answers are part
of a contract too.

    python examples/traffic.py --base-url http://127.0.0.1:8000

Exit code 0 when every request was answered with the status this script expects from v1,
1 otherwise (each surprise is printed), 2 when the service cannot be reached.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from shop_common.data import seeded_order_ids

SEEDED = seeded_order_ids()
UNKNOWN_ORDER = "00000000-0000-4000-8000-000000000000"
CLIENT_HEADERS = {"accept": "application/json", "user-agent": "shop-web/3.4.1"}
AUTH = {"authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"}


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    expect: int
    params: dict[str, Any] = field(default_factory=dict)
    json: Any = None
    auth: bool = False


def order(user_id: int, *items: tuple[int, int], note: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "user_id": user_id,
        "items": [{"product_id": pid, "quantity": qty} for pid, qty in items],
    }
    if note is not None:
        body["note"] = note
    return body


CALLS: list[Call] = [
    # browsing the catalogue
    Call("GET", "/products", 200),
    Call("GET", "/products", 200, params={"limit": 3}),
    Call("GET", "/products", 200, params={"limit": 3, "offset": 3}),
    Call("GET", "/products", 200, params={"category": "books"}),
    Call("GET", "/products", 200, params={"category": "garden", "limit": 2}),
    Call("GET", "/products", 200, params={"category": "kitchen", "limit": 5}),
    Call("GET", "/products", 200, params={"category": "toys"}),
    Call("GET", "/products", 422, params={"limit": 0}),
    Call("GET", "/products", 422, params={"limit": "ten"}),
    *[Call("GET", f"/products/{pid}", 200) for pid in (1, 2, 4, 7, 9, 10)],
    Call("GET", "/products/404", 404),
    Call("GET", "/products/abc", 422),
    # orders: history and look-ups (seeded data only, so the answers never depend on order)
    Call("GET", "/users/1/orders", 200, auth=True),
    Call("GET", "/users/2/orders", 200, params={"status": "shipped"}, auth=True),
    Call("GET", "/users/3/orders", 200, auth=True),
    Call("GET", "/users/42/orders", 404, auth=True),
    *[Call("GET", f"/orders/{oid}", 200, auth=True) for oid in SEEDED],
    Call("GET", f"/orders/{UNKNOWN_ORDER}", 404, auth=True),
    Call("GET", "/orders/not-a-uuid", 422, auth=True),
    # placing orders
    Call("POST", "/orders", 201, json=order(3, (1, 1)), auth=True),
    Call("POST", "/orders", 201, json=order(3, (7, 1), (8, 1), note="birthday present"), auth=True),
    Call("POST", "/orders", 201, json=order(1, (5, 3)), auth=True),
    Call("POST", "/orders", 201, json=order(2, (10, 2), (9, 1), note=None), auth=True),
    Call("POST", "/orders", 404, json=order(99, (1, 1)), auth=True),
    Call("POST", "/orders", 422, json=order(1, (999, 1)), auth=True),
    Call("POST", "/orders", 422, json=order(1, (1, 0)), auth=True),
    Call("POST", "/orders", 422, json={"user_id": 1}, auth=True),
]


def drive(base_url: str, *, verbose: bool = True) -> int:
    """Send every call; return the exit code described in the module docstring."""
    surprises = 0
    with httpx.Client(base_url=base_url, timeout=10.0, headers=CLIENT_HEADERS) as client:
        for call in CALLS:
            headers = AUTH if call.auth else {}
            try:
                response = client.request(
                    call.method,
                    call.path,
                    params=call.params or None,
                    json=call.json,
                    headers=headers,
                )
            except httpx.HTTPError as exc:
                print(f"traffic: cannot reach {base_url}: {exc}", file=sys.stderr)
                return 2
            mark = "ok" if response.status_code == call.expect else f"expected {call.expect}"
            if response.status_code != call.expect:
                surprises += 1
            if verbose or response.status_code != call.expect:
                query = "?" + str(httpx.QueryParams(call.params)) if call.params else ""
                print(f"  {call.method:<5} {call.path}{query} -> {response.status_code} {mark}")
    print(f"traffic: {len(CALLS)} requests sent, {surprises} unexpected statuses")
    return 1 if surprises else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--quiet", action="store_true", help="print only the summary and surprises")
    args = parser.parse_args(argv)
    return drive(args.base_url, verbose=not args.quiet)


if __name__ == "__main__":
    sys.exit(main())
