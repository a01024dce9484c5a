"""Where inference time goes: ``python bench/infer_floor.py [--n 50000]``.

CPU time per exchange on one process over a seeded corpus (``infer_corpus``), best of two runs:
bare parse; parse while the last 3,200 parsed lines stay alive (what batches of 64 over 50
endpoints hold); parse + line check; and parse + check + learn for several batch sizes. Run it
on the pure build, or with the compiled build first on ``PYTHONPATH`` (``bench/build_compiled.py``).
The figures are quoted in the inference notes of ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path

import orjson

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from infer_corpus import write_corpus  # noqa: E402

from drift_diff.infer import endpoint  # noqa: E402
from drift_diff.infer.engine import Inference  # noqa: E402
from drift_diff.traffic.traces import check_exchange, too_deep  # noqa: E402


def per_exchange(
    path: Path, n: int, body: Callable[[bytes], None], end: Callable[[], None]
) -> float:
    """Best-of-two CPU µs per line of ``body(line)`` over the file, then ``end()``."""
    best = float("inf")
    for _ in range(2):
        start = time.process_time()
        with open(path, "rb") as fh:
            for line in fh:
                body(line)
        end()
        best = min(best, time.process_time() - start)
    return best / n * 1e6


def _learning(path: Path, n: int, checked: Callable[[bytes], object]) -> float:
    """Per exchange: parse, check and learn, then write the baseline (a fresh run each time)."""
    runs = [Inference()]

    def add(line: bytes) -> None:
        runs[-1].add(checked(line))  # type: ignore[arg-type]

    def finish() -> None:
        runs[-1].baseline()
        runs.append(Inference())

    return per_exchange(path, n, add, finish)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50_000)
    n = parser.parse_args().n
    path = write_corpus(HERE / "out" / f"corpus-{n}.jsonl", n)
    gc.disable()  # as inference runs
    held: deque[object] = deque(maxlen=3_200)
    rows = [
        ("orjson.loads", per_exchange(path, n, orjson.loads, held.clear)),
        (
            "loads, last 3,200 kept alive",
            per_exchange(path, n, lambda b: held.append(orjson.loads(b)), held.clear),
        ),
    ]

    def checked(line: bytes) -> object:
        obj = orjson.loads(line)
        check_exchange(obj)
        too_deep(line, obj)
        return obj

    rows.append(("loads + line check", per_exchange(path, n, checked, held.clear)))
    for size in (8, 16, 32, 64, 128):
        endpoint.BATCH = size  # the sweep is for the pure build: compiled code may inline it
        rows.append((f"loads + check + learn, batch {size}", _learning(path, n, checked)))
    build = "compiled" if endpoint.__file__.endswith(".so") else "pure Python"
    print(f"{n:,} exchanges, {build}, CPU µs per exchange (best of 2)")
    for name, micros in rows:
        print(f"  {name:34s} {micros:6.1f}")


if __name__ == "__main__":
    main()
