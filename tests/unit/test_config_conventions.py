"""Config conventions (issue 16): ``endpoint: "**"``, locations as reports print them, rule ids
checked with a suggestion, errors in words, discovery up to the repository root."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drift_diff.config import Config
from drift_diff.diff import apply_config
from drift_diff.errors import ConfigError
from drift_diff.model import Change, Severity
from drift_diff.replay.paths import PathMatcher
from tests.support import REPO, run_cli

BASELINE = REPO / "baselines" / "shop.json"


def _without_first_endpoint(tmp_path: Path) -> Path:
    data = json.loads(BASELINE.read_text())
    data["endpoints"].pop(next(iter(data["endpoints"])))  # finding: endpoint-removed
    other = tmp_path / "current.json"
    other.write_text(json.dumps(data))
    return other


def _ignored(tmp_path: Path, config: str, *extra: str) -> dict[str, object]:
    (tmp_path / "cfg.yaml").write_text(config)
    result = run_cli(
        "diff",
        str(BASELINE),
        str(_without_first_endpoint(tmp_path)),
        "--config",
        str(tmp_path / "cfg.yaml"),
        "-f",
        "json",
        *extra,
    )
    assert result.code == 0, result.stderr
    report: dict[str, object] = json.loads(result.stdout)
    return report


@pytest.mark.parametrize("endpoint", ['"**"', '"/orders/**"', '"* /orders/{order_id}"'])
def test_endpoint_double_star_and_methodless_paths_cover_every_method(
    endpoint: str, tmp_path: Path
) -> None:
    config = f"ignore:\n  - rule: endpoint-removed\n    endpoint: {endpoint}\n    reason: ok\n"
    report = _ignored(tmp_path, config)
    assert report["changes"] == []
    assert len(report["ignored"]) == 1  # type: ignore[arg-type]


def test_endpoint_pattern_still_exact(tmp_path: Path) -> None:
    config = "ignore:\n  - rule: endpoint-removed\n    endpoint: /products/**\n    reason: ok\n"
    report = _ignored(tmp_path, config)
    assert len(report["changes"]) == 1  # type: ignore[arg-type]


def _change(location: str) -> Change:
    return Change(
        rule="response-required-property-removed",
        severity=Severity.BREAKING,
        endpoint="GET /orders/{order_id}",
        location=location,
        message="m",
    )


@pytest.mark.parametrize(
    ("pattern", "location", "hidden"),
    [
        ("response.200.body.items[].id", "response.200.body.items[].id", True),  # as printed
        ("response.200.body.items[*].id", "response.200.body.items[].id", True),
        ("response.200.body.items[].id", "response.200.body.items[3].id", True),
        ("response.200.body.items[].id", "response.200.body.items[].idempotency_key", False),
        ("response.200.body.items[].id", "response.200.body.items.id", False),
    ],
)
def test_ignore_location_as_reports_print_it(pattern: str, location: str, hidden: bool) -> None:
    cfg = Config.from_dict(
        {"ignore": [{"rule": _change("").rule, "location": pattern, "reason": "r"}]}
    )
    assert bool(apply_config([_change(location)], cfg).ignored) is hidden


def test_replay_ignore_paths_take_empty_brackets() -> None:
    cfg = Config.from_dict({"replay": {"ignore_paths": ["response.body.items[].updated_at"]}})
    matcher = PathMatcher(cfg.replay_ignore_paths)
    assert matcher.matches("response.body.items[4].updated_at")
    assert not matcher.matches("response.body.items[4].id")


@pytest.mark.parametrize(
    ("data", "where"),
    [
        ({"severity": {"endpoint-remove": "info"}}, "severity/endpoint-remove"),
        ({"ignore": [{"rule": "endpont-removed", "reason": "r"}]}, "ignore/0/rule"),
    ],
)
def test_misspelled_rule_id_is_refused_with_a_suggestion(data: object, where: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Config.from_dict(data, "cfg.yaml")
    message = str(caught.value)
    assert message.startswith(f"cfg.yaml: {where}: unknown rule id")
    assert "did you mean endpoint-removed" in message


def test_replay_rule_ids_are_known() -> None:
    Config.from_dict({"severity": {"replay-value-changed": "info"}})


def test_misspelled_rule_through_the_cli(tmp_path: Path) -> None:
    (tmp_path / "cfg.yaml").write_text("ignore:\n  - rule: endpoint-remved\n    reason: r\n")
    result = run_cli("diff", str(BASELINE), str(BASELINE), "--config", str(tmp_path / "cfg.yaml"))
    assert result.code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "did you mean endpoint-removed" in lines[0]


def test_ignore_without_rule_says_so_in_words(tmp_path: Path) -> None:
    (tmp_path / "cfg.yaml").write_text("ignore:\n  - endpoint: GET /x\n    reason: r\n")
    result = run_cli("diff", str(BASELINE), str(BASELINE), "--config", str(tmp_path / "cfg.yaml"))
    assert result.code == 2
    assert "ignore/0: say which finding to ignore: 'rule'" in result.stderr
    assert "not valid under any" not in result.stderr
    both = {"ignore": [{"rule": "endpoint-removed", "fingerprint": "0" * 12, "reason": "r"}]}
    with pytest.raises(ConfigError, match="either 'rule' or 'fingerprint', not both"):
        Config.from_dict(both)


def test_config_found_up_to_the_repository_root(tmp_path: Path) -> None:
    outside = tmp_path / "driftdiff.yaml"  # above the repository: never read
    outside.write_text("severity: {endpoint-removed: info}\n")
    repo = tmp_path / "repo"
    nested = repo / "services" / "shop"
    nested.mkdir(parents=True)
    (repo / ".git").mkdir()
    current = _without_first_endpoint(tmp_path)

    def breaking() -> int:
        result = run_cli("-v", "diff", str(BASELINE), str(current), "-f", "json", cwd=nested)
        assert result.code == 0, result.stderr
        return int(json.loads(result.stdout)["summary"]["breaking"])

    assert breaking() == 1  # no config in the repository; the one above it is ignored
    (repo / "driftdiff.yaml").write_text("severity: {endpoint-removed: warning}\n")
    assert breaking() == 0
    verbose = run_cli("-v", "diff", str(BASELINE), str(BASELINE), cwd=nested)
    assert f"config: {repo / 'driftdiff.yaml'}" in verbose.stderr
