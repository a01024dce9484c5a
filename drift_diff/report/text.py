"""Plain-text report for a terminal (a table row per finding, one per underlying change, then
the summary). Control characters, line separators and bidi overrides in any field are written
as visible escapes (``drift_diff.controls``): one input value is one cell."""

from __future__ import annotations

import shutil

from drift_diff.controls import escape_controls as cell
from drift_diff.model import DiffResult
from drift_diff.report._common import headline, items

#: how the width left beside the severity and rule columns is shared: endpoint, location,
#: details (rule ids are never wrapped: they are copied into the config's ``ignore``)
_SHARES = (36, 40, 60)
#: "BREAKING" plus the two spaces between each of the five columns
_FIXED = len("BREAKING") + 2 * 4


def column_widths(rule_width: int, width: int | None = None) -> list[int | None]:
    """Wrap widths of the table's columns for a terminal ``width`` columns wide (default: the
    terminal's, or ``COLUMNS``; 200 when neither is known, as in a CI log). Never narrower
    than 80 in total."""
    total = width if width is not None else shutil.get_terminal_size((200, 24)).columns
    room = max(total, 80) - _FIXED - rule_width
    return [None, None, *(max(8, room * share // sum(_SHARES)) for share in _SHARES)]


def render(result: DiffResult, width: int | None = None) -> str:
    lines: list[str] = []
    if result.changes:
        rows = []
        for c in items(result):
            # every field may carry what a recording carried: CR, LF, NUL, ESC, bidi overrides
            # are shown as escapes, so one value stays one cell and one finding one row
            detail = cell(c.message) + (f"\n({cell(c.evidence)})" if c.evidence else "")
            rows.append(
                [
                    c.severity.value.upper(),
                    cell(c.rule),
                    cell(c.endpoint),
                    cell(c.location) or "-",
                    detail,
                ]
            )
        from tabulate import tabulate  # (its import reads package metadata: 40 ms)

        lines.append(
            tabulate(
                rows,
                headers=["severity", "rule", "endpoint", "location", "details"],
                tablefmt="simple",
                maxcolwidths=column_widths(max(len(r[1]) for r in rows), width),
            )
        )
        lines.append("")
    else:
        lines.append("No changes.")
    for note in result.expired_ignores:
        lines.append(f"note: {cell(note)}")
    lines.append(f"Summary: {headline(result)}")
    return "\n".join(lines) + "\n"
