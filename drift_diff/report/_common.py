"""Bits shared by the renderers."""

from __future__ import annotations

from drift_diff.diff import DiffResult
from drift_diff.model import Change, Severity

__all__ = ["ORDER", "by_severity", "headline"]

ORDER = (Severity.BREAKING, Severity.WARNING, Severity.INFO)


def by_severity(result: DiffResult, severity: Severity) -> list[Change]:
    return [c for c in result.changes if c.severity is severity]


def headline(result: DiffResult) -> str:
    s = result.summary
    text = f"{s['breaking']} breaking, {s['warning']} warning, {s['info']} info"
    if result.ignored:
        text += f" ({len(result.ignored)} ignored by config)"
    return text
