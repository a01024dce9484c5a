"""Inference: exchanges in, baseline out (and baselines merged).

    infer_baseline(exchanges)      stream exchange dicts into a ``Baseline``
    merge_baselines([a, b])        == infer_baseline(A + B), in any order and grouping
    template_path(path)            the endpoint template of one request path

Modules: ``paths`` (templating and the cardinality pass), ``formats`` (string shapes),
``strategies`` + ``containers`` + ``builder`` (genson extended), ``messages`` (headers, parameters),
``content`` / ``endpoint`` (what is learned per endpoint), ``engine`` (the accumulator),
``merge``, ``parallel`` (inference on several processes).
"""

from __future__ import annotations

from collections.abc import Iterable

from drift_diff.infer.builder import DriftSchemaBuilder
from drift_diff.infer.engine import UNKNOWN_SERVICE, Inference
from drift_diff.infer.merge import merge_baselines
from drift_diff.infer.paths import template_path
from drift_diff.model import Baseline, ExchangeRecord

__all__ = [
    "UNKNOWN_SERVICE",
    "DriftSchemaBuilder",
    "Inference",
    "infer_baseline",
    "merge_baselines",
    "template_path",
]


def infer_baseline(
    exchanges: Iterable[ExchangeRecord],
    *,
    service: str | None = None,
    sources: dict[str, int] | None = None,
    templates: Iterable[str] = (),
) -> Baseline:
    """Learn a baseline from exchanges (trace lines), streamed once.

    ``service`` overrides the name found in the exchanges; ``sources`` adds counts to the
    baseline's ``sources`` (the exchanges are always counted, in total and per source kind);
    ``templates`` are endpoint templates the user states (config ``paths:``), which win over
    inferred ones.
    """
    inference = Inference(service=service, templates=templates)
    for exchange in exchanges:
        inference.add(exchange)
    return inference.baseline(sources=sources)
