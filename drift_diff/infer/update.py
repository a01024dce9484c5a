"""``update_baseline``: a committed baseline brought up to an intended contract change.

A pull request that changes the contract on purpose re-records the endpoints it changed and
updates the committed baseline with that traffic, so the reviewer sees the contract change as a
diff of the baseline file. Two ways to combine:

- **replace** (default): every endpoint the new traffic exercised is what the new traffic shows
  (the old record of it is gone: a removed field is removed), except response statuses the new
  traffic did not produce, which are kept; an endpoint the new traffic did not exercise is kept
  as it was (not exercised is *unobserved*, never *removed*). Endpoints are the same when only
  their path-parameter names differ (``/users/{id}`` = ``/users/{uid}``).
- **merge**: the new traffic is added to the old evidence (``merge_baselines``): for a contract
  that widened (a new optional field, a new status), never for one that narrowed.

Endpoints retired on purpose are named by ``drop`` patterns (``driftdiff_sdk.scope`` syntax);
each must match an endpoint, so a typo is an error rather than a no-op.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from driftdiff_sdk.scope import Excluder

from drift_diff.errors import UsageError, quoted
from drift_diff.infer.merge import merge_baselines
from drift_diff.model import Baseline
from drift_diff.records import EndpointRecord

__all__ = ["BaselineUpdate", "endpoint_templates", "update_baseline"]

_PARAM = re.compile(r"\{[^}/]*\}")


@dataclass(frozen=True)
class BaselineUpdate:
    """The updated baseline and what happened to each endpoint key (sorted)."""

    baseline: Baseline
    replaced: tuple[str, ...]  # exercised by the new traffic (replaced, or merged into)
    added: tuple[str, ...]
    kept: tuple[str, ...]  # not exercised: as they were
    dropped: tuple[str, ...]

    def summary(self) -> str:
        return ", ".join(
            f"{len(keys)} {what}"
            for keys, what in (
                (self.replaced, "updated"),
                (self.added, "added"),
                (self.dropped, "dropped"),
                (self.kept, "kept (not exercised)"),
            )
        )


def _shape(key: str) -> str:
    return _PARAM.sub("{}", key)


def _samples(record: object) -> int:
    value = record.get("samples", 0) if isinstance(record, dict) else 0
    return value if isinstance(value, int) else 0


def _with_unexercised_statuses(record: EndpointRecord, old: EndpointRecord) -> EndpointRecord:
    """``record`` plus the response statuses of ``old`` the new traffic did not produce (a 404
    not provoked this time is unobserved, not gone), their samples counted in."""
    responses = record.get("responses") or {}
    missing = {s: r for s, r in (old.get("responses") or {}).items() if s not in responses}
    if not missing:
        return record
    merged = cast(dict[str, Any], dict(record))
    merged["responses"] = {**responses, **missing}
    merged["samples"] = _samples(record) + sum(_samples(r) for r in missing.values())
    return cast(EndpointRecord, merged)


def _carried_sources(previous: Baseline, learned: Baseline, kept: list[str]) -> dict[str, int]:
    """``learned``'s counts plus the share of ``previous``'s that the kept endpoints stand for
    (by their samples): an update with the same traffic gives the same file."""
    sources = dict(learned.sources)
    total = sum(_samples(r) for r in previous.endpoints.values())
    share = sum(_samples(previous.endpoints[k]) for k in kept)
    if not total or not share:
        return sources
    for kind, count in previous.sources.items():
        sources[kind] = sources.get(kind, 0) + count * share // total
    return sources


def endpoint_templates(baseline: Baseline) -> list[str]:
    """The path templates of ``baseline``'s endpoints: new traffic is learned under them, so an
    endpoint keeps its key (``/products/7`` seen once is still ``/products/{product_id}``)."""
    paths = {key.split(" ", 1)[1] for key in baseline.endpoints if " " in key}
    return sorted(p for p in paths if "{" in p)


def update_baseline(
    previous: Baseline,
    learned: Baseline,
    *,
    merge: bool = False,
    drop: Sequence[str] = (),
    service: str | None = None,
) -> BaselineUpdate:
    """``previous`` updated with ``learned`` (see the module docstring); ``drop``: patterns of
    endpoints to remove, each of which must match one (``UsageError`` otherwise)."""
    name = service or previous.service
    before = {_shape(k): k for k in previous.endpoints}
    exercised = {_shape(k) for k in learned.endpoints}
    if merge:
        combined = merge_baselines([previous, learned], service=name)
        endpoints, sources = dict(combined.endpoints), dict(combined.sources)
    else:
        endpoints = {k: v for k, v in previous.endpoints.items() if _shape(k) not in exercised}
        for key, record in learned.endpoints.items():
            old_key = before.get(_shape(key))
            endpoints[key] = (
                record
                if old_key is None
                else _with_unexercised_statuses(record, previous.endpoints[old_key])
            )
        unexercised = [k for k in previous.endpoints if _shape(k) not in exercised]
        sources = _carried_sources(previous, learned, unexercised)
    dropped: set[str] = set()
    for pattern in drop:
        matcher = Excluder([pattern], defaults=False)
        hits = {k for k in endpoints if " " in k and matcher.excludes(*k.split(" ", 1))}
        if not hits:
            raise UsageError(
                f"--drop {quoted(pattern)} matches no endpoint of the updated baseline"
            )
        dropped |= hits
    for key in dropped:
        del endpoints[key]
    now = {_shape(k) for k in endpoints}
    known = [k for k in endpoints if _shape(k) in before]
    return BaselineUpdate(
        baseline=Baseline(service=name, endpoints=endpoints, sources=sources),
        replaced=tuple(sorted(k for k in known if _shape(k) in exercised)),
        added=tuple(sorted(k for k in endpoints if _shape(k) not in before)),
        kept=tuple(sorted(k for k in known if _shape(k) not in exercised)),
        dropped=tuple(sorted(dropped | {k for k in previous.endpoints if _shape(k) not in now})),
    )
