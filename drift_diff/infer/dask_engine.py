"""The Dask executor of the partition/merge engine: units on Dask workers, then a tree merge.

``run_on_dask`` maps ``infer_unit`` over the units, then merges results pairwise on the
workers until one is left (a tree: no single worker or the client holds every part at once).
Merging is associative, so the result is byte-identical to the single-process baseline.
A lost worker is Dask's to handle: the scheduler reruns its tasks elsewhere (up to its
``distributed.scheduler.allowed-failures``). A bad line fails the run with the worker's own
``InputError`` naming the file (or URL) and line, as a one-process run would; only other
surprises (an unreadable file) fall back to the sequential reader (``parallel.Fallback``).

``dask.distributed`` is an optional extra (``pip install 'driftdiff[dask]'``), imported here only.
With a remote scheduler, the workers read the sources themselves: give URLs they can reach
(``s3://...``), not paths on this machine.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from drift_diff.errors import InputError, UsageError
from drift_diff.infer.parallel import (
    WORKER_FAILURES,
    Fallback,
    Result,
    Unit,
    infer_unit,
    merge_results,
)
from drift_diff.model import Baseline

__all__ = ["run_on_dask"]

#: How many parts one merge task takes (the fan-in of the merge tree).
MERGE_FAN_IN = 4


def run_on_dask(
    units: list[Unit],
    service: str | None,
    templates: tuple[str, ...],
    *,
    workers: int,
    scheduler: str | None,
) -> tuple[Baseline, dict[str, int]]:
    """Infer ``units`` on the Dask cluster at ``scheduler`` (or a new ``LocalCluster``)."""
    with _client(workers, scheduler) as client:
        try:
            level = client.map(infer_unit, units, service=service, templates=templates)
            while len(level) > 1:
                level = [
                    client.submit(_merge_group, level[i : i + MERGE_FAN_IN], service)
                    for i in range(0, len(level), MERGE_FAN_IN)
                ]
            data, counts = level[0].result()
        except InputError:
            raise  # a bad line, named (file or URL, line) by the worker that read it
        except WORKER_FAILURES:
            raise Fallback() from None
    return merge_results([(data, counts)], service)


def _merge_group(results: list[Result], service: str | None) -> Result:
    """Worker: merge some parts into one (a node of the merge tree)."""
    baseline, counts = merge_results(results, service)
    return baseline.to_dict(), counts


@contextmanager
def _client(workers: int, scheduler: str | None) -> Iterator[Any]:
    try:  # an optional extra, untyped: used through ``Any``
        distributed: Any = importlib.import_module("dask.distributed")
    except ImportError:
        raise UsageError(
            "--engine dask needs dask.distributed: pip install 'driftdiff[dask]'"
        ) from None
    if scheduler:
        try:
            client = distributed.Client(scheduler, timeout=30)
        except OSError as exc:
            raise UsageError(f"cannot reach the Dask scheduler {scheduler}: {exc}") from None
        with client:
            yield client
        return
    with (
        distributed.LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client
