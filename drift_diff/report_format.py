"""The names of the report formats, as a type: light enough for the command line to import
when it starts (``drift_diff.report`` imports every renderer, and the diff model with them,
which only the commands that render need).

``-f/--format`` is typed with it, so the command line validates it up front and lists the
choices in ``--help``; ``drift_diff.report`` registers one renderer per name (a unit test keeps
them equal).
"""

from __future__ import annotations

from typing import Literal

__all__ = ["ReportFormat"]

ReportFormat = Literal["text", "json", "markdown", "junit", "github", "sarif"]
