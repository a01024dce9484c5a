"""Replay throughput vs a bare async httpx client, side by side in one run.

Both send the same N recorded requests at the same concurrency to the same local uvicorn server
(a trivial JSON handler, started once). ``driftdiff`` is timed through the public
``run_replay`` call: readiness check, mock server, ordering, capture of every live exchange and
the noise-aware comparison of every response are all inside the measurement. Rounds alternate
(bare, driftdiff, bare, …) and the median of each side is reported.

    python bench/bench_replay.py [--requests 2000] [--concurrency 16] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from typing import Any

import httpx

from drift_diff.replay import ReplayOptions, run_replay


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The server under test: `GET /items/{n}` → `{"id": n, "name": "item-n", "tags": […]}`."""
    if scope["type"] != "http":
        return
    item = scope["path"].rsplit("/", 1)[-1]
    body = json.dumps({"id": item, "name": f"item-{item}", "tags": ["a", "b"]}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": body})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def recorded(n: int) -> list[dict[str, Any]]:
    return [
        {
            "format": "driftdiff.exchange/1",
            "id": f"ex{i}",
            "source": "sdk",
            "route": "/items/{id}",
            "request": {
                "method": "GET",
                "path": f"/items/{i}",
                "query": {},
                "headers": {"accept": ["application/json"]},
            },
            "response": {
                "status": 200,
                "content_type": "application/json",
                "body": {"id": str(i), "name": f"item-{i}", "tags": ["a", "b"]},
            },
            "outbound": [],
        }
        for i in range(n)
    ]


async def bare(target: str, exchanges: list[dict[str, Any]], concurrency: int) -> float:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    started = time.perf_counter()
    async with httpx.AsyncClient(limits=limits, timeout=10, trust_env=False) as client:
        items = iter(exchanges)

        async def worker() -> None:
            for ex in items:
                r = await client.get(
                    target + ex["request"]["path"], headers={"accept": "application/json"}
                )
                r.json()

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started


def driftdiff(target: str, exchanges: list[dict[str, Any]], concurrency: int) -> float:
    started = time.perf_counter()
    run = run_replay(exchanges, ReplayOptions(target=target, concurrency=concurrency))
    elapsed = time.perf_counter() - started
    assert run.counts()["pass"] == len(exchanges), run.counts()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "bench.bench_replay:app",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
        start_new_session=True,
    )
    target = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:  # readiness poll with a deadline
            try:
                httpx.get(target + "/items/0", timeout=1)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        exchanges = recorded(args.requests)
        asyncio.run(bare(target, exchanges[:200], args.concurrency))  # warm-up
        bare_s, dd_s = [], []
        for _ in range(args.rounds):
            bare_s.append(asyncio.run(bare(target, exchanges, args.concurrency)))
            dd_s.append(driftdiff(target, exchanges, args.concurrency))
    finally:
        server.terminate()
        server.wait(10)
    n = args.requests
    b, d = statistics.median(bare_s), statistics.median(dd_s)
    print(f"requests={n} concurrency={args.concurrency} rounds={args.rounds}")
    print(f"bare httpx.AsyncClient : {n / b:8.0f} req/s  (median {b:.2f}s)")
    print(f"driftdiff run_replay   : {n / d:8.0f} req/s  (median {d:.2f}s)")
    print(f"ratio                  : {b / d * 100:5.1f} %")


if __name__ == "__main__":
    main()
