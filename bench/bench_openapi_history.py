"""Real OpenAPI history through ``driftdiff diff``: CPU seconds and peak memory per pair.

    python bench/bench_openapi_history.py [--lenient] [PAIR ...]

Each pair of ``../shared/conformance/openapi-history`` (``old.json.gz`` -> ``new.json.gz``) is
decompressed to a temporary folder and diffed by the real CLI in its own process
(``python -m drift_diff diff OLD NEW --format json``), so the figures are that process's own:
user+system CPU seconds and peak resident memory (``getrusage`` of the child). Prints a Markdown
table with the finding counts. The budget of issue 12.5 (Stripe: <= 20 CPU s, <= 1 GB) is
checked against these figures here, not asserted in a test.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HISTORY = ROOT.parent / "shared" / "conformance" / "openapi-history"


def _run(old: Path, new: Path, lenient: bool) -> tuple[float, float, str]:
    args = [sys.executable, "-m", "drift_diff", "diff", str(old), str(new), "--format", "json"]
    if lenient:
        args.append("--lenient-openapi")
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=err)
        assert proc.stdout is not None
        out = proc.stdout.read().decode()
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own rusage
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode()
    cpu = usage.ru_utime + usage.ru_stime
    peak_mb = usage.ru_maxrss / 1024  # kB on Linux
    if proc.returncode not in (0, 1):
        return cpu, peak_mb, "refused: " + stderr.strip()[:120]
    summary = json.loads(out)["summary"]
    return cpu, peak_mb, ", ".join(f"{v} {k}" for k, v in summary.items())


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("pairs", nargs="*")
    parser.add_argument("--lenient", action="store_true", help="pass --lenient-openapi")
    opts = parser.parse_args()
    pairs = opts.pairs or sorted(p.name for p in HISTORY.iterdir() if (p / "old.json.gz").exists())
    tmp = Path(tempfile.mkdtemp(prefix="driftdiff-history-"))
    print("| pair | size (old, MB) | CPU s | peak RSS (MB) | findings |")
    print("|---|---|---|---|---|")
    try:
        for name in pairs:
            sides = []
            for side in ("old", "new"):
                out = tmp / f"{name}-{side}.json"
                with gzip.open(HISTORY / name / f"{side}.json.gz") as src, open(out, "wb") as dst:
                    shutil.copyfileobj(src, dst)
                sides.append(out)
            cpu, peak, found = _run(sides[0], sides[1], opts.lenient)
            size = os.path.getsize(sides[0]) / 1e6
            print(f"| {name} | {size:.1f} | {cpu:.1f} | {peak:.0f} | {found} |", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
