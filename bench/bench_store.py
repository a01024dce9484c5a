"""Object-storage read cost: ``python bench/bench_store.py [--n 100000] [--files 8] [--rounds 2]``.

The seeded corpus of ``bench_scale.py`` (gzip trace files) is put in a moto S3 server (a local
process on a free port) and learned by ``driftdiff baseline`` with one worker, alternately from
the local folder and from ``s3://bench/traces/*.jsonl.gz``, each run a fresh process. Reported:
wall seconds and the CPU seconds of the driftdiff process (user + system; moto's own CPU is not
counted: a real store does that work elsewhere). Every baseline must be byte-identical to the
local one (checked). What it measures is driftdiff's own cost of reading through fsspec/s3fs
(HTTP, block reads, gzip on the fly), not a real network's latency or bandwidth.
"""

from __future__ import annotations

import argparse
import os
import resource
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_scale import OUT, ROOT, corpus

BUCKET = "bench"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_moto() -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/moto-api/", timeout=2):
                return proc, url
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("moto server did not become ready") from None
            time.sleep(0.1)  # poll interval while waiting for readiness (deadline above)


def run(source: str, out: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one ``driftdiff baseline`` process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        [
            *(sys.executable, "-m", "drift_diff", "baseline", source, "--workers", "1"),
            *("--service", "shop", "-o", str(out)),
        ],
        check=True,
        env=env,
        cwd=ROOT,
        stderr=subprocess.DEVNULL,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="exchanges in the corpus")
    parser.add_argument("--files", type=int, default=8, help="gzip files")
    parser.add_argument("--rounds", type=int, default=2, help="alternating local/S3 rounds")
    args = parser.parse_args()
    import boto3

    folder = corpus(args.n, args.files)
    proc, endpoint = start_moto()
    try:
        env = {
            **os.environ,
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ENDPOINT_URL": endpoint,
        }
        client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            aws_access_key_id="bench",
            aws_secret_access_key="bench",
            region_name="us-east-1",
        )
        client.create_bucket(Bucket=BUCKET)
        size = 0
        for path in sorted(folder.glob("*.jsonl.gz")):
            size += path.stat().st_size
            client.upload_file(str(path), BUCKET, f"traces/{path.name}")
        sources = {"local": str(folder), "s3": f"s3://{BUCKET}/traces/*.jsonl.gz"}
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in sources}
        load_before = os.getloadavg()[0]
        for _ in range(args.rounds):
            for name, source in sources.items():
                times[name].append(run(source, OUT / f"store-{name}.json", env))
        load_after = os.getloadavg()[0]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert (OUT / "store-s3.json").read_bytes() == (OUT / "store-local.json").read_bytes()
    print(
        f"{args.n:,} exchanges in {args.files} gzip files ({size / 2**20:.1f} MiB); "
        f"{args.rounds} alternating rounds; baselines byte-identical (checked); load average "
        f"{load_before:.1f} before, {load_after:.1f} after (a shared 2-core machine).\n"
    )
    print("| source | wall s (each round) | CPU s (each round) | exchanges per CPU-s (best) |")
    print("|---|---|---|---:|")
    for name, runs in times.items():
        walls = " · ".join(f"{w:.1f}" for w, _ in runs)
        cpus = " · ".join(f"{c:.2f}" for _, c in runs)
        best = args.n / min(c for _, c in runs)
        print(f"| {name} | {walls} | {cpus} | {best:,.0f} |")


if __name__ == "__main__":
    main()
