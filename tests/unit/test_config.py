"""driftdiff.yaml / [tool.driftdiff]: validation, exact segment patterns, expiry."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from drift_diff.config import Config, find_config, load_config, location_segments, match_segments
from drift_diff.diff import apply_config
from drift_diff.errors import ConfigError
from drift_diff.model import Change, Severity


def _change(
    rule: str = "response-required-property-removed", location: str = "response.200.body.items[].id"
) -> Change:
    return Change(
        rule=rule,
        severity=Severity.BREAKING,
        endpoint="GET /orders/{order_id}",
        location=location,
        message="m",
    )


def test_segments_never_match_substrings() -> None:
    assert location_segments("response.200.body(application/vnd.a+json).x") == [
        "response",
        "200",
        "body(application/vnd.a+json)",
        "x",
    ]
    assert match_segments(["a", "*", "c"], ["a", "b", "c"])
    assert not match_segments(["items", "id"], ["items", "idempotency_key"])
    assert match_segments(["response", "**", "id"], ["response", "200", "body", "items[]", "id"])
    assert not match_segments(["response", "*"], ["response", "200", "body"])


def test_ignore_by_rule_endpoint_location_and_fingerprint() -> None:
    c = _change()
    cfg = Config.from_dict(
        {
            "ignore": [
                {
                    "rule": c.rule,
                    "endpoint": "GET /orders/{id}",
                    "location": "response.*.body.items[].id",
                    "reason": "r",
                }
            ]
        }
    )
    assert len(apply_config([c], cfg).ignored) == 1
    cfg = Config.from_dict(
        {"ignore": [{"rule": c.rule, "location": "response.*.body.items[].i", "reason": "r"}]}
    )
    assert apply_config([c], cfg).changes == [c]
    cfg = Config.from_dict({"ignore": [{"fingerprint": c.fingerprint, "reason": "accepted"}]})
    result = apply_config([c], cfg)
    assert result.changes == [] and result.ignored[0].reason == "accepted"


def test_expired_ignore_stops_applying_and_is_reported() -> None:
    c = _change()
    cfg = Config.from_dict(
        {"ignore": [{"rule": c.rule, "reason": "temporary", "expires": dt.date(2024, 1, 31)}]}
    )
    before = apply_config([c], cfg, today=dt.date(2024, 1, 30))
    assert before.changes == [] and before.expired_ignores == []
    after = apply_config([c], cfg, today=dt.date(2024, 2, 1))
    assert after.changes == [c]
    assert after.expired_ignores and "expired on 2024-01-31" in after.expired_ignores[0]


def test_severity_override() -> None:
    cfg = Config.from_dict({"severity": {"response-required-property-removed": "warning"}})
    assert apply_config([_change()], cfg).changes[0].severity is Severity.WARNING


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("ignore:\n  - rule: x\n", "ignore/0: 'reason' is a required property"),
        ("severity:\n  some-rule: fatal\n", "severity/some-rule"),
        ("colour: red\n", 'unknown key "colour"; known keys: '),
        ("exclud:\n  - /x\n", "unknown key \"exclud\"; did you mean 'exclude'?"),
        ("exclude:\n  - /ok\n  - /a**\n", "exclude/1: '**' must be a whole path segment"),
        ("ignore:\n  - rule: x\n    reason: y\n    expires: soon\n", "ignore/0/expires"),
        ("ignore: [\n", "not valid YAML"),
    ],
)
def test_invalid_config_is_one_line(tmp_path: Path, text: str, needle: str) -> None:
    p = tmp_path / "driftdiff.yaml"
    p.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(p)
    assert needle in str(info.value) and "\n" not in str(info.value) and str(p) in str(info.value)


def test_pyproject_and_discovery(tmp_path: Path) -> None:
    assert find_config(tmp_path) is None
    (tmp_path / "pyproject.toml").write_text(
        '[tool.driftdiff]\nseverity = { "endpoint-removed" = "warning" }\n'
        '[[tool.driftdiff.ignore]]\nrule = "endpoint-added"\nreason = "ok"\nexpires = 2030-01-01\n'
        '[tool.driftdiff.replay]\nignore_paths = ["response.body.updated_at"]\n'
    )
    cfg = find_config(tmp_path)
    assert cfg is not None and cfg.severity == {"endpoint-removed": Severity.WARNING}
    assert cfg.ignores[0].expires == dt.date(2030, 1, 1) and cfg.replay_ignore_paths == (
        "response.body.updated_at",
    )
    (tmp_path / "driftdiff.yaml").write_text("severity: {}\n")
    cfg = find_config(tmp_path)
    assert cfg is not None and cfg.severity == {}
