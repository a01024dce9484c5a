"""Retiring an endpoint through the replay gate: a Flask shop answers ``GET /orders/{id}`` with
``Deprecation``/``Sunset`` headers (a sunset long past) when recorded; the next build drops the
route (404). ``check`` reports one ``endpoint-retired`` (info), the replayed status changes folded
into it, and passes ``--fail-on-breaking``; the same 404 without the deprecation fails it
(``test_replay_flask.py``, variant ``status-changed``)."""

from __future__ import annotations

import json

import pytest

from tests.e2e.apps.harness import Recording, findings, record, reported_rules, rule_ids

pytestmark = pytest.mark.e2e

TRAFFIC: list[tuple[str, str, object]] = [
    ("GET", "/health", None),
    ("GET", "/orders/1", None),
    ("GET", "/orders/2", None),
]


@pytest.fixture(scope="module")
def deprecated(tmp_path_factory: pytest.TempPathFactory) -> Recording:
    return record("flask", tmp_path_factory.mktemp("dep"), TRAFFIC, variant="deprecated")


def test_recorded_headers_deprecate_the_endpoint(deprecated: Recording) -> None:
    endpoints = json.loads(deprecated.baseline.read_text())["endpoints"]
    records = {k: v["deprecation"] for k, v in endpoints.items() if "deprecation" in v}
    assert list(records.values()) == [{"samples": 2, "sunset": "2000-01-31"}], records
    assert next(iter(records)).startswith("GET /orders/")


def test_removed_after_sunset_passes_the_gate(deprecated: Recording) -> None:
    with_deprecation = deprecated.replay(
        "--fail-on-breaking", "--format", "json", command="check", variant="status-changed"
    )
    assert with_deprecation.code == 0, with_deprecation.stdout + with_deprecation.stderr
    assert rule_ids(with_deprecation) == {"endpoint-retired"}
    assert reported_rules(with_deprecation) == {"endpoint-retired", "replay-status-changed"}
    summary = findings(with_deprecation)["summary"]
    assert summary == {"breaking": 0, "warning": 0, "info": 1}
