"""Diff two baselines: a neutral structural diff (``structural``), judged by the rule catalogue.

    diff_baselines(base, current, config=None) -> DiffResult

When the current side is traffic the facts are re-read for coverage first
(``coverage.Semantics.OBSERVED``): what it did not exercise is unobserved, not removed. Then
deprecation and sunset are dated against ``today`` (``lifecycle``: a deprecated endpoint removed
after its sunset is retired, not broken; ``Config.deprecation_days`` is the notice required).
``apply_config`` turns any list of ``Change`` (from this diff or from replay) into a
``DiffResult`` with the configuration's severity overrides and ignores applied.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import replace
from functools import cache
from typing import TYPE_CHECKING, Any

from drift_diff.diff.coverage import Semantics, observe
from drift_diff.diff.evidence import evidence_for
from drift_diff.diff.facts import Fact
from drift_diff.diff.lifecycle import date_lifecycle
from drift_diff.diff.messages import message_for
from drift_diff.diff.registry import Rule, all_rules
from drift_diff.diff.structural import structural_diff
from drift_diff.model import Baseline, Change, DiffResult, IgnoredChange, Severity

if TYPE_CHECKING:  # only the type: loading a config (which checks rule ids) is above diff/
    from drift_diff.config import Config

__all__ = [
    "DiffResult",
    "IgnoredChange",
    "Semantics",
    "apply_config",
    "changes_from_facts",
    "diff_baselines",
]


@cache
def _rules_by_kind() -> dict[str, tuple[Rule, ...]]:
    index: dict[str, list[Rule]] = defaultdict(list)
    for r in all_rules():
        for kind in r.kinds:
            index[kind].append(r)
    return {k: tuple(v) for k, v in index.items()}


def _raises_concern(fact: Fact) -> bool:
    """Some rule would judge ``fact`` above info."""
    return any(
        r.severity is not Severity.INFO and r.check(fact)
        for r in _rules_by_kind().get(fact.kind, ())
    )


def changes_from_facts(facts: list[Fact] | Any) -> list[Change]:
    """Judge facts with the catalogue: one ``Change`` per (fact, rule that fires)."""
    index = _rules_by_kind()
    out: list[Change] = []
    seen: set[tuple[str, str, str]] = set()
    for fact in facts:
        for r in index.get(fact.kind, ()):
            if not r.check(fact):
                continue
            key = (r.id, fact.endpoint, fact.location)
            if key in seen:
                continue
            seen.add(key)
            out.append(
                Change(
                    rule=r.id,
                    severity=r.severity,
                    endpoint=fact.endpoint,
                    location=fact.location,
                    message=message_for(
                        r.id,
                        endpoint=fact.endpoint,
                        location=fact.location,
                        before=fact.before,
                        after=fact.after,
                    ),
                    before=fact.before,
                    after=fact.after,
                    evidence=evidence_for(fact),
                )
            )
    return out


def _sort_key(c: Change) -> tuple[int, str, str, str]:
    return (-c.severity.rank, c.endpoint, c.location, c.rule)


def apply_config(
    changes: list[Change], config: Config | None = None, *, today: dt.date | None = None
) -> DiffResult:
    """Severity overrides, then ignores (expired ones reported, never applied); sorted output."""
    today = today or dt.date.today()
    ignores = config.ignores if config is not None else ()
    overrides = config.severity if config is not None else {}
    live = [i for i in ignores if not i.expired(today)]
    result = DiffResult()
    for ig in ignores:
        if ig.expired(today):
            result.expired_ignores.append(
                f"{ig.describe()} expired on {ig.expires} and no longer applies "
                f"(reason was: {ig.reason})"
            )
    for c in changes:
        override = overrides.get(c.rule)
        if override is not None and override is not c.severity:
            c = replace(c, severity=override)
        hit = next((i for i in live if i.matches(c)), None)
        if hit is not None:
            result.ignored.append(IgnoredChange(c, hit.reason))
        else:
            result.changes.append(c)
    result.changes.sort(key=_sort_key)
    result.ignored.sort(key=lambda i: _sort_key(i.change))
    return result


def diff_baselines(
    base: Baseline,
    current: Baseline,
    *,
    config: Config | None = None,
    today: dt.date | None = None,
    semantics: Semantics = Semantics.STRICT,
) -> DiffResult:
    """Every change from ``base`` to ``current``, judged by the rule catalogue.

    ``Semantics.OBSERVED``: ``current`` is traffic, judged coverage-aware (``coverage``).
    """
    today = today or dt.date.today()
    facts: Any = structural_diff(base, current)
    if semantics is Semantics.OBSERVED:
        facts = observe(facts, current, _raises_concern)
    min_days = config.deprecation_days if config is not None else 0
    facts = date_lifecycle(facts, base, current, today=today, min_days=min_days)
    return apply_config(changes_from_facts(facts), config, today=today)
