"""Every report format renders any Change (diff rules and replay-* alike)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import jsonschema
import pytest

from drift_diff.config import Config
from drift_diff.diff import apply_config, diff_baselines
from drift_diff.errors import UsageError
from drift_diff.model import Change, DiffResult, Severity
from drift_diff.report import FORMATS, render
from drift_diff.report.github import escape_data, escape_property
from drift_diff.schemas import load_schema
from tests.support import REPO
from tests.unit._diff_cases import S, baseline, endpoint, obj, resp


def _result() -> DiffResult:
    base = endpoint(responses=resp(obj({"id": S, "name": S, "x": S}, {"x": 3})))
    cur = endpoint(responses=resp(obj({"id": {"type": "integer"}, "new": S})))
    changes = diff_baselines(baseline(base), baseline(cur)).changes
    changes.append(
        Change(
            rule="replay-value-changed",
            severity=Severity.WARNING,
            endpoint="GET /pets/{id}",
            location="response.200.body.name",
            message="value changed: a,b -> c%d\nnext",
            before="a",
            after="c",
        )
    )
    cfg = Config.from_dict(
        {
            "ignore": [
                {"rule": "response-required-property-added", "reason": "fine"},
                {"rule": "endpoint-added", "reason": "old", "expires": "2020-01-01"},
            ]
        }
    )
    return apply_config(changes, cfg)


def test_all_formats_render() -> None:
    result = _result()
    for fmt in FORMATS:
        assert render(result, fmt).strip()
    with pytest.raises(UsageError):
        render(result, "pdf")


def test_json_matches_schema() -> None:
    doc = json.loads(render(_result(), "json"))
    jsonschema.validate(doc, load_schema("report"))
    assert doc["summary"] == {"breaking": 2, "warning": 2, "info": 0}
    assert {
        "rule",
        "severity",
        "endpoint",
        "location",
        "before",
        "after",
        "message",
        "evidence",
        "fingerprint",
    } <= set(doc["changes"][0])
    assert doc["ignored"][0]["reason"] == "fine" and "expired" in doc["notes"][0]
    jsonschema.validate(json.loads(render(DiffResult(), "json")), load_schema("report"))


def test_text_and_markdown() -> None:
    text = render(_result(), "text")
    assert (
        "response-property-type-changed" in text
        and "Summary: 2 breaking, 2 warning, 0 info" in text
    )
    assert "note: ignore #2" in text
    assert render(DiffResult(), "text").startswith("No changes.")
    md = render(_result(), "markdown")
    assert md.startswith("## driftdiff: ❌ breaking changes found")
    assert "### 🔴 Breaking changes (2)" in md and "Ignored by config (1)" in md and "expired" in md
    assert "c%d next" in md  # newlines never break a table row


def test_github_annotations_are_escaped() -> None:
    assert escape_data("50%\r\nx") == "50%25%0D%0Ax"
    assert escape_property("a: b, c") == "a%3A b%2C c"
    lines = render(_result(), "github").splitlines()
    assert lines[0].startswith("::error title=response-")
    warn = next(line for line in lines if "replay-value-changed" in line)
    assert warn.startswith("::warning title=replay-value-changed%3A GET /pets/{id}::")
    assert "c%25d%0Anext" in warn and "\n" not in warn
    assert lines[-1].startswith("::notice title=driftdiff::")


def test_junit_and_sarif() -> None:
    root = ET.fromstring(render(_result(), "junit"))
    suite = root.find("testsuite")
    assert suite is not None and suite.get("failures") == "2"
    assert (
        len(suite.findall("testcase/failure")) == 2 and len(suite.findall("testcase/skipped")) == 1
    )
    clean = ET.fromstring(render(DiffResult(), "junit"))
    assert clean.find("testsuite/testcase") is not None
    sarif = json.loads(render(_result(), "sarif"))
    assert sarif["version"] == "2.1.0"
    run = sarif["runs"][0]
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert "endpoint-removed" in ids and "replay-value-changed" in ids
    for res in run["results"]:
        assert ids[res["ruleIndex"]] == res["ruleId"]
        assert (
            res["level"] in ("error", "warning", "note")
            and res["partialFingerprints"]["driftdiff/v1"]
        )


@pytest.mark.parametrize("with_changes", [True, False])
def test_junit_tests_count_every_testcase_ignored_ones_included(with_changes: bool) -> None:
    """``tests`` counts what the suite holds: failures, other findings and skipped (ignored)
    cases alike, or the one passing case of a run without changes."""
    result = _result()
    if not with_changes:
        result = DiffResult(ignored=result.ignored)
    suite = ET.fromstring(render(result, "junit")).find("testsuite")
    assert suite is not None
    cases = suite.findall("testcase")
    assert suite.get("skipped") == str(len(result.ignored)) == "1"
    assert suite.get("tests") == str(len(cases))
    assert len(suite.findall("testcase/skipped")) == 1
    assert (len(cases) > 2) is with_changes  # else: "no contract changes" and the ignored one


def test_sarif_gives_replay_rules_full_entries() -> None:
    """Replay rules come from the catalogue like the others: no stub entries."""
    driver = json.loads(render(_result(), "sarif"))["runs"][0]["tool"]["driver"]
    entries = {r["id"]: r for r in driver["rules"]}
    for rule_id in ("replay-value-changed", "replay-mock-not-found", "endpoint-removed"):
        entry = entries[rule_id]
        assert entry["shortDescription"]["text"] != rule_id
        assert entry["fullDescription"]["text"] and entry["help"]["text"]
        assert entry["defaultConfiguration"]["level"] in ("error", "warning", "note")
    assert entries["replay-value-changed"]["properties"]["area"] == "replay"


def test_sarif_without_docs_has_no_placeholder_uri_and_unknown_rules_are_full() -> None:
    from drift_diff.report import sarif

    result = DiffResult(
        changes=[Change("no-such-rule", Severity.WARNING, "GET /x", "", "odd", None, None)]
    )
    doc = json.loads(sarif.render(result))
    driver = doc["runs"][0]["tool"]["driver"]
    assert "informationUri" not in driver
    assert all("helpUri" not in r for r in driver["rules"])
    stub = next(r for r in driver["rules"] if r["id"] == "no-such-rule")
    assert stub["fullDescription"]["text"] and stub["help"]["markdown"]
    (res,) = doc["runs"][0]["results"]
    assert "physicalLocation" not in res["locations"][0]  # no baseline given: logical only


def test_sarif_help_uris_land_on_each_rules_own_row_of_rules_md() -> None:
    """Every rule's ``helpUri`` names an anchor that docs/rules.md defines exactly once, on
    the row of that rule (GitHub links ``#id`` to an ``<a id="id">`` in rendered Markdown)."""
    from drift_diff.report import sarif

    docs = "https://github.com/acme/shop/blob/main/docs"
    driver = json.loads(sarif.render(_result(), docs_url=docs))["runs"][0]["tool"]["driver"]
    rules_md = (REPO / "docs" / "rules.md").read_text("utf-8")
    anchors = re.findall(r'<a id="([^"]+)"></a>', rules_md)
    assert len(anchors) == len(set(anchors))
    assert len(driver["rules"]) == len(anchors)
    for rule in driver["rules"]:
        page, _, anchor = rule["helpUri"].partition("#")
        assert page == docs + "/rules.md"
        assert anchor == rule["id"]
        (row,) = [line for line in rules_md.splitlines() if f'<a id="{anchor}">' in line]
        assert row.startswith(f'| <a id="{anchor}"></a>`{rule["id"]}` |'), row
