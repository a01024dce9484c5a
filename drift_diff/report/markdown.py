"""Markdown report for a PR comment or a job step summary.

Headline counts, a table per severity (info collapsed in ``<details>``), notes last.

Every field may hold what a recording or a document carried, so nothing is written raw: line
breaks (CR, LF, Unicode separators) become spaces so a finding stays one table row; in plain
text ``text`` escapes Markdown punctuation and HTML, and breaks ``@name`` so no one is
mentioned; ``code`` picks a backtick fence longer than any run inside the value. Pipes are
escaped in both (GitHub splits table cells before it reads code spans).
"""

from __future__ import annotations

import re

from drift_diff.model import DiffResult, Severity
from drift_diff.report._common import ORDER, Finding, headline, items_by_severity

_TITLE = {
    Severity.BREAKING: "Breaking changes",
    Severity.WARNING: "Warnings",
    Severity.INFO: "Info",
}
_ICON = {Severity.BREAKING: "🔴", Severity.WARNING: "🟠", Severity.INFO: "🔵"}


#: every character a Markdown or GitHub reader takes as a line break
_BREAKS = re.compile("\r\n|[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
#: other control characters (terminal escapes among them) and the bidi marks, embeddings,
#: overrides and isolates (they reorder the text around them): dropped
_CONTROLS = re.compile(
    "[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)
#: punctuation that means something mid-line (emphasis, links, HTML, code, cells, math)
_PUNCTUATION = re.compile(r"([\\`*_\[\]<>|~&$])")
#: "@name" would notify the user or team on GitHub
_MENTION = re.compile(r"(?<![A-Za-z0-9])@(?=[A-Za-z0-9])")


def _one_line(value: str) -> str:
    return _CONTROLS.sub("", _BREAKS.sub(" ", value))


def text(value: str) -> str:
    """``value`` as inline Markdown text that renders literally, on one line."""
    escaped = _PUNCTUATION.sub(r"\\\1", _one_line(value))
    return _MENTION.sub("@\u2060", escaped)


def code(value: str) -> str:
    """``value`` as an inline code span on one line (empty: an em dash)."""
    value = _one_line(value).replace("|", "\\|")
    if not value.strip():
        return "—"
    longest = max((len(run) for run in re.findall("`+", value)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if value.startswith("`") or value.endswith("`") or longest else ""
    return f"{fence}{pad}{value}{pad}{fence}"


def _table(changes: list[Finding]) -> list[str]:
    lines = ["| endpoint | location | change | evidence | rule |", "|---|---|---|---|---|"]
    for c in changes:
        lines.append(
            f"| {code(c.endpoint)} | {code(c.location)} | {text(c.message)} | "
            f"{text(c.evidence) or '—'} | {code(c.rule)} <sub>{c.fingerprint}</sub> |"
        )
    return lines


def render(result: DiffResult) -> str:
    verdict = (
        "❌ breaking changes found" if result.count(Severity.BREAKING) else "✅ no breaking changes"
    )
    lines = [f"## driftdiff: {verdict}", "", f"**{headline(result)}**", ""]
    for sev in ORDER:
        changes: list[Finding] = list(items_by_severity(result, sev))
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
            f"- {code(i.change.rule)} {code(i.change.endpoint)} {code(i.change.location)} — "
            f"{text(i.reason)}"
            for i in result.ignored
        ]
        lines += ["", "</details>", ""]
    for note in result.expired_ignores:
        lines.append(f"> ⚠️ {text(note)}")
    return "\n".join(lines).rstrip() + "\n"
