"""Where the wall time of a split HAR baseline goes: ``python bench/har_timeline.py HAR``.

Runs ``infer_sources([HAR])`` in this process (default ``--workers``: the machine's cores) and
prints, as they end, each step of ``drift_diff.infer.har_parts`` with its process id: the
load, each slice's text sent to a worker, each slice's conversion, redaction and learning, and
the merge (seconds taken, and seconds since start). Before/after: run it with another revision
first on ``PYTHONPATH`` (``git archive REV drift_diff sdk/driftdiff_sdk | tar -x -C DIR``, then
``PYTHONSAFEPATH=1 PYTHONPATH=DIR:DIR/sdk python bench/har_timeline.py HAR`` from outside the
checkout), alternating with this tree. Steps the revision does not have are not shown.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from typing import Any

T0 = time.perf_counter()


def _timed(module: Any, name: str, label: str) -> None:
    fn: Callable[..., Any] | None = getattr(module, name, None)
    if fn is None:
        return

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        result = fn(*args, **kwargs)
        piece = args[1] if label in ("slice", "text") else ""
        took, now = time.perf_counter() - start, time.perf_counter() - T0
        print(f"{os.getpid()} {label} {piece} {took:.2f} s, ends at {now:.2f}", file=sys.stderr)
        return result

    setattr(module, name, wrapper)


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit(__doc__.splitlines()[0])
    import drift_diff.infer.har_parts as parts
    from drift_diff.infer.parallel import infer_sources

    for name, label in (
        ("load_har", "load"),
        ("_slice_text", "text"),
        ("_run_slice", "slice"),
        ("merge_baselines", "merge"),
    ):
        _timed(parts, name, label)
    infer_sources([sys.argv[1]])
    print(f"total {time.perf_counter() - T0:.2f} s ({parts.__file__})", file=sys.stderr)


if __name__ == "__main__":
    main()
