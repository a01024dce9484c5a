"""Two halves of one real capture describe one unchanged API: diffing them finds nothing breaking.

Every HAR of ``../shared/conformance/har`` with at least 20 API exchanges is split in two
halves both ways (odd/even entries, first/second half), and each pair is diffed in both
directions through the real CLI (``driftdiff diff A B --fail-on-breaking --format json``,
in-process). What one half did not exercise must be reported as unobserved, never removed.
A real break put into one half (a field's type changed in every response of an endpoint both
halves exercised) must still be found.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from drift_diff.cli import main
from drift_diff.traffic.sources import iter_source_exchanges

pytestmark = pytest.mark.conformance

MIN_API_ENTRIES = 20
UNOBSERVED = {
    "endpoint-unobserved",
    "response-status-unobserved",
    "response-part-unobserved",
    "request-part-unobserved",
}


def _cli(*args: str) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(list(args))
    return code, err.getvalue()


def _captures(conformance_dir: Path) -> list[Path]:
    out = []
    for har in sorted((conformance_dir / "har").glob("*.har")):
        if har.name.startswith("broken"):
            continue
        if sum(1 for _ in iter_source_exchanges([str(har)])) >= MIN_API_ENTRIES:
            out.append(har)
    return out


def _write(doc: dict[str, Any], entries: list[Any], path: Path) -> Path:
    path.write_text(json.dumps({**doc, "log": {**doc["log"], "entries": entries}}), "utf-8")
    return path


def _diff(base: Path, current: Path, report: Path) -> tuple[int, dict[str, Any]]:
    code, err = _cli(
        "diff", str(base), str(current), "--fail-on-breaking", "--format", "json", "-o", str(report)
    )
    assert "Traceback" not in err, err
    return code, json.loads(report.read_text("utf-8"))


def _splits(entries: list[Any]) -> dict[str, tuple[list[Any], list[Any]]]:
    half = len(entries) // 2
    return {
        "odd-even": (entries[0::2], entries[1::2]),
        "first-second": (entries[:half], entries[half:]),
    }


def test_the_corpus_has_a_capture_big_enough(conformance_dir: Path) -> None:
    assert [p.name for p in _captures(conformance_dir)] == ["chrome-requestgenerator-665.har"]


def test_halves_of_one_capture_give_nothing_breaking(conformance_dir: Path, tmp_path: Path) -> None:
    for har in _captures(conformance_dir):
        doc = json.loads(har.read_text("utf-8-sig"))
        for name, (one, two) in _splits(doc["log"]["entries"]).items():
            a = _write(doc, one, tmp_path / f"{har.stem}-{name}-a.har")
            b = _write(doc, two, tmp_path / f"{har.stem}-{name}-b.har")
            for base, current in ((a, b), (b, a)):
                code, report = _diff(base, current, tmp_path / "report.json")
                where = f"{har.name} {name} {base.name} -> {current.name}"
                assert code == 0, where
                assert report["summary"]["breaking"] == 0, where
                assert report["summary"]["warning"] == 0, where
                rules = Counter(c["rule"] for c in report["changes"])
                # the gaps are there, as unobserved with their counts
                assert rules["endpoint-unobserved"] > 0 and rules["response-status-unobserved"] > 0
                assert "endpoint-removed" not in rules
                for c in report["changes"]:
                    if c["rule"] in UNOBSERVED:
                        assert c["severity"] == "info"
                        assert re.match(r"seen in \d+ (of \d+ )?\w+; ", c["evidence"]), c


def _edit(entry: dict[str, Any], field: str, drop: bool) -> dict[str, Any]:
    """The entry with ``field`` of its JSON response body dropped, or turned into text."""
    content = entry["response"]["content"]
    body = json.loads(content["text"])
    if drop:
        del body[field]
    else:
        body[field] = f"code {body[field]}"
    text = json.dumps(body)
    return {**entry, "response": {**entry["response"], "content": {**content, "text": text}}}


def _break(entries: list[Any], method: str, field: str, *, drop: bool) -> list[Any]:
    """``entries`` with ``field`` edited in every JSON response of ``method /api/status/...``."""
    return [
        _edit(e, field, drop)
        if e["request"]["method"] == method
        and "/api/status/" in e["request"]["url"]
        and (e["response"].get("content") or {}).get("text", "").startswith("{")
        else e
        for e in entries
    ]


def test_a_real_break_in_traffic_is_still_found(conformance_dir: Path, tmp_path: Path) -> None:
    har = conformance_dir / "har" / "chrome-requestgenerator-665.har"
    doc = json.loads(har.read_text("utf-8-sig"))
    entries = doc["log"]["entries"]
    second = entries[len(entries) // 2 :]
    whole = _write(doc, entries, tmp_path / "whole.har")

    code, report = _diff(whole, _write(doc, second, tmp_path / "second.har"), tmp_path / "r.json")
    assert code == 0 and report["summary"]["breaking"] == 0

    # a field's type changed in every response of an endpoint the second half exercised
    retyped = _break(second, "PUT", "statusExpected", drop=False)
    assert retyped != second
    code, report = _diff(whole, _write(doc, retyped, tmp_path / "t.har"), tmp_path / "t.json")
    assert code == 1
    breaking = [c for c in report["changes"] if c["severity"] == "breaking"]
    assert {(c["rule"], c["endpoint"]) for c in breaking} == {
        ("response-property-type-changed", "PUT /api/status/{status_id}/put")
    }
    assert len(breaking) > 1 and all(c["location"].endswith(".statusExpected") for c in breaking)
    # ... and it is one group (one field, every status)
    groups = [g for g in report["groups"] if g["severity"] == "breaking"]
    assert [g["fields"] for g in groups] == [["response.body.statusExpected"]]

    # a field removed from every response of an exercised endpoint: each status was answered
    # once, but pooled over its statuses the endpoint is evidence enough
    dropped = _break(second, "PATCH", "methodUsed", drop=True)
    code, report = _diff(whole, _write(doc, dropped, tmp_path / "d.har"), tmp_path / "d.json")
    assert code == 1
    breaking = [c for c in report["changes"] if c["severity"] == "breaking"]
    assert {(c["rule"], c["endpoint"]) for c in breaking} == {
        ("response-required-property-removed", "PATCH /api/status/{status_id}/patch")
    }
    assert all(c["location"].endswith(".body.methodUsed") for c in breaking)
