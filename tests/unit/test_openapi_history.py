"""Real OpenAPI history (../shared/conformance/openapi-history): every pair diffs, every change
listed in ``cases.tsv`` is found at its stated severity.

``cases.tsv`` describes each change in words; ``EXPECTED`` below says, per row, how the finding
is recognised (rule family, endpoint, location, values). Every row of the file must have an
entry, so a new row fails here until someone says how to find it. The fast test imports the
documents without validation (the findings do not depend on it); the heavy one runs the real
CLI, strict validation included, on every pair (Stripe is ~4 MB a side; its CPU and memory
figures are measured by ``bench/bench_openapi_history.py``, not asserted here).
"""

from __future__ import annotations

import csv
import gzip
import json
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest

from drift_diff.cli import main
from drift_diff.diff import diff_baselines
from drift_diff.model import Change
from drift_diff.openapi import import_openapi
from tests.support import CONFORMANCE

pytestmark = pytest.mark.conformance
HISTORY = CONFORMANCE / "openapi-history"

Match = Callable[[Change], bool]


def _enum_removed(field: str, value: str) -> Match:
    return lambda c: (
        c.rule.startswith("request-")
        and c.rule.endswith("-enum-value-removed")
        and c.location.endswith(field)
        and value in (c.before or [])
        and value not in (c.after or [])
    )


EXPECTED: dict[tuple[str, str], Match] = {
    ("digitalocean_c34fbc41", "endpoint PUT .../remote_routes removed"): lambda c: (
        c.rule == "endpoint-removed"
        and c.endpoint.startswith("PUT ")
        and c.endpoint.endswith("/remote_routes")
    ),
    ("digitalocean_47a94289", "request enum value WEAK removed (tls_cipher_policy)"): (
        _enum_removed("tls_cipher_policy", "WEAK")
    ),
    ("digitalocean_418af61d", "request enum value UNSPECIFIED removed (redundancy_zone)"): (
        _enum_removed("redundancy_zone", "UNSPECIFIED")
    ),
    (
        "digitalocean_5c231815",
        "eviction policy request enum values renamed (underscore to hyphen)",
    ): lambda c: (
        c.rule == "request-property-enum-value-removed"
        and c.location.endswith("maxmemory_policy")
        and "allkeys_lru" in c.before
        and "allkeys-lru" in c.after
    ),
    (
        "digitalocean_544ef644",
        "request properties amd_gpu_device* renamed on POST/PUT clusters",
    ): lambda c: (
        c.rule == "request-property-removed"
        and c.location.startswith("request.body.amd_gpu_device")
        and c.endpoint.split(" ")[0] in ("POST", "PUT")
        and "/kubernetes/clusters" in c.endpoint
    ),
    (
        "digitalocean_1f9b74b7",
        "request property save_as_preset removed; the document has default: null on a "
        "non-nullable oneOf (strict validation refuses it)",
    ): lambda c: c.rule == "request-property-removed" and c.location.endswith(".save_as_preset"),
    (
        "twilio_2.6.0-trunking_v1",
        "capabilities changed from a string map to an object of booleans (vendor changelog: "
        "breaking)",
    ): lambda c: c.endpoint.startswith(("GET", "POST")) and c.location.endswith("capabilities"),
    (
        "twilio_2.6.0-trunking_v1",
        "POST /v1/Trunks/{TrunkSid}/Recording success status 202 became 200",
    ): lambda c: (
        c.rule == "response-success-status-removed"
        and c.endpoint == "POST /v1/Trunks/{TrunkSid}/Recording"
        and c.location == "response.202"
    ),
    (
        "box_dbaf1278",
        "request enum value 'interaction' removed (POST /legal_hold_policy_assignments)",
    ): lambda c: (
        c.endpoint == "POST /legal_hold_policy_assignments"
        and _enum_removed("assign_to.type", "interaction")(c)
    ),
}


def _rows() -> list[dict[str, str]]:
    if not (HISTORY / "cases.tsv").is_file():
        return []
    with open(HISTORY / "cases.tsv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def _pairs() -> list[str]:
    if not HISTORY.is_dir():
        return []
    return sorted(p.name for p in HISTORY.iterdir() if (p / "old.json.gz").is_file())


@cache
def _changes(pair: str) -> tuple[Change, ...]:
    sides = [
        import_openapi(
            json.loads(gzip.decompress((HISTORY / pair / f"{s}.json.gz").read_bytes())),
            source=f"{pair}/{s}",
            validate=False,
        )
        for s in ("old", "new")
    ]
    return tuple(diff_baselines(sides[0], sides[1]).changes)


def test_every_row_has_an_expectation(conformance_dir: Path) -> None:
    rows = {(r["pair"], r["change"]) for r in _rows() if r["expected_severity"] != "n/a"}
    assert rows == set(EXPECTED)


@pytest.mark.parametrize(
    "row", [r for r in _rows() if r["expected_severity"] != "n/a"], ids=lambda r: r["pair"]
)
def test_listed_change_found_at_its_severity(conformance_dir: Path, row: dict[str, str]) -> None:
    match = EXPECTED[(row["pair"], row["change"])]
    found = [c for c in _changes(row["pair"]) if match(c)]
    assert found, f"{row['change']}: nothing matches"
    severities = {c.severity.value for c in found}
    assert row["expected_severity"] in severities, (row["change"], [c.rule for c in found])


@pytest.mark.parametrize("pair", _pairs())
def test_every_pair_diffs(conformance_dir: Path, pair: str) -> None:
    assert isinstance(_changes(pair), tuple)


@pytest.mark.heavy
@pytest.mark.parametrize("pair", _pairs())
def test_every_pair_diffs_through_the_cli_strictly(
    conformance_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], pair: str
) -> None:
    paths = []
    for side in ("old", "new"):
        path = tmp_path / f"{side}.json"
        path.write_bytes(gzip.decompress((HISTORY / pair / f"{side}.json.gz").read_bytes()))
        paths.append(str(path))
    code = main(["diff", *paths, "--format", "json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    report = json.loads(out.out)
    assert set(report["summary"]) == {"breaking", "warning", "info"}
