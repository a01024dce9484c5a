"""``merge_baselines``: one baseline from several, equal to inferring from all their traffic.

Every statistic in a baseline is sufficient to continue learning (counts, candidate formats,
value sets below the cap, key sets before map detection), so merging is re-adding each baseline's
entries into one ``Inference`` and finishing it — including the cardinality pass, which may fold
literal endpoints that only the union has enough of.
"""

from __future__ import annotations

from collections.abc import Sequence

from drift_diff.errors import UsageError
from drift_diff.infer.engine import Inference
from drift_diff.model import Baseline

__all__ = ["merge_baselines"]


def merge_baselines(baselines: Sequence[Baseline], *, service: str | None = None) -> Baseline:
    """``merge_baselines([infer(A), infer(B)]) == infer(A + B)``; the order does not matter."""
    if not baselines:
        raise UsageError("nothing to merge: give at least one baseline")
    inference = Inference(service=service)
    for baseline in baselines:
        inference.add_baseline(baseline)
    return inference.baseline()
