"""Memory of a recording service under 100 k unique requests: the host's and its writer's RSS.

    python bench/bench_capture_memory.py [--requests 100000] [--body 16384]

The service of ``bench_capture.py`` under uvicorn, bare and recording at sample rate 1.0, is
sent ``--requests`` requests that are all different (the order id in the path, a query value
and a request-id header unique to each), from 16 keep-alive connections. Two more runs take
the writer out of the picture to show the host's bound: the writer process is stopped
(``SIGSTOP``) before the load, so its pipe fills and everything the host keeps is its own
bounded queue — once with the hello GETs, once with POSTs of ``--body`` bytes echoed back. RSS
(``VmRSS``, and the peak ``VmHWM``) of the server and of its writer are read from ``/proc``
every 10 % of the requests. Prints one Markdown table.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_capture import VARIANTS, _loadavg, _start, _stop, _writers_of


def _status_kib(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


async def _load(port: int, n: int, body: int, probe: object) -> None:
    """``n`` unique requests over 16 connections; ``probe()`` after every tenth of them."""
    done = 0
    step = max(n // 10, 1)
    payload = b'{"pad":"' + b"x" * max(body - 10, 0) + b'"}' if body else b""

    async def worker(k: int) -> None:
        nonlocal done
        reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 21)
        while done < n:
            i = done
            done += 1
            if payload:
                head = (
                    f"POST /items/u{i} HTTP/1.1\r\nHost: bench\r\nX-Request-Id: r{i}\r\n"
                    f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
                )
                writer.write(head.encode() + payload)
            else:
                writer.write(
                    f"GET /orders/{i}?expand=items&u={i} HTTP/1.1\r\nHost: bench\r\n"
                    f"X-Request-Id: r{i}\r\nAuthorization: Bearer tok{i}\r\n\r\n".encode()
                )
            head_in = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head_in.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            await reader.readexactly(length)
            if (i + 1) % step == 0:
                probe()  # type: ignore[operator]
        writer.close()

    await asyncio.gather(*(worker(k) for k in range(16)))


def run(name: str, env: dict[str, str], n: int, body: int, stall: bool, work: Path) -> str:
    procs = _start({name: env}, work)
    (port, proc) = procs[name]
    host_rss: list[int] = []
    writer_rss: list[int] = []
    writers: list[int] = []

    def probe() -> None:
        host_rss.append(_status_kib(proc.pid, "VmRSS"))
        writer_rss.append(sum(_status_kib(w, "VmRSS") for w in writers))

    try:
        writers = _writers_of(proc.pid)
        start_host = _status_kib(proc.pid, "VmRSS")
        if stall:
            for w in writers:
                os.kill(w, signal.SIGSTOP)
        asyncio.run(_load(port, n, body, probe))
        peak_host = _status_kib(proc.pid, "VmHWM")
        peak_writer = sum(_status_kib(w, "VmHWM") for w in writers)
    finally:
        for w in writers:
            os.kill(w, signal.SIGCONT)
        _stop(procs)
    written = sum(1 for f in work.rglob("*.jsonl") for _ in f.open("rb"))
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    curve = " → ".join(f"{kib / 1024:.0f}" for kib in host_rss[::3])
    return (
        f"| {name} | {start_host / 1024:.0f} MB | {curve} | {peak_host / 1024:.0f} MB | "
        f"{max(writer_rss, default=0) / 1024:.0f} MB | {peak_writer / 1024:.0f} MB | "
        f"{written:,} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--body", type=int, default=16384, help="bytes per POST (stalled run)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="dd-bench-mem-"))
    load = _loadavg()
    record = VARIANTS["record, sample 1.0"]
    rows = [
        run("no middleware", VARIANTS["no middleware"], args.requests, 0, False, work),
        run("record, sample 1.0", record, args.requests, 0, False, work),
        run("record, writer stopped", record, args.requests, 0, True, work),
        run(
            f"record, writer stopped, POST {args.body >> 10} KiB",
            record,
            args.requests,
            args.body,
            True,
            work,
        ),
    ]
    print(
        f"\n{args.requests:,} unique requests per run, 16 keep-alive connections; load "
        f"average {load} at the start, {_loadavg()} at the end\n"
    )
    print(
        "| run | server RSS at start | server RSS every 30 % (MB) | server peak | "
        "writer RSS (max seen) | writer peak | exchanges written |"
    )
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        print(row)


if __name__ == "__main__":
    main()
