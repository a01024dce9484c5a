"""Markdown report for a PR comment or a job step summary.

Headline counts, a table per severity (info collapsed in ``<details>``), notes last.
"""

from __future__ import annotations

from drift_diff.diff import DiffResult
from drift_diff.model import Change, Severity
from drift_diff.report._common import ORDER, by_severity, headline

_TITLE = {
    Severity.BREAKING: "Breaking changes",
    Severity.WARNING: "Warnings",
    Severity.INFO: "Info",
}
_ICON = {Severity.BREAKING: "🔴", Severity.WARNING: "🟠", Severity.INFO: "🔵"}


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("<", "&lt;")


def _table(changes: list[Change]) -> list[str]:
    lines = ["| endpoint | location | change | evidence | rule |", "|---|---|---|---|---|"]
    for c in changes:
        loc = f"`{_cell(c.location)}`" if c.location else "—"
        lines.append(
            f"| `{_cell(c.endpoint)}` | {loc} | {_cell(c.message)} | {_cell(c.evidence) or '—'} | "
            f"`{c.rule}` <sub>{c.fingerprint}</sub> |"
        )
    return lines


def render(result: DiffResult) -> str:
    verdict = (
        "❌ breaking changes found" if result.count(Severity.BREAKING) else "✅ no breaking changes"
    )
    lines = [f"## driftdiff: {verdict}", "", f"**{headline(result)}**", ""]
    for sev in ORDER:
        changes = by_severity(result, sev)
        if not changes:
            continue
        title = f"{_ICON[sev]} {_TITLE[sev]} ({len(changes)})"
        if sev is Severity.INFO:
            lines += [
                "<details>",
                f"<summary>{title}</summary>",
                "",
                *_table(changes),
                "",
                "</details>",
                "",
            ]
        else:
            lines += [f"### {title}", "", *_table(changes), ""]
    if result.ignored:
        lines += ["<details>", f"<summary>Ignored by config ({len(result.ignored)})</summary>", ""]
        lines += [
            f"- `{i.change.rule}` {_cell(i.change.endpoint)} `{_cell(i.change.location)}` — "
            f"{_cell(i.reason)}"
            for i in result.ignored
        ]
        lines += ["", "</details>", ""]
    for note in result.expired_ignores:
        lines.append(f"> ⚠️ {_cell(note)}")
    return "\n".join(lines).rstrip() + "\n"
