"""Benchmark of the diff: two baselines of 1,000 endpoints x ~50 properties, some changed.

    python bench/bench_diff.py            # prints the figures used in docs/benchmarks.md

Times ``diff_baselines`` alone (best of 5), and the CLI end to end (``driftdiff diff A B
--format json``: start-up, loading and validating both files, diff, rendering), best of 3.
"""

from __future__ import annotations

import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from drift_diff.baseline import load_baseline, save_baseline
from drift_diff.diff import diff_baselines
from drift_diff.model import Baseline

ENDPOINTS = 1000
PROPS = 50
SAMPLES = 5000


def _schema(rng: random.Random, mutate: bool, samples: int) -> dict[str, Any]:
    props: dict[str, Any] = {}
    for j in range(PROPS):
        kind = j % 5
        if kind == 0:
            s: dict[str, Any] = {"type": "string", "format": "uuid"}
        elif kind == 1:
            s = {"type": "integer"}
        elif kind == 2:
            s = {"type": "string", "x-values": ["a", "b", "c"]}
        elif kind == 3:
            s = {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"q": {"type": "integer", "x-seen": [samples, samples]}},
                    "required": ["q"],
                },
            }
        else:
            s = {"type": ["string", "null"]}
        props[f"p{j}"] = {**s, "x-seen": [samples, samples]}
    if mutate:
        victim = rng.randrange(PROPS)
        props.pop(f"p{victim}", None)
        props["p1"] = {"type": "string", "x-seen": [samples, samples]}
        props["added"] = {"type": "string", "x-seen": [10, samples]}
    return {"type": "object", "properties": props, "required": sorted(props)}


def make(seed: int, mutate: bool, samples: int = SAMPLES) -> Baseline:
    """A baseline; ``mutate`` changes every 10th endpoint and removes one. A different
    ``samples`` changes every presence count, so no subtree is equal and the diff walks all."""
    rng = random.Random(seed)
    endpoints = {}
    for i in range(ENDPOINTS):
        changed = mutate and i % 10 == 0
        ep = {
            "method": "GET",
            "path": f"/r{i}/{{id}}",
            "samples": samples,
            "query": {
                "type": "object",
                "properties": {"limit": {"type": "integer", "x-seen": [10, samples]}},
                "required": [],
            },
            "responses": {
                "200": {
                    "samples": samples,
                    "content": {
                        "application/json": {
                            "samples": samples,
                            "schema": _schema(rng, changed, samples),
                        }
                    },
                }
            },
        }
        endpoints[f"GET /r{i}/{{id}}"] = ep
    if mutate:
        endpoints.pop("GET /r999/{id}")
    return Baseline("bench", endpoints)


def best(fn: Any, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    base, current = make(1, False), make(1, True, samples=212)
    with tempfile.TemporaryDirectory() as tmp:
        a, b = Path(tmp) / "a.json", Path(tmp) / "b.json"
        save_baseline(base, a)
        save_baseline(current, b)
        size = a.stat().st_size / 1e6
        changes = diff_baselines(base, current).changes
        t_diff = best(lambda: diff_baselines(base, current), 5)
        t_self = best(lambda: diff_baselines(base, base), 5)
        same_changes = make(1, True)
        t_same = best(lambda: diff_baselines(base, same_changes), 5)
        t_load = best(lambda: (load_baseline(a), load_baseline(b)), 3)
        cmd = [sys.executable, "-m", "drift_diff", "diff", str(a), str(b), "--format", "json"]
        t_cli = best(lambda: subprocess.run(cmd, check=True, capture_output=True), 3)
        t_bare = best(
            lambda: subprocess.run(
                [sys.executable, "-m", "drift_diff", "version"], check=True, capture_output=True
            ),
            3,
        )
    print(
        f"baselines: {ENDPOINTS} endpoints x {PROPS} properties, {size:.1f} MB each; "
        f"{len(changes)} changes found"
    )
    print(f"diff_baselines (every count differs, 10% changed): {t_diff * 1000:6.0f} ms")
    print(f"diff_baselines (same counts, 10% changed):         {t_same * 1000:6.0f} ms")
    print(f"diff_baselines (a baseline against itself):       {t_self * 1000:6.0f} ms")
    print(f"load + schema-validate both files:                {t_load * 1000:6.0f} ms")
    print(f"CLI end to end (json report, first pair):         {t_cli * 1000:6.0f} ms")
    print(f"CLI start-up alone (driftdiff version):           {t_bare * 1000:6.0f} ms")


if __name__ == "__main__":
    main()
