"""``services:`` of the config file as the multi-service gate reads them."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from drift_diff.errors import ConfigError
from drift_diff.gate_services import Service, load_services, merge_sarif, wants_services


def _config(tmp_path: Path, services: list[dict[str, object]]) -> Path:
    folder = tmp_path / "conf"
    folder.mkdir(exist_ok=True)
    path = folder / "driftdiff.yaml"
    path.write_text(yaml.safe_dump({"services": services}), "utf-8")
    return path


def test_paths_are_relative_to_the_config_file(tmp_path: Path) -> None:
    path = _config(
        tmp_path,
        [
            {"name": "a", "baseline": "a.json", "traces": "t", "target": "http://127.0.0.1:1"},
            {"name": "b", "baseline": "/abs/b.json", "current": "sub/b.yaml"},
        ],
    )
    base = path.parent
    assert load_services(path) == [
        Service("a", str(base / "a.json"), (str(base / "t"),), "", "http://127.0.0.1:1"),
        Service("b", "/abs/b.json", current=str(base / "sub" / "b.yaml")),
    ]


def test_urls_are_kept_as_given(tmp_path: Path) -> None:
    """Store URLs name no file under the config's folder (``base / "s3://b"`` collapsed the
    ``//`` and read a local path that does not exist)."""
    path = _config(
        tmp_path,
        [
            {
                "name": "a",
                "baseline": "s3://contracts/shop.json",
                "traces": ["gs://traffic/2026-12-*/*.jsonl.gz", "local"],
                "target": "http://127.0.0.1:1",
            },
            {"name": "b", "baseline": "file:///abs/b.json", "current": "az://c/b.yaml"},
        ],
    )
    base = path.parent
    assert load_services(path) == [
        Service(
            "a",
            "s3://contracts/shop.json",
            ("gs://traffic/2026-12-*/*.jsonl.gz", str(base / "local")),
            "",
            "http://127.0.0.1:1",
        ),
        Service("b", "file:///abs/b.json", current="az://c/b.yaml"),
    ]


@pytest.mark.parametrize(
    "entry",
    [
        {"name": "a", "baseline": "b"},  # neither a replay nor a diff
        {"name": "a", "baseline": "b", "traces": "t"},  # a replay needs a target
        {"name": "a", "baseline": "b", "current": "c", "start": "s"},  # both
        {"name": "a b", "baseline": "b", "current": "c"},  # a name that is no marker
        {"name": "a", "baseline": "b", "current": "c", "tracs": "t"},  # a typo
    ],
)
def test_schema_refuses_what_cannot_run(tmp_path: Path, entry: dict[str, object]) -> None:
    with pytest.raises(ConfigError, match="services/0"):
        load_services(_config(tmp_path, [entry]))


def test_services_mode_only_without_a_baseline_input(tmp_path: Path) -> None:
    path = _config(tmp_path, [{"name": "a", "baseline": "b", "current": "c"}])
    assert wants_services({"INPUT_CONFIG": str(path)})
    assert not wants_services({"INPUT_CONFIG": str(path), "INPUT_BASELINE": "x.json"})
    plain = tmp_path / "plain.yaml"
    plain.write_text("severity: {}\n", "utf-8")
    assert not wants_services({"INPUT_CONFIG": str(plain)})


def _sarif(rules: list[str], results: list[tuple[str, str]]) -> dict[str, object]:
    return {
        "runs": [
            {
                "tool": {"driver": {"rules": [{"id": r} for r in rules]}},
                "results": [
                    {
                        "ruleId": rule,
                        "ruleIndex": rules.index(rule),
                        "partialFingerprints": {"driftdiff/v1": fp},
                        "properties": {},
                    }
                    for rule, fp in results
                ],
            }
        ]
    }


def test_merged_sarif_renumbers_rules_and_names_services() -> None:
    one = _sarif(["a", "b"], [("b", "111")])
    two = _sarif(["a", "c"], [("c", "222"), ("a", "111")])
    merged = merge_sarif([("s1", one), ("s2", two)])
    run = merged["runs"][0]
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert rules == ["a", "b", "c"]
    got = [
        (
            rules[r["ruleIndex"]],
            r["partialFingerprints"]["driftdiff/v1"],
            r["properties"]["service"],
        )
        for r in run["results"]
    ]
    assert got == [("b", "s1/111", "s1"), ("c", "s2/222", "s2"), ("a", "s2/111", "s2")]
