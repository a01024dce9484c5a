"""Plain-text report for a terminal (a table row per finding, one per underlying change, then
the summary)."""

from __future__ import annotations

from tabulate import tabulate

from drift_diff.diff import DiffResult
from drift_diff.report._common import headline, items


def render(result: DiffResult) -> str:
    lines: list[str] = []
    if result.changes:
        rows = []
        for c in items(result):
            detail = c.message + (f"\n({c.evidence})" if c.evidence else "")
            rows.append([c.severity.value.upper(), c.rule, c.endpoint, c.location or "-", detail])
        lines.append(
            tabulate(
                rows,
                headers=["severity", "rule", "endpoint", "location", "details"],
                tablefmt="simple",
                maxcolwidths=[None, 40, 36, 40, 60],
            )
        )
        lines.append("")
    else:
        lines.append("No changes.")
    for note in result.expired_ignores:
        lines.append(f"note: {note}")
    lines.append(f"Summary: {headline(result)}")
    return "\n".join(lines) + "\n"
