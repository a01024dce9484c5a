"""Renderers of a ``DiffResult``: one module per format, picked by name.

    render(result, "markdown") -> str

Every renderer handles any ``Change`` (diff rules and ``replay-*`` findings alike). ``render``
redacts the result first (``drift_diff.redaction``): no format prints a secret.
"""

from __future__ import annotations

from collections.abc import Callable

from drift_diff.catalogue import Registry
from drift_diff.errors import UsageError, quoted
from drift_diff.model import DiffResult
from drift_diff.redaction import redact_result
from drift_diff.report import github, json_report, junit, markdown, sarif, text
from drift_diff.report._common import headline
from drift_diff.report.baseline_lines import key_lines, repository_path
from drift_diff.report_format import ReportFormat

__all__ = ["FORMATS", "RENDERERS", "ReportFormat", "headline", "render"]

Renderer = Callable[[DiffResult], str]

RENDERERS: Registry[Renderer] = Registry("report format")
RENDERERS.register("text", text.render)
RENDERERS.register("json", json_report.render)
RENDERERS.register("markdown", markdown.render)
RENDERERS.register("junit", junit.render)
RENDERERS.register("github", github.render)
RENDERERS.register("sarif", sarif.render)

FORMATS = tuple(RENDERERS.keys())  # ``ReportFormat`` names the same (a unit test keeps them equal)


def render(result: DiffResult, fmt: str = "text", *, baseline: str | None = None) -> str:
    """``result`` in ``fmt``. ``baseline``: the file the findings are against; when it is a
    local file, ``sarif`` locates each result in it and ``github`` anchors each annotation to
    it, at the line of the endpoint's key, so they show on a pull request's diff."""
    renderer = RENDERERS.get(fmt)
    if renderer is None:
        raise UsageError(f"unknown report format {quoted(fmt)} (choose from {', '.join(FORMATS)})")
    redacted = redact_result(result)
    anchor = repository_path(baseline) if fmt in ("sarif", "github") else None
    if anchor is not None and fmt == "sarif":
        return sarif.render(redacted, artifact=baseline, artifact_uri=anchor)
    if anchor is not None and fmt == "github":
        return github.render(redacted, file=anchor, key_lines=key_lines(baseline))
    return renderer(redacted)
