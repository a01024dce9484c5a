"""``exclude`` patterns (``driftdiff_sdk.scope``) and ``driftdiff baseline --exclude``."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from driftdiff_sdk.scope import ExcludePatternError, Excluder

from tests.support import run_cli

REPO = Path(__file__).resolve().parents[2]


def _traces_with_health(tmp_path: Path) -> Path:
    lines = (REPO / "examples" / "traces" / "shop-000.jsonl").read_text().splitlines()
    extra = []
    for path in ("/healthz", "/static/css/site.css"):
        ex = json.loads(lines[0])
        ex["id"] = uuid.uuid4().hex
        ex["request"]["path"] = ex["route"] = path
        ex["request"]["url"] = "http://127.0.0.1:39313" + path
        extra.append(json.dumps(ex))
    out = tmp_path / "t.jsonl"
    out.write_text("\n".join([*lines, *extra]) + "\n")
    return out


def _keys(path: Path) -> set[str]:
    return set(json.loads(path.read_text())["endpoints"])


def test_baseline_leaves_out_defaults_and_given_patterns(tmp_path: Path) -> None:
    traces = _traces_with_health(tmp_path)
    kept = tmp_path / "all.json"
    assert run_cli("baseline", str(traces), "-o", str(kept), "--no-default-excludes").code == 0
    assert {"GET /healthz", "GET /static/css/site.css"} <= _keys(kept)
    out = tmp_path / "b.json"
    result = run_cli("baseline", str(traces), "-o", str(out), "--exclude", "POST /orders")
    assert result.code == 0, result.stderr
    assert _keys(out) == _keys(kept) - {"GET /healthz", "GET /static/css/site.css", "POST /orders"}


def test_bad_pattern_is_one_line_exit_2(tmp_path: Path) -> None:
    traces = _traces_with_health(tmp_path)
    result = run_cli("baseline", str(traces), "-o", str(tmp_path / "b.json"), "--exclude", "a**")
    assert result.code == 2
    assert "a**" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "b.json").exists()


@pytest.mark.parametrize(
    ("pattern", "method", "path", "hit"),
    [
        ("/static/**", "GET", "/static/a/b.js", True),
        ("/static/**", "GET", "/staticx", False),
        ("GET,HEAD /users/{id}", "HEAD", "/users/7", True),
        ("GET /users/{id}", "POST", "/users/7", False),
        ("OPTIONS", "options", "/anything", True),
        ("/api/*.json", "GET", "/api/a.json?x=1", True),
        ("/api/*.json", "GET", "/api/a/b.json", False),
    ],
)
def test_matcher(pattern: str, method: str, path: str, hit: bool) -> None:
    assert Excluder([pattern], defaults=False).excludes(method, path) is hit


@pytest.mark.parametrize("bad", ["", "users/x", "GE-T /x", "/a**", "/a/{b"])
def test_bad_patterns(bad: str) -> None:
    with pytest.raises(ExcludePatternError):
        Excluder([bad])


def test_config_exclude_and_cli_flags_add_up(tmp_path: Path) -> None:
    traces = _traces_with_health(tmp_path)
    config = tmp_path / "driftdiff.yaml"
    config.write_text("exclude:\n  - POST /orders\ndefault_excludes: false\n")
    out = tmp_path / "b.json"
    args = ["baseline", str(traces), "-o", str(out), "--config", str(config)]
    result = run_cli(*args, "--exclude", "GET /static/**")
    assert result.code == 0, result.stderr
    keys = _keys(out)
    assert "GET /healthz" in keys  # default_excludes: false in the config
    assert "POST /orders" not in keys and "GET /static/css/site.css" not in keys
    assert run_cli(*args, "--no-default-excludes").code == 0


def test_bad_config_pattern_is_one_line_exit_2(tmp_path: Path) -> None:
    traces = _traces_with_health(tmp_path)
    config = tmp_path / "driftdiff.yaml"
    config.write_text("exclude:\n  - 'GET orders'\n")
    result = run_cli(
        "baseline", str(traces), "-o", str(tmp_path / "b.json"), "--config", str(config)
    )
    assert result.code == 2 and result.stderr.count("\n") == 1, result.stderr
    assert "exclude/0" in result.stderr and "must start with '/'" in result.stderr
