"""Plain genson and ``driftdiff baseline HAR`` alternating: ``python bench/har_alternate.py HAR
[--rounds 8]``.

A quick check of ``bench_har.py``'s key ratio on a machine whose speed drifts: each round runs
plain genson (``bench_har.py --child genson``) then the CLI on its default ``--workers``, both as
whole processes, and prints genson's wall time over driftdiff's; then the median and range.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def timed(argv: list[str], cwd: str) -> float:
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, _ = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"{' '.join(argv)} failed")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("har", type=Path)
    parser.add_argument("--rounds", type=int, default=8)
    args = parser.parse_args()
    har = str(args.har.resolve())
    with tempfile.TemporaryDirectory() as work:
        genson = [sys.executable, str(HERE / "bench_har.py"), "--child", "genson", har]
        out = str(Path(work) / "b.json")
        driftdiff = [sys.executable, "-m", "drift_diff", "baseline", har, "--out", out, "--force"]
        ratios = []
        for n in range(args.rounds):
            g, d = timed(genson, work), timed(driftdiff, work)
            ratios.append(g / d)
            print(
                f"round {n}: genson {g:.2f} s, driftdiff {d:.2f} s, ratio {g / d:.2f}", flush=True
            )
    print(f"median {statistics.median(ratios):.2f} (range {min(ratios):.2f}-{max(ratios):.2f})")


if __name__ == "__main__":
    main()
