"""JSON report (``schemas/report.schema.json``): summary, changes, ignored findings, notes."""

from __future__ import annotations

import json
from typing import Any

from drift_diff.diff import DiffResult

REPORT_FORMAT = "driftdiff.report/1"


def to_document(result: DiffResult) -> dict[str, Any]:
    return {"format": REPORT_FORMAT, **result.to_dict()}


def render(result: DiffResult) -> str:
    return json.dumps(to_document(result), indent=2, ensure_ascii=False, default=str) + "\n"
