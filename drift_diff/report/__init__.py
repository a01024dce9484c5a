"""Renderers of a ``DiffResult``: one module per format, picked by name.

    render(result, "markdown") -> str

Every renderer handles any ``Change`` (diff rules and ``replay-*`` findings alike). ``render``
redacts the result first (``drift_diff.redaction``): no format prints a secret.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from drift_diff.catalogue import Registry
from drift_diff.errors import UsageError
from drift_diff.model import DiffResult
from drift_diff.redaction import redact_result
from drift_diff.report import github, json_report, junit, markdown, sarif, text
from drift_diff.report._common import headline

__all__ = ["FORMATS", "RENDERERS", "ReportFormat", "headline", "render"]

Renderer = Callable[[DiffResult], str]

RENDERERS: Registry[Renderer] = Registry("report format")
RENDERERS.register("text", text.render)
RENDERERS.register("json", json_report.render)
RENDERERS.register("markdown", markdown.render)
RENDERERS.register("junit", junit.render)
RENDERERS.register("github", github.render)
RENDERERS.register("sarif", sarif.render)

FORMATS = tuple(RENDERERS.keys())
#: the same names as a type, so the CLI validates ``-f/--format`` up front and lists the choices
#: in ``--help`` (a unit test keeps it equal to ``FORMATS``)
ReportFormat = Literal["text", "json", "markdown", "junit", "github", "sarif"]


def render(result: DiffResult, fmt: str = "text") -> str:
    renderer = RENDERERS.get(fmt)
    if renderer is None:
        raise UsageError(f"unknown report format {fmt!r} (choose from {', '.join(FORMATS)})")
    return renderer(redact_result(result))
