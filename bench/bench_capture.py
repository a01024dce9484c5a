"""Capture overhead: the same trivial JSON endpoint with and without the SDK, side by side.

    python bench/bench_capture.py [--rounds 7] [--requests 1500] [--seconds 1.5]

Three uvicorn processes serve ``make_app()`` (no middleware; ``DriftDiffMiddleware`` recording
at sample rate 1.0; at 0.1). This process loads them with a minimal keep-alive HTTP/1.1 client
on asyncio (far less client-side overhead than a full HTTP library, so the differences stand
out), in interleaved rounds so machine drift hits every variant alike:

* latency: one connection per variant, requests back to back (service time per request, mean
  and p99), in blocks of 100 requests taking turns between the variants in a fresh random order,
  so that a burst of load from elsewhere on the machine lands on every variant alike;
* throughput: 16 connections for a fixed time (requests per second), variants in turn.

Prints a Markdown table: mean and p99 latency, added mean/p99 against the bare app, and the
throughput ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
REQUEST = (
    b"GET /orders/42?expand=items HTTP/1.1\r\nHost: bench\r\n"
    b"User-Agent: bench/1\r\nAccept: application/json\r\n"
    b"Authorization: Bearer abcdefghijklmnop\r\n\r\n"
)


def make_app() -> Any:
    """The service under test (``uvicorn --factory bench.bench_capture:make_app``)."""
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def order(request: Any) -> JSONResponse:
        return JSONResponse(
            {
                "id": int(request.path_params["order_id"]),
                "status": "paid",
                "items": [{"sku": "A-1", "qty": 2}, {"sku": "B-7", "qty": 1}],
                "total": 31.5,
                "currency": "EUR",
            }
        )

    app = Starlette(routes=[Route("/orders/{order_id}", order)])
    if os.environ.get("BENCH_WRAP") == "1":
        from driftdiff_sdk.asgi import DriftDiffMiddleware

        return DriftDiffMiddleware(app)
    return app


VARIANTS = {
    "no middleware": {"BENCH_WRAP": "0", "DRIFTDIFF_MODE": "off"},
    "record, sample 1.0": {
        "BENCH_WRAP": "1",
        "DRIFTDIFF_MODE": "record",
        "DRIFTDIFF_SAMPLE_RATE": "1.0",
    },
    "record, sample 0.1": {
        "BENCH_WRAP": "1",
        "DRIFTDIFF_MODE": "record",
        "DRIFTDIFF_SAMPLE_RATE": "0.1",
    },
}


async def _one(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(REQUEST)
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    await reader.readexactly(length)


async def latency(port: int, n: int) -> list[float]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    for _ in range(50):  # warm the connection and the server's code paths
        await _one(reader, writer)
    out = []
    clock = time.perf_counter
    for _ in range(n):
        start = clock()
        await _one(reader, writer)
        out.append(clock() - start)
    writer.close()
    return out


async def latency_interleaved(
    ports: dict[str, int], n: int, block: int = 100
) -> dict[str, list[float]]:
    """``latency`` for every variant at once: blocks of ``block`` requests, taking turns."""
    conns = {name: await asyncio.open_connection("127.0.0.1", port) for name, port in ports.items()}
    for reader, writer in conns.values():
        for _ in range(50):  # warm the connection and the server's code paths
            await _one(reader, writer)
    out: dict[str, list[float]] = {name: [] for name in ports}
    order = list(ports)
    clock = time.perf_counter
    for start in range(0, n, block):
        random.shuffle(order)
        for name in order:
            reader, writer = conns[name]
            times = out[name]
            for _ in range(min(block, n - start)):
                begin = clock()
                await _one(reader, writer)
                times.append(clock() - begin)
    for _, writer in conns.values():
        writer.close()
    return out


async def throughput(port: int, seconds: float, connections: int = 16) -> float:
    count = 0
    end = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal count
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while time.perf_counter() < end:
            await _one(reader, writer)
            count += 1
        writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    return count / (time.perf_counter() - start)


def _wait_ready(port: int, proc: subprocess.Popen[bytes]) -> None:
    import socket

    end = time.monotonic() + 30
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise SystemExit(f"server on port {port} exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)  # readiness poll, bounded by the deadline
    raise SystemExit(f"server on port {port} not ready")


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--requests", type=int, default=1500)
    parser.add_argument("--seconds", type=float, default=1.5)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="dd-bench-"))
    procs: dict[str, tuple[int, subprocess.Popen[bytes]]] = {}
    try:
        for name, env in VARIANTS.items():
            port = _free_port()
            full_env = {
                **os.environ,
                **env,
                "PYTHONPATH": str(REPO),
                "DRIFTDIFF_SERVICE": "bench",
                "DRIFTDIFF_TRACES_DIR": str(work / name.replace(" ", "_")),
            }
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "--factory",
                    "bench.bench_capture:make_app",
                    "--port",
                    str(port),
                    "--log-level",
                    "warning",
                    "--no-access-log",
                ],
                env=full_env,
                cwd=REPO,
                stdout=subprocess.DEVNULL,
            )
            procs[name] = (port, proc)
        for port, proc in procs.values():
            _wait_ready(port, proc)

        lat: dict[str, list[float]] = {name: [] for name in VARIANTS}
        rps: dict[str, list[float]] = {name: [] for name in VARIANTS}
        order = list(VARIANTS)
        ports = {name: port for name, (port, _) in procs.items()}
        for r in range(args.rounds):
            for name, times in asyncio.run(latency_interleaved(ports, args.requests)).items():
                lat[name] += times
            random.shuffle(order)  # interleaved, in a fresh order each round
            for name in order:
                rps[name].append(asyncio.run(throughput(ports[name], args.seconds)))
            print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)
    finally:
        for _, proc in procs.values():
            proc.terminate()
        for _, proc in procs.values():
            proc.wait(timeout=30)
    lines = sum(1 for f in work.rglob("*.jsonl") for _ in f.open("rb"))
    shutil.rmtree(work, ignore_errors=True)

    base = "no middleware"
    base_mean, base_p99 = statistics.fmean(lat[base]), _p99(lat[base])
    base_rps = statistics.median(rps[base])
    print(
        f"\n{args.rounds} interleaved rounds x {args.requests} sequential requests "
        f"(latency) + {args.seconds:g} s at 16 connections (throughput); "
        f"{lines} exchanges written\n"
    )
    print("| variant | mean | p99 | added mean | added p99 | req/s (16 conns) | vs bare |")
    print("|---|---|---|---|---|---|---|")
    for name in VARIANTS:
        mean, p99 = statistics.fmean(lat[name]), _p99(lat[name])
        thr = statistics.median(rps[name])
        print(
            f"| {name} | {mean * 1e3:.3f} ms | {p99 * 1e3:.3f} ms | "
            f"{(mean - base_mean) * 1e3:+.3f} ms | {(p99 - base_p99) * 1e3:+.3f} ms | "
            f"{thr:,.0f} | {thr / base_rps:.2f} |"
        )


if __name__ == "__main__":
    main()
