"""Capture overhead under gunicorn (WSGI): sync and gthread workers, with and without the SDK.

    python bench/bench_capture_wsgi.py [--rounds 4] [--seconds 2] [--workers 1]

The same JSON endpoint as ``bench_capture.py`` as a plain WSGI callable (``make_app``), served
by gunicorn (real worker processes, forked by the master; each recording worker starts its own
writer process), bare and wrapped in ``DriftDiffWSGIMiddleware`` at sample rates 1.0 and 0.1,
for the ``sync`` worker class and ``gthread`` (4 threads). The client opens a connection per
request (``Connection: close``: the sync worker does not keep connections alive) from 16
concurrent tasks; variants take turns in a fresh order each round. Prints requests per second
and its ratio to the bare worker of the same class, and CPU per request of the workers and of
their writer processes (Linux ``/proc``), with exchanges written against requests served.
"""

from __future__ import annotations

import argparse
import asyncio
import json
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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_capture import (
    REPO,
    CpuMeter,
    _cpu_of,
    _free_port,
    _loadavg,
    _ratio_range,
    _wait_ready,
    _writers_of,
)

BODY = json.dumps(
    {
        "id": 42,
        "status": "paid",
        "items": [{"sku": "A-1", "qty": 2}, {"sku": "B-7", "qty": 1}],
        "total": 31.5,
        "currency": "EUR",
    }
).encode()
REQUEST = (
    b"GET /orders/42?expand=items HTTP/1.1\r\nHost: bench\r\nUser-Agent: bench/1\r\n"
    b"Accept: application/json\r\nAuthorization: Bearer abcdefghijklmnop\r\n"
    b"Connection: close\r\n\r\n"
)


def _orders(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(BODY)))]
    )
    return [BODY]


def make_app() -> Any:
    """The service under test (``gunicorn 'bench.bench_capture_wsgi:make_app()'``)."""
    if os.environ.get("BENCH_WRAP") == "1":
        from driftdiff_sdk.wsgi import DriftDiffWSGIMiddleware

        return DriftDiffWSGIMiddleware(_orders)
    return _orders


RATES = {"bare": None, "record, sample 1.0": "1.0", "record, sample 0.1": "0.1"}


def variants(worker_classes: list[str]) -> dict[str, dict[str, str]]:
    out = {}
    for kind in worker_classes:
        for label, rate in RATES.items():
            env = {"BENCH_WRAP": "0", "DRIFTDIFF_MODE": "off", "BENCH_KIND": kind}
            if rate is not None:
                env = {**env, "BENCH_WRAP": "1", "DRIFTDIFF_MODE": "record"}
                env["DRIFTDIFF_SAMPLE_RATE"] = rate
            out[f"{kind}: {label}"] = env
    return out


def _start(all_variants: dict[str, dict[str, str]], work: Path, workers: int) -> dict[str, Any]:
    procs = {}
    for name, env in all_variants.items():
        port = _free_port()
        kind = env["BENCH_KIND"]
        cmd = [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}"]
        cmd += ["-k", kind] + (["--threads", "4"] if kind == "gthread" else [])
        cmd += ["--log-level", "warning", "bench.bench_capture_wsgi:make_app()"]
        full_env = {
            **os.environ,
            **env,
            "PYTHONPATH": str(REPO),
            "DRIFTDIFF_SERVICE": "bench",
            "DRIFTDIFF_TRACES_DIR": str(work / _folder(name)),
        }
        proc = subprocess.Popen(cmd, env=full_env, cwd=REPO, stdout=subprocess.DEVNULL)
        procs[name] = (port, proc)
    for port, proc in procs.values():
        _wait_ready(port, proc)
    return procs


def _folder(name: str) -> str:
    return name.replace(" ", "_").replace(",", "").replace(":", "")


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            out += [int(c) for c in (task / "children").read_text().split()]
    except OSError:
        pass
    return out


def cpu_tree(master: int) -> tuple[float, float]:
    """(CPU seconds of the gunicorn master and its workers, of the workers' writers)."""
    server, writer = _cpu_of(master), 0.0
    writers = set(_writers_of(master))
    for child in _children(master):
        if child in writers:
            writer += _cpu_of(child)
            continue
        server += _cpu_of(child)
        writer += sum(_cpu_of(w) for w in _writers_of(child))
    return server, writer


async def _one(port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(REQUEST)
    await reader.read()  # to the end: the server closes
    writer.close()


async def throughput(port: int, seconds: float, concurrency: int = 16) -> tuple[float, int]:
    count = 0
    end = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal count
        while time.perf_counter() < end:
            await _one(port)
            count += 1

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return count / (time.perf_counter() - start), count


def _stop(procs: dict[str, Any]) -> None:
    """SIGTERM the masters (graceful: each worker flushes at exit), then wait for the writers."""
    writers = [w for _, p in procs.values() for c in _children(p.pid) for w in _writers_of(c)]
    for _, proc in procs.values():
        proc.terminate()
    for _, proc in procs.values():
        proc.wait(timeout=60)
    end = time.monotonic() + 120
    while writers and time.monotonic() < end:
        writers = [w for w in writers if Path(f"/proc/{w}").exists()]
        time.sleep(0.1)  # bench only: the writers' exit has no other signal here


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--classes", default="sync,gthread")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="dd-bench-wsgi-"))
    all_variants = variants(args.classes.split(","))
    load_start = _loadavg()
    procs = _start(all_variants, work, args.workers)
    served = {}
    for name, (port, _) in procs.items():  # warm every worker's code paths (and its writer)
        served[name] = asyncio.run(throughput(port, 0.3))[1]
    rps: dict[str, list[float]] = {name: [] for name in all_variants}
    cpu = CpuMeter()
    order = list(all_variants)
    try:
        for r in range(args.rounds):
            random.shuffle(order)
            for name in order:
                port, proc = procs[name]
                before = cpu_tree(proc.pid)
                rate, n = asyncio.run(throughput(port, args.seconds))
                cpu.add(name, before, cpu_tree(proc.pid), n)
                rps[name].append(rate)
                served[name] += n
            print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)
    finally:
        _stop(procs)
    written = {
        name: sum(1 for f in (work / _folder(name)).rglob("*.jsonl") for _ in f.open("rb"))
        for name in all_variants
    }
    shutil.rmtree(work, ignore_errors=True)
    print(
        f"\n{args.rounds} alternating rounds x {args.seconds:g} s, 16 concurrent clients, a "
        f"connection per request; {args.workers} worker(s) per server; load average "
        f"{load_start} at the start, {_loadavg()} at the end\n"
    )
    print(
        "| variant | req/s | vs bare | per round | worker CPU/req | added | writer CPU/req | "
        "written / served |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name in all_variants:
        kind = name.split(":")[0]
        base = statistics.median(rps[f"{kind}: bare"])
        base_cpu = cpu.per_request_us(f"{kind}: bare")[0]
        thr = statistics.median(rps[name])
        host_us, writer_us = cpu.per_request_us(name)
        print(
            f"| {name} | {thr:,.0f} | {thr / base:.2f} | "
            f"{_ratio_range(rps[name], rps[f'{kind}: bare'])} | {host_us:.0f} µs | "
            f"{host_us - base_cpu:+.0f} µs | {writer_us:.0f} µs | "
            f"{written[name]:,} / {served[name]:,} |"
        )


if __name__ == "__main__":
    main()
