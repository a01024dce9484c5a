"""Agreement with oasdiff's own fixtures (../shared/conformance/oasdiff/cases.tsv).

For each pair: diff base -> revision and check that a change of the expected severity is
reported on an affected endpoint. Affected endpoints are derived from the documents (the
operations whose normalised form differs, plus those present on one side only); no file is
special-cased. Many fixtures are loose documents that openapi-spec-validator refuses, so the
pairs are diffed leniently (``validate=False`` / ``--lenient-openapi``); the number refused is
printed. See docs/oasdiff-conformance.md.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from drift_diff.diff import diff_baselines
from drift_diff.diff.refs import RefPair
from drift_diff.diff.structural import match_key
from drift_diff.errors import OpenAPIError
from drift_diff.model import Baseline
from drift_diff.openapi import load_document, load_openapi, validate_openapi
from tests.support import run_cli

pytestmark = pytest.mark.conformance
TARGET = 0.95


def _cases(conformance_dir: Path) -> list[dict[str, str]]:
    with open(conformance_dir / "oasdiff" / "cases.tsv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def affected_endpoints(base: Baseline, revision: Baseline) -> set[str]:
    bmap = {match_key(k): k for k in base.endpoints}
    rmap = {match_key(k): k for k in revision.endpoints}
    refs = RefPair(base.refs, revision.refs)  # a change behind a named schema counts too
    out = set()
    for mk in set(bmap) | set(rmap):
        b, r = bmap.get(mk), rmap.get(mk)
        if b is None or r is None:
            out.add(r or b or mk)
        elif not refs.same(
            base.endpoints[b], {**revision.endpoints[r], "path": base.endpoints[b]["path"]}
        ):
            out.update({b, r})
    return out


def _judge(data: Path, row: dict[str, str]) -> tuple[bool, str]:
    base = load_openapi(data / row["base"], validate=False)
    revision = load_openapi(data / row["revision"], validate=False)
    affected = affected_endpoints(base, revision)
    changes = diff_baselines(base, revision).changes
    hits = [
        c
        for c in changes
        if c.severity.value == row["expected_severity"] and c.endpoint in affected
    ]
    seen = ", ".join(f"{c.rule}({c.severity.value})@{c.endpoint}" for c in changes) or "nothing"
    return bool(hits), seen


def test_agreement_rate(conformance_dir: Path) -> None:
    data = conformance_dir / "oasdiff"
    rows = _cases(conformance_dir)
    assert rows, "cases.tsv is empty"
    disagreements = []
    for row in rows:
        ok, seen = _judge(data, row)
        if not ok:
            disagreements.append(
                f"{row['oasdiff_test']}: expected {row['expected_severity']} "
                f"({row['oasdiff_rule']}); got {seen}"
            )
    refused = 0
    for doc in sorted({r[k] for r in rows for k in ("base", "revision")}):
        try:
            validate_openapi(load_document(data / doc), doc)
        except OpenAPIError:
            refused += 1
    rate = (len(rows) - len(disagreements)) / len(rows)
    print(
        f"\noasdiff conformance: {len(rows) - len(disagreements)}/{len(rows)} = {rate:.1%} "
        f"({refused} fixture documents refused by openapi-spec-validator, diffed leniently)"
    )
    for d in disagreements:
        print("  disagree:", d)
    assert rate >= TARGET, "\n".join(disagreements)


@pytest.mark.parametrize(
    "oasdiff_rule",
    [
        "response-property-became-optional",
        "request-parameter-enum-value-added",
        "new-required-request-property",
        "response-media-type-removed",
    ],
)
def test_some_cases_through_the_cli(conformance_dir: Path, oasdiff_rule: str) -> None:
    data = conformance_dir / "oasdiff"
    row = next(r for r in _cases(conformance_dir) if r["oasdiff_rule"] == oasdiff_rule)
    res = run_cli(
        "diff",
        str(data / row["base"]),
        str(data / row["revision"]),
        "--lenient-openapi",
        "--format",
        "json",
        "--fail-on-breaking",
    )
    assert res.code in (0, 1), res.stderr
    import json

    severities = {c["severity"] for c in json.loads(res.stdout)["changes"]}
    assert row["expected_severity"] in severities
    assert res.code == (1 if "breaking" in severities else 0)
