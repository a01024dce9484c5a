"""One underlying schema change is one group in every report format; nothing is lost."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema

from drift_diff.baseline import dumps_baseline
from drift_diff.cli import main
from drift_diff.diff import diff_baselines
from drift_diff.diff.coverage import status_free
from drift_diff.model import DiffResult, Severity
from drift_diff.report import FORMATS, render
from drift_diff.report._common import Group, group_changes, items
from drift_diff.schemas import load_schema
from tests.unit._diff_cases import S, baseline, endpoint, obj, resp

OWNER = ("id", "login", "email", "avatar")
PATHS = ("/files/{id}", "/folders/{id}", "/users/{id}")


def _ep(path: str, owner: dict[str, Any], extra: dict[str, Any] | None = None) -> dict[str, Any]:
    body = obj({"owner": obj(owner), **(extra or {})})
    return {**endpoint(responses={**resp(body), **resp(body, "201")}), "path": path}


def _pair() -> tuple[Any, Any]:
    """A shared ``owner`` object lost four fields on three endpoints (24 findings: two statuses
    each), and one unrelated field changed type on one endpoint."""
    full = {k: S for k in (*OWNER, "name")}
    base = baseline(*(_ep(p, full, {"size": S}) for p in PATHS))
    cur = baseline(
        *(_ep(p, {"name": S}, {"size": {"type": "integer"} if p == PATHS[0] else S}) for p in PATHS)
    )
    return base, cur


def _result() -> DiffResult:
    return diff_baselines(*_pair())


def test_a_component_change_is_one_group_with_every_finding() -> None:
    result = _result()
    assert len(result.changes) == 3 * 4 * 2 + 2
    found = items(result)
    groups = [i for i in found if isinstance(i, Group)]
    assert len(groups) == 2 and len(found) == 2
    owner = next(g for g in groups if g.location == "response.body.owner")
    assert owner.rule == "response-required-property-removed"
    assert owner.severity is Severity.BREAKING
    assert owner.endpoints == tuple(sorted(f"GET {p}" for p in PATHS))
    assert owner.fields == tuple(sorted(f"response.body.owner.{k}" for k in OWNER))
    assert len(owner.changes) == 24
    size = next(g for g in groups if g is not owner)
    assert size.fields == ("response.body.size",) and size.endpoints == ("GET /files/{id}",)
    assert {c.location for c in size.changes} == {
        "response.200.body.size",
        "response.201.body.size",
    }


def test_unrelated_changes_stay_apart() -> None:
    base = baseline(_ep("/a", {"x": S}), _ep("/b", {"y": S}))
    cur = baseline(_ep("/a", {}), _ep("/b", {}))
    # different fields on different endpoints: two groups (one per endpoint's two statuses)
    found = items(diff_baselines(base, cur))
    assert [i.endpoint for i in found] == ["GET /a", "GET /b"]
    assert all(isinstance(i, Group) and len(i.changes) == 2 for i in found)
    assert group_changes([]) == []
    assert status_free("response.404") == "response.404"
    assert status_free("response.200.body.a[].b") == "response.body.a[].b"
    assert status_free("request.query.q") == "request.query.q"


def test_json_keeps_every_change_inside_its_group() -> None:
    doc = json.loads(render(_result(), "json"))
    jsonschema.validate(doc, load_schema("report"))
    assert doc["format"] == "driftdiff.report/1.1"
    assert len(doc["changes"]) == 26 and doc["summary"]["breaking"] == 26
    grouped = [c["fingerprint"] for g in doc["groups"] for c in g["changes"]]
    assert sorted(grouped) == sorted(c["fingerprint"] for c in doc["changes"])
    owner = next(g for g in doc["groups"] if g["location"] == "response.body.owner")
    assert len(owner["endpoints"]) == 3 and len(owner["fields"]) == 4


def test_every_format_shows_one_entry_per_group() -> None:
    result = _result()
    text = render(result, "text")
    assert text.count("response-required-property-removed") == 1
    assert "3 endpoints" in text and "Summary: 26 breaking" in text
    markdown = render(result, "markdown")
    assert markdown.count("response-required-property-removed") == 1
    github = render(result, "github")
    assert github.count("::error ") == 2
    junit = ET.fromstring(render(result, "junit"))
    suite = junit.find("testsuite")
    assert suite is not None and suite.get("tests") == "2" and suite.get("failures") == "2"
    sarif = json.loads(render(result, "sarif"))
    results = sarif["runs"][0]["results"]
    assert len(results) == 2
    owner = next(r for r in results if r["properties"]["findings"] == 24)
    assert len(owner["locations"]) == 24
    assert set(FORMATS) == {"text", "json", "markdown", "junit", "github", "sarif"}


def test_exit_code_is_unchanged_by_grouping(tmp_path: Path) -> None:
    base, cur = _pair()
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(dumps_baseline(base), "utf-8")
    b.write_text(dumps_baseline(cur), "utf-8")
    for fmt in FORMATS:
        out = tmp_path / f"r.{fmt}"
        assert main(["diff", str(a), str(b), "--fail-on-breaking", "-f", fmt, "-o", str(out)]) == 1
    assert main(["diff", str(a), str(a), "--fail-on-breaking"]) == 0
