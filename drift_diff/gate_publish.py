"""What the gate publishes to GitHub from a JSON report: the report re-rendered in any format,
the step summary and ``$GITHUB_OUTPUT`` lines, the sticky pull-request comment, SARIF for code
scanning and the ``::error``/``::warning`` annotations anchored to the baseline file's lines.

``drift_diff.gate`` (one service) and ``drift_diff.gate_services`` (several) both publish
through these functions; deciding and running the check or diff stays in ``gate``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from drift_diff.model import Change, Severity

if TYPE_CHECKING:
    from drift_diff.gate import GateInputs
    from drift_diff.model import DiffResult

__all__ = [
    "anchored_annotations",
    "append_file",
    "docs_url",
    "post_comment",
    "render_report",
    "result_from_report",
    "sarif_artifact",
    "write_sarif",
]


def _change(item: Mapping[str, Any]) -> Change:
    try:
        severity = Severity(str(item.get("severity", "info")))
    except ValueError:
        severity = Severity.INFO
    return Change(
        rule=str(item.get("rule", "")),
        severity=severity,
        endpoint=str(item.get("endpoint", "")),
        location=str(item.get("location", "")),
        message=str(item.get("message", "")),
        before=item.get("before"),
        after=item.get("after"),
        evidence=str(item.get("evidence") or ""),
    )


def result_from_report(report: Mapping[str, Any]) -> DiffResult:
    """The ``DiffResult`` a JSON report was rendered from (so it can be rendered again)."""
    from drift_diff.model import DiffResult, IgnoredChange

    def items(key: str) -> list[Mapping[str, Any]]:
        value = report.get(key)
        return [i for i in value if isinstance(i, Mapping)] if isinstance(value, list) else []

    notes = report.get("notes")
    return DiffResult(
        changes=[_change(i) for i in items("changes")],
        ignored=[IgnoredChange(_change(i), str(i.get("reason", ""))) for i in items("ignored")],
        expired_ignores=[str(n) for n in notes] if isinstance(notes, list) else [],
    )


def render_report(report: Mapping[str, Any], fmt: str) -> str:
    """Render a JSON report again in ``fmt`` (any format of ``drift_diff.report``)."""
    from drift_diff.report import render

    text = render(result_from_report(report), fmt)
    return text if text.endswith("\n") else text + "\n"


def append_file(path: str | None, text: str) -> None:
    if not path:
        return
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(text)


def post_comment(env: Mapping[str, str], service: str, markdown: str) -> None:
    """The sticky PR comment; a failure is one warning line (the verdict does not change)."""
    from drift_diff.pr_comment import CommentError, upsert_comment
    from drift_diff.report.github import escape_data

    try:
        done = upsert_comment(env, service, markdown)
    except CommentError as exc:
        message = f"pull-request comment not posted: {exc}"
        sys.stdout.write(f"::warning title=driftdiff::{escape_data(message)}\n")
        return
    if done:
        sys.stdout.write(f"driftdiff: pull-request comment {done}\n")


def docs_url(env: Mapping[str, str]) -> str | None:
    """Where this driftdiff's ``docs/`` folder is browsable: the action's repository at the
    action's ref (``GITHUB_ACTION_REPOSITORY``/``GITHUB_ACTION_REF``), or, for ``uses: ./``, the
    workflow's own repository at its commit; ``None`` outside a runner."""
    import re
    import urllib.parse

    server = env.get("GITHUB_SERVER_URL", "").rstrip("/")
    repo = env.get("GITHUB_ACTION_REPOSITORY") or env.get("GITHUB_REPOSITORY", "")
    ref = env.get("GITHUB_ACTION_REF") or env.get("GITHUB_SHA", "")
    if urllib.parse.urlsplit(server).scheme != "https" or not ref:
        return None
    if not re.fullmatch(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+", repo):
        return None
    return f"{server}/{repo}/blob/{urllib.parse.quote(ref, safe='')}/docs"


def sarif_artifact(baseline: str, env: Mapping[str, str]) -> str:
    """The baseline's path as code scanning wants it: relative to the repository root."""
    path = Path(baseline)
    workspace = env.get("GITHUB_WORKSPACE")
    if workspace:  # relative paths start in the working directory (``working-directory``)
        try:
            return Path(os.path.abspath(path)).relative_to(os.path.abspath(workspace)).as_posix()
        except ValueError:
            pass
    return path.as_posix()


def write_sarif(
    report: Mapping[str, Any], inputs: GateInputs, env: Mapping[str, str], path: Path
) -> None:
    """SARIF for ``upload-sarif``, each result located in the baseline file."""
    from drift_diff.redaction import redact_result
    from drift_diff.report import sarif

    text = sarif.render(
        redact_result(result_from_report(report)),
        artifact=inputs.baseline,
        artifact_uri=sarif_artifact(inputs.baseline, env),
        docs_url=docs_url(env),
    )
    path.write_text(text, "utf-8")


def anchored_annotations(
    report: Mapping[str, Any], inputs: GateInputs, env: Mapping[str, str]
) -> str:
    """The ``::error``/``::warning`` lines, anchored to the baseline file at each endpoint's
    line so they show on the pull request's diff."""
    from drift_diff.redaction import redact_result
    from drift_diff.report import github
    from drift_diff.report.baseline_lines import key_lines

    return github.render(
        redact_result(result_from_report(report)),
        file=sarif_artifact(inputs.baseline, env),
        key_lines=key_lines(inputs.baseline),
    )
