"""JSON report (``schemas/report.schema.json``): summary, every change, the groups (one per
underlying change, each holding its changes in full), ignored findings, notes."""

from __future__ import annotations

import json
from typing import Any

from drift_diff.controls import json_text
from drift_diff.model import DiffResult
from drift_diff.report._common import Group, items

#: 1.1 added ``groups``; a 1.0 reader still finds every change in ``changes``
REPORT_FORMAT = "driftdiff.report/1.1"


def to_document(result: DiffResult) -> dict[str, Any]:
    doc = {"format": REPORT_FORMAT, **result.to_dict()}
    doc["groups"] = [i.to_dict() for i in items(result) if isinstance(i, Group)]
    return doc


def render(result: DiffResult) -> str:
    text = json.dumps(to_document(result), indent=2, ensure_ascii=False, default=str)
    return json_text(text) + "\n"
