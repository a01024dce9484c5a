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

    python bench/bench_capture.py --mixed [--rounds 5] [--seconds 4] [--clients 50]

The mixed load: the bare and the recording (sample 1.0) service (writer process, and the thread
writer for comparison), each in turn for ``--seconds``
per round (order shuffled per round), under ``--clients`` connections posting JSON bodies of
1 KiB to 1 MiB (sizes log-uniform) that the service sends back. Prints throughput and its ratio,
p50/p99 and p99 added, and two figures probed inside the server: the longest stall of its event
loop (a 1 ms ticker's overshoot; the bare service's own work shows there too) and the longest
single stretch of capture code that ran on the loop (body copies, building the exchange), as
wall time (waits for the GIL included) and as the loop thread's own CPU time.
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
    from starlette.responses import JSONResponse, Response
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

    async def echo(request: Any) -> Response:
        # the mixed load: a JSON body of 1 KiB to 1 MiB, sent back as it came
        return Response(await request.body(), media_type="application/json")

    async def probe(request: Any) -> JSONResponse:
        _probe.start()  # the first call starts the ticker
        return JSONResponse(_probe.take())

    app = Starlette(
        routes=[
            Route("/orders/{order_id}", order),
            Route("/items/{kind}", echo, methods=["POST"]),
            Route("/__probe", probe),
        ]
    )
    if os.environ.get("BENCH_WRAP") == "1":
        from driftdiff_sdk.asgi import DriftDiffMiddleware

        if os.environ.get("BENCH_PROBE") == "1":  # the mixed load's timers (not on hello)
            _probe.time_capture()
        return DriftDiffMiddleware(app)
    return app


class _Probe:
    """In the server: the event loop's longest stall (a 1 ms ticker's overshoot) and the longest
    single stretch of capture code run on the loop (the middleware's body copies and its emit),
    since the last ``take()``."""

    def __init__(self) -> None:
        self.loop_max = 0.0
        self.capture_max = 0.0
        self.capture_cpu_max = 0.0
        self.capture_total = 0.0
        self.capture_calls = 0
        self.ticker: Any = getattr(self, "ticker", None)

    def take(self) -> dict[str, float]:
        out = {
            "loop_max_ms": self.loop_max * 1e3,
            "capture_max_ms": self.capture_max * 1e3,
            "capture_cpu_max_ms": self.capture_cpu_max * 1e3,
            "capture_mean_ms": self.capture_total / max(self.capture_calls, 1) * 1e3,
        }
        self.__init__()  # type: ignore[misc]
        return out

    def start(self) -> None:
        if self.ticker is None:
            self.ticker = asyncio.get_running_loop().create_task(self._tick())

    async def _tick(self) -> None:
        clock = time.perf_counter
        while True:
            before = clock()
            await asyncio.sleep(0.001)
            self.loop_max = max(self.loop_max, clock() - before - 0.001)

    def time_capture(self) -> None:
        """Wrap the capture code that runs on the loop with a timer (bench only)."""
        from driftdiff_sdk import _capture, asgi

        def timed(fn: Any) -> Any:
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                start, cpu = time.perf_counter(), time.thread_time()
                try:
                    return fn(*args, **kwargs)
                finally:
                    spent = time.perf_counter() - start
                    self.capture_cpu_max = max(self.capture_cpu_max, time.thread_time() - cpu)
                    self.capture_total += spent
                    self.capture_calls += 1
                    self.capture_max = max(self.capture_max, spent)

            return wrapper

        _capture.BodyCapture.add = timed(_capture.BodyCapture.add)  # type: ignore[method-assign]
        asgi.DriftDiffMiddleware._emit = timed(asgi.DriftDiffMiddleware._emit)  # type: ignore[method-assign]


_probe = _Probe()


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
    "record, sample 1.0, thread writer": {
        "BENCH_WRAP": "1",
        "DRIFTDIFF_MODE": "record",
        "DRIFTDIFF_SAMPLE_RATE": "1.0",
        "DRIFTDIFF_WRITER": "thread",
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


async def throughput(port: int, seconds: float, connections: int = 16) -> tuple[float, int]:
    """Requests per second over ``connections`` for ``seconds``, and the number served."""
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
    return count / (time.perf_counter() - start), count


_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu_of(pid: int) -> float:
    """CPU seconds (user + system) ``pid`` used so far (Linux ``/proc``; 0 when gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK


def _writers_of(pid: int) -> list[int]:
    """The server's writer processes (its children running ``driftdiff_sdk._writer_proc``)."""
    found = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return []
    for task in tasks:
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in children:
            try:
                cmd = Path(f"/proc/{child}/cmdline").read_bytes()
            except OSError:
                continue
            if b"_writer_proc" in cmd:
                found.append(int(child))
    return found


def cpu_split(pid: int) -> tuple[float, float]:
    """(the server's CPU seconds, its writer processes' CPU seconds) so far."""
    return _cpu_of(pid), sum(_cpu_of(w) for w in _writers_of(pid))


class CpuMeter:
    """CPU per request of each variant's server and writer, over the measured rounds."""

    def __init__(self) -> None:
        self.server: dict[str, float] = {}
        self.writer: dict[str, float] = {}
        self.requests: dict[str, int] = {}

    def add(
        self, name: str, before: tuple[float, float], after: tuple[float, float], n: int
    ) -> None:
        self.server[name] = self.server.get(name, 0.0) + after[0] - before[0]
        self.writer[name] = self.writer.get(name, 0.0) + max(0.0, after[1] - before[1])
        self.requests[name] = self.requests.get(name, 0) + n

    def per_request_us(self, name: str) -> tuple[float, float]:
        n = max(self.requests.get(name, 0), 1)
        return self.server.get(name, 0.0) / n * 1e6, self.writer.get(name, 0.0) / n * 1e6


def mixed_bodies() -> list[bytes]:
    """JSON documents of 1 KiB to 1 MiB, sizes spread evenly on a log scale (x2 steps)."""
    out = []
    for exp in range(10, 21):
        items: list[str] = []
        size, i = 2, 0
        while size < (1 << exp):
            item = (
                f'{{"id":{i},"name":"item {i}","email":"user{i}@example.com",'
                f'"tags":["a","b"],"price":{i % 97}.5,"active":true}}'
            )
            items.append(item)
            size += len(item) + 1
            i += 1
        out.append(("[" + ",".join(items) + "]").encode())
    return out


async def _post(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, body: bytes) -> None:
    writer.write(
        b"POST /items/bulk HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
        b"Authorization: Bearer abcdefghijklmnop\r\nContent-Length: %d\r\n\r\n" % len(body)
    )
    writer.write(body)
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    await reader.readexactly(length)


async def mixed_round(
    port: int, seconds: float, bodies: list[bytes], clients: int
) -> tuple[float, list[float], dict[str, float]]:
    """``clients`` connections posting random bodies for ``seconds``: (req/s, latencies, probe)."""
    await _get_probe(port)  # reset the server's probe
    times: list[float] = []
    end = time.perf_counter() + seconds
    clock = time.perf_counter
    rng = random.Random(port)

    async def worker() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 21)
        while clock() < end:
            begin = clock()
            await _post(reader, writer, rng.choice(bodies))
            times.append(clock() - begin)
        writer.close()

    start = clock()
    await asyncio.gather(*(worker() for _ in range(clients)))
    rate = len(times) / (clock() - start)
    return rate, times, await _get_probe(port)


async def _get_probe(port: int) -> dict[str, float]:
    import json

    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /__probe HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
    data = await reader.read()
    writer.close()
    result: dict[str, float] = json.loads(data.split(b"\r\n\r\n", 1)[1])
    return result


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


def _start(variants: dict[str, dict[str, str]], work: Path) -> dict[str, tuple[int, Any]]:
    procs: dict[str, tuple[int, subprocess.Popen[bytes]]] = {}
    for name, env in variants.items():
        port = _free_port()
        full_env = {
            **os.environ,
            **env,
            "PYTHONPATH": str(REPO),
            "DRIFTDIFF_SERVICE": "bench",
            "DRIFTDIFF_TRACES_DIR": str(work / _folder(name)),
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
    return procs


def _folder(name: str) -> str:
    return name.replace(" ", "_").replace(",", "")


def _stop(procs: dict[str, tuple[int, Any]]) -> None:
    """SIGTERM every server, then wait for them and for their writer processes to finish
    (a writer writes what it was handed, then exits at the end of its input)."""
    writers = [w for _, proc in procs.values() for w in _writers_of(proc.pid)]
    for _, proc in procs.values():
        proc.terminate()
    for _, proc in procs.values():
        proc.wait(timeout=60)
    end = time.monotonic() + 120
    while writers and time.monotonic() < end:
        writers = [w for w in writers if Path(f"/proc/{w}").exists() and not _zombie(w)]
        time.sleep(0.1)  # bench only: the writers' exit has no other signal here


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--requests", type=int, default=1500)
    parser.add_argument("--seconds", type=float, default=1.5)
    parser.add_argument("--mixed", action="store_true", help="the mixed load instead")
    parser.add_argument("--clients", type=int, default=50, help="connections (--mixed)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="dd-bench-"))
    if args.mixed:
        mixed(args, work)
    else:
        hello(args, work)


def _loadavg() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


def _ratio_range(rates: list[float], base: list[float]) -> str:
    """Min-max over the rounds of each round's req/s against the bare service's in that round."""
    ratios = [r / b for r, b in zip(rates, base, strict=True) if b]
    return f"{min(ratios):.2f}–{max(ratios):.2f}" if ratios else "—"


def _written(work: Path, name: str) -> int:
    """Exchanges in a variant's trace files."""
    folder = work / _folder(name)
    return sum(1 for f in folder.rglob("*.jsonl") for _ in f.open("rb")) if folder.is_dir() else 0


def hello(args: argparse.Namespace, work: Path) -> None:
    load_start = _loadavg()
    procs = _start(VARIANTS, work)
    cpu = CpuMeter()
    served: dict[str, int] = {name: 0 for name in VARIANTS}
    try:
        lat: dict[str, list[float]] = {name: [] for name in VARIANTS}
        rps: dict[str, list[float]] = {name: [] for name in VARIANTS}
        order = list(VARIANTS)
        ports = {name: port for name, (port, _) in procs.items()}
        for r in range(args.rounds):
            for name, times in asyncio.run(latency_interleaved(ports, args.requests)).items():
                lat[name] += times
                served[name] += len(times) + 50
            random.shuffle(order)  # interleaved, in a fresh order each round
            for name in order:
                pid = procs[name][1].pid
                before = cpu_split(pid)
                rate, count = asyncio.run(throughput(ports[name], args.seconds))
                cpu.add(name, before, cpu_split(pid), count)
                rps[name].append(rate)
                served[name] += count
            print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)
    finally:
        _stop(procs)
    written = {name: _written(work, name) for name in VARIANTS}
    shutil.rmtree(work, ignore_errors=True)

    base = "no middleware"
    base_mean, base_p99 = statistics.fmean(lat[base]), _p99(lat[base])
    base_rps = statistics.median(rps[base])
    base_cpu = cpu.per_request_us(base)[0]
    print(
        f"\n{args.rounds} interleaved rounds x {args.requests} sequential requests "
        f"(latency) + {args.seconds:g} s at 16 connections (throughput); "
        f"load average {load_start} at the start, {_loadavg()} at the end\n"
    )
    print(
        "| variant | mean | p99 | added mean | added p99 | req/s (16 conns) | vs bare | "
        "per round | server CPU/req | added | writer CPU/req | written / served |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name in VARIANTS:
        mean, p99 = statistics.fmean(lat[name]), _p99(lat[name])
        thr = statistics.median(rps[name])
        host_us, writer_us = cpu.per_request_us(name)
        print(
            f"| {name} | {mean * 1e3:.3f} ms | {p99 * 1e3:.3f} ms | "
            f"{(mean - base_mean) * 1e3:+.3f} ms | {(p99 - base_p99) * 1e3:+.3f} ms | "
            f"{thr:,.0f} | {thr / base_rps:.2f} | {_ratio_range(rps[name], rps[base])} | "
            f"{host_us:.0f} µs | "
            f"{host_us - base_cpu:+.0f} µs | {writer_us:.0f} µs | "
            f"{written[name]:,} / {served[name]:,} |"
        )


MIXED_VARIANTS = {
    name: {**env, "BENCH_PROBE": "1"}
    for name, env in {
        **{name: VARIANTS[name] for name in ("no middleware", "record, sample 1.0")},
        # the writer before the writer process, for comparison in the same run
        "record, sample 1.0, thread writer": VARIANTS["record, sample 1.0, thread writer"],
    }.items()
}


def mixed(args: argparse.Namespace, work: Path) -> None:
    """Bare and recording service under the mixed load, one after the other in each round
    (order shuffled per round): throughput, p99, CPU per request and the server-side probe."""
    bodies = mixed_bodies()
    load_start = _loadavg()
    procs = _start(MIXED_VARIANTS, work)
    rps: dict[str, list[float]] = {name: [] for name in MIXED_VARIANTS}
    lat: dict[str, list[float]] = {name: [] for name in MIXED_VARIANTS}
    probes: dict[str, list[dict[str, float]]] = {name: [] for name in MIXED_VARIANTS}
    cpu = CpuMeter()
    order = list(MIXED_VARIANTS)
    try:
        for r in range(args.rounds):
            random.shuffle(order)
            for name in order:
                pid = procs[name][1].pid
                before = cpu_split(pid)
                rate, times, probe = asyncio.run(
                    mixed_round(procs[name][0], args.seconds, bodies, args.clients)
                )
                cpu.add(name, before, cpu_split(pid), len(times))
                rps[name].append(rate)
                lat[name] += times
                probes[name].append(probe)
            print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)
    finally:
        _stop(procs)
    written = {name: _written(work, name) for name in MIXED_VARIANTS}
    shutil.rmtree(work, ignore_errors=True)
    sizes = ", ".join(f"{len(b) >> 10} KiB" for b in (bodies[0], bodies[-1]))
    print(
        f"\n{args.rounds} alternating rounds x {args.seconds:g} s, {args.clients} clients "
        f"posting JSON bodies of {sizes} (log-uniform), echoed back; load average "
        f"{load_start} at the start, {_loadavg()} at the end\n"
    )
    base = "no middleware"
    base_rps, base_p99 = statistics.median(rps[base]), _p99(lat[base])
    print(
        "| variant | req/s | vs bare | per round | p50 | p99 | added p99 | longest loop stall | "
        "longest capture step on the loop (wall / its own CPU) | mean capture step | "
        "server CPU/req | writer CPU/req | written / served |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name in MIXED_VARIANTS:
        thr = statistics.median(rps[name])
        p50 = statistics.median(lat[name])
        p99 = _p99(lat[name])
        loop_max = max(p["loop_max_ms"] for p in probes[name])
        cap_max = max(p["capture_max_ms"] for p in probes[name])
        cap_cpu = max(p["capture_cpu_max_ms"] for p in probes[name])
        cap_mean = statistics.fmean(p["capture_mean_ms"] for p in probes[name])
        host_us, writer_us = cpu.per_request_us(name)
        print(
            f"| {name} | {thr:,.1f} | {thr / base_rps:.2f} | "
            f"{_ratio_range(rps[name], rps[base])} | {p50 * 1e3:.1f} ms | "
            f"{p99 * 1e3:.1f} ms | {(p99 - base_p99) * 1e3:+.1f} ms | {loop_max:.1f} ms | "
            f"{cap_max:.3f} / {cap_cpu:.3f} ms | {cap_mean:.4f} ms | "
            f"{host_us / 1e3:.2f} ms | {writer_us / 1e3:.2f} ms | "
            f"{written[name]:,} / {cpu.requests[name]:,} |"
        )


if __name__ == "__main__":
    main()
