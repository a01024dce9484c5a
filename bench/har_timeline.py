"""Where the wall time of a split HAR baseline goes: ``python bench/har_timeline.py HAR``.

Runs ``infer_sources([HAR])`` in this process (default ``--workers``: the machine's cores) and
prints, as they end, each step of ``drift_diff.infer.har_pieces`` (the file cut into pieces of
its bytes, its digest, each piece's parse, its whole work and its learning) and of
``drift_diff.infer.har_parts`` (a file parsed whole: the load, each slice's text sent to a
worker, each slice's conversion, redaction and learning; the merge), with its process id
(seconds taken, and seconds since start). Before/after: run it with another revision
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
        piece = args[1] if label in ("slice", "text", "parse", "piece") else ""
        took, now = time.perf_counter() - start, time.perf_counter() - T0
        print(f"{os.getpid()} {label} {piece} {took:.2f} s, ends at {now:.2f}", file=sys.stderr)
        return result

    setattr(module, name, wrapper)


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit(__doc__.splitlines()[0])
    import drift_diff.infer.har_parts as parts
    import drift_diff.infer.har_pieces as pieces
    from drift_diff.infer.parallel import infer_sources

    for module, name, label in (
        (parts, "load_har", "load"),
        (parts, "_slice_text", "text"),
        (parts, "_run_slice", "slice"),
        (parts, "merge_baselines", "merge"),
        (pieces, "cut_entries", "cut"),
        (pieces, "har_digest", "digest"),
        (pieces, "parse_piece", "parse"),
        (pieces, "_piece", "piece"),
        (pieces, "job_result", "learn"),
    ):
        _timed(module, name, label)
    infer_sources([sys.argv[1]])
    print(f"total {time.perf_counter() - T0:.2f} s ({parts.__file__})", file=sys.stderr)


if __name__ == "__main__":
    main()
