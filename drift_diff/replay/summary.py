"""Plain-text views of a replay run: the per-request table and the one-line summary."""

from __future__ import annotations

from typing import Any

from drift_diff.controls import escape_controls
from drift_diff.replay.findings import PASS, ReplayRun

__all__ = ["summary_line", "summary_table"]

_DETAIL = 90


def _cut(text: str, limit: int = _DETAIL) -> str:
    """One cell: blanks (CR, LF, tabs...) as one space, other controls, NUL, ESC and bidi
    characters a recorded path may carry as visible escapes (one request stays one row)."""
    text = escape_controls(" ".join(text.split()))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def summary_table(run: ReplayRun, *, max_passing: int = 200) -> str:
    """One row per replayed request (passing rows beyond ``max_passing`` are counted, not shown)."""
    rows: list[list[Any]] = []
    hidden = 0
    shown_passing = 0
    for i, outcome in enumerate(run.outcomes, 1):
        if outcome.result == PASS:
            shown_passing += 1
            if shown_passing > max_passing:
                hidden += 1
                continue
        rows.append(
            [
                i,
                _cut(f"{outcome.method} {outcome.path}", 48),
                outcome.recorded_status,
                outcome.live_status if outcome.live_status is not None else "-",
                outcome.result,
                f"{outcome.duration_ms:.0f}",
                _cut(outcome.detail),
            ]
        )
    from tabulate import tabulate  # (its import reads package metadata: 40 ms)

    table = tabulate(
        rows,
        headers=["#", "request", "rec", "live", "result", "ms", "detail"],
        tablefmt="simple",
        disable_numparse=True,
    )
    if hidden:
        table += f"\n… and {hidden} more passing request(s)"
    return table


def summary_line(run: ReplayRun) -> str:
    counts = run.counts()
    parts = [f"{n} {name}" for name, n in counts.items() if n or name == PASS]
    line = (
        f"replayed {len(run.outcomes)} request(s) against {run.target} in "
        f"{run.elapsed_s:.1f}s: {', '.join(parts)}"
    )
    if run.service_exit:
        line += f"; {run.service_exit} during the run (later requests not sent)"
    return line
