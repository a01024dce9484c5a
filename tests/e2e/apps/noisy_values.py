"""A service whose answers vary from one request to the next for reasons no field name shows
(a random sample), beside values that are stable: what replay's
second answer tells apart (``drift_diff/replay/second_answer.py``).

``NOISY_VARIANT=greeting`` changes a stable value; ``NOISY_VARIANT=no-pick`` drops the random
field (a consumer breaks, however random its value was).
"""

from __future__ import annotations

import os
import time
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

VARIANT = os.environ.get("NOISY_VARIANT", "")


async def sample(request: Request) -> JSONResponse:
    # (the clock's nanoseconds: two answers never agree, and nothing in a name says so)
    now = time.perf_counter_ns()
    body: dict[str, Any] = {"pick": now % 1_000_003, "label": "sample"}
    body["picks"] = [now % 999_983, now % 999_979][: 1 + now % 2]
    if VARIANT == "no-pick":
        del body["pick"]
    return JSONResponse(body)


async def stable(request: Request) -> JSONResponse:
    return JSONResponse({"greeting": "hi" if VARIANT == "greeting" else "hello", "n": 3})


async def health(request: Request) -> JSONResponse:
    return JSONResponse({"ok": True})


app = Starlette(
    routes=[
        Route("/sample", sample),
        Route("/stable", stable),
        Route("/health", health),
    ]
)
