"""Hostile inputs through the real CLI: one ``driftdiff: error:`` line naming the file, exit 2.

Each case is a bug found by attacking the commands (a traceback, an ``internal error:`` line, a
hang, or a wrong exit code). Every case stays pinned so the bug cannot come back.
"""

from __future__ import annotations

import copy
import json
import os
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from driftdiff_sdk.limits import MAX_LINE_DEPTH

from tests.support import REPO, CliResult, run_cli

TRACES = REPO / "examples" / "traces" / "shop-000.jsonl"
TIMEOUT = 60


def assert_one_error(result: CliResult, name: str | None) -> None:
    assert "Traceback" not in result.stderr, result.stderr
    assert "internal error" not in result.stderr, result.stderr
    assert result.code == 2, (result.code, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("driftdiff: error:")]
    assert len(errors) == 1, result.stderr
    if name is not None:
        assert name in errors[0], errors[0]


@pytest.fixture(scope="module")
def good_baseline(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("good") / "base.json"
    result = run_cli("baseline", str(TRACES), "--out", str(out), timeout=TIMEOUT)
    assert result.code == 0, result.stderr
    data: dict[str, Any] = json.loads(out.read_text("utf-8"))
    return data


# --------------------------------------------------------------------------- baselines
def _schema(d: dict[str, Any]) -> dict[str, Any]:
    content = d["endpoints"]["GET /products"]["responses"]["200"]["content"]
    schema: dict[str, Any] = content["application/json"]["schema"]
    return schema


def _item_id(d: dict[str, Any]) -> dict[str, Any]:
    prop: dict[str, Any] = _schema(d)["properties"]["items"]["items"]["properties"]["id"]
    return prop


_Mutation = Callable[[dict[str, Any]], None]

BASELINE_MUTATIONS: dict[str, _Mutation] = {
    "properties-a-list": lambda d: _schema(d).__setitem__("properties", [1, 2]),
    "items-a-string": lambda d: _schema(d)["properties"]["items"].__setitem__("items", "x"),
    "anyOf-a-string": lambda d: _schema(d).__setitem__("anyOf", "x"),
    "anyOf-of-strings": lambda d: _schema(d).__setitem__("anyOf", ["x"]),
    "required-an-int": lambda d: _schema(d).__setitem__("required", 5),
    "type-an-int": lambda d: _schema(d).__setitem__("type", 5),
    "x-seen-strings": lambda d: _item_id(d).__setitem__("x-seen", ["a", "b"]),
    "x-seen-a-string": lambda d: _item_id(d).__setitem__("x-seen", "4 of 5"),
    "x-values-nested": lambda d: _item_id(d).__setitem__("x-values", [[1], {"a": 1}]),
    "query-properties-a-list": lambda d: d["endpoints"]["GET /products"]["query"].__setitem__(
        "properties", [1]
    ),
    "query-type-an-int": lambda d: d["endpoints"]["GET /products"]["query"]["properties"][
        "limit"
    ].__setitem__("type", 3),
    "headers-properties-a-list": lambda d: d["endpoints"]["GET /products"]["headers"].__setitem__(
        "properties", [1]
    ),
    "path-params-properties-a-string": lambda d: d["endpoints"]["GET /products/{product_id}"][
        "path_params"
    ].__setitem__("properties", "x"),
    "request-schema-properties-an-int": lambda d: next(
        iter(d["endpoints"]["POST /orders"]["request"]["content"].values())
    )["schema"].__setitem__("properties", 5),
    "response-headers-properties-a-list": lambda d: d["endpoints"]["GET /products"]["responses"][
        "200"
    ].__setitem__("headers", {"properties": [1]}),
    "responses-a-list": lambda d: d["endpoints"]["GET /products"].__setitem__("responses", []),
    "schema-a-string": lambda d: d["endpoints"]["GET /products"]["responses"]["200"]["content"][
        "application/json"
    ].__setitem__("schema", "x"),
}

BASELINE_COMMANDS: dict[str, Callable[[Path, Path], list[str]]] = {
    "show": lambda f, tmp: ["show", str(f)],
    "diff-base": lambda f, tmp: ["diff", str(f), str(TRACES)],
    "diff-current": lambda f, tmp: ["diff", str(TRACES), str(f)],
    "export-openapi": lambda f, tmp: ["export", "openapi", str(f)],
    "baseline-merge": lambda f, tmp: [
        "baseline",
        "merge",
        str(f),
        str(f),
        "--out",
        str(tmp / "m.json"),
    ],
    "generate-baseline": lambda f, tmp: [
        "generate",
        "pytest",
        str(TRACES),
        "--baseline",
        str(f),
        "--out",
        str(tmp / "g.py"),
    ],
}


@pytest.mark.parametrize("command", sorted(BASELINE_COMMANDS))
@pytest.mark.parametrize("mutation", sorted(BASELINE_MUTATIONS))
def test_baseline_with_wrong_shapes(
    tmp_path: Path, good_baseline: dict[str, Any], mutation: str, command: str
) -> None:
    data = copy.deepcopy(good_baseline)
    BASELINE_MUTATIONS[mutation](data)
    bad = tmp_path / "bad-baseline.json"
    bad.write_text(json.dumps(data), "utf-8")
    result = run_cli(*BASELINE_COMMANDS[command](bad, tmp_path), timeout=TIMEOUT)
    assert_one_error(result, "bad-baseline.json")
    assert "invalid baseline" in result.stderr
    assert not (tmp_path / "m.json").exists() and not (tmp_path / "g.py").exists()


def test_deeply_nested_learned_baseline_still_loads(tmp_path: Path) -> None:
    """The shape check of embedded schemas is iterative: a body at the depth limit loads."""
    body: Any = {}
    for _ in range(MAX_LINE_DEPTH - 4):  # the line, response and body hold it too
        body = {"a": body}
    line = {
        "format": "driftdiff.exchange/1",
        "id": "x",
        "source": "sdk",
        "service": "s",
        "request": {"method": "GET", "path": "/a", "query": {}, "headers": {}},
        "response": {
            "status": 200,
            "headers": {},
            "body": body,
            "content_type": "application/json",
        },
    }
    traces = tmp_path / "deep.jsonl"
    traces.write_text(json.dumps(line) + "\n", "utf-8")
    out = tmp_path / "deep.json"
    assert run_cli("baseline", str(traces), "--out", str(out), timeout=TIMEOUT).code == 0
    result = run_cli("show", str(out), timeout=TIMEOUT)
    assert result.code == 0, result.stderr


@pytest.mark.parametrize("command", ["show", "diff-base", "export-openapi", "baseline-merge"])
def test_baseline_with_an_integer_past_the_digit_limit(tmp_path: Path, command: str) -> None:
    bad = tmp_path / "bigint.json"
    bad.write_text(
        '{"format": "driftdiff.baseline/1", "service": "s", "endpoints": {}, '
        '"sources": {"exchanges": ' + "9" * 5000 + "}}",
        "utf-8",
    )
    result = run_cli(*BASELINE_COMMANDS[command](bad, tmp_path), timeout=TIMEOUT)
    assert_one_error(result, "bigint.json")


# --------------------------------------------------------------------------- special files
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
@pytest.mark.parametrize(
    "args",
    [
        ["show", "{f}"],
        ["diff", "{f}", str(TRACES)],
        ["export", "openapi", "{f}"],
        ["baseline", "merge", "{f}", "{f}", "--out", "{tmp}/m.json"],
        ["import", "har", "{f}", "--out", "{tmp}/out"],
        ["diff", str(TRACES), str(TRACES), "--config", "{f}"],
        ["baseline", "{f}", "--out", "{tmp}/b.json"],
        ["diff", str(TRACES), "{f}"],
    ],
    ids=["show", "diff", "export", "merge", "import-har", "config", "baseline-source", "traces"],
)
def test_fifo_is_refused_not_waited_on(tmp_path: Path, args: list[str]) -> None:
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    argv = [a.format(f=fifo, tmp=tmp_path) for a in args]
    result = run_cli(*argv, timeout=TIMEOUT)
    assert_one_error(result, "pipe.json")
    assert "no such file" not in result.stderr  # it exists: say what it is


def test_diff_against_empty_traces_is_an_error_not_everything_removed(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", "utf-8")
    result = run_cli("diff", str(TRACES), str(empty), "--fail-on-breaking", timeout=TIMEOUT)
    assert_one_error(result, "empty.jsonl")
    assert "no API exchange" in result.stderr


# --------------------------------------------------------------------------- OpenAPI / YAML
_LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8)
)


@pytest.mark.parametrize("lenient", [False, True], ids=["strict", "lenient"])
def test_openapi_yaml_alias_bomb_is_refused_quickly(tmp_path: Path, lenient: bool) -> None:
    doc = tmp_path / "laughs.yaml"
    doc.write_text("openapi: 3.1.0\n" + _LAUGHS + "paths: {}\n", "utf-8")
    flags = ["--lenient-openapi"] if lenient else []
    result = run_cli("diff", *flags, str(doc), str(TRACES), timeout=30)
    assert_one_error(result, "laughs.yaml")
    assert "alias" in result.stderr


def test_openapi_paths_not_an_object_in_lenient_mode(tmp_path: Path) -> None:
    doc = tmp_path / "paths.json"
    doc.write_text(json.dumps({"openapi": "3.1.0", "info": {}, "paths": "x"}), "utf-8")
    result = run_cli("diff", "--lenient-openapi", str(doc), str(TRACES), timeout=TIMEOUT)
    assert_one_error(result, "paths.json")


# --------------------------------------------------------------------------- configuration
def test_config_yaml_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    cfg = tmp_path / "driftdiff.yaml"
    cfg.write_text(_LAUGHS, "utf-8")
    result = run_cli("diff", str(TRACES), str(TRACES), "--config", str(cfg), timeout=30)
    assert_one_error(result, "driftdiff.yaml")


@pytest.mark.parametrize("explicit", [True, False], ids=["--config", "found-in-cwd"])
def test_pyproject_with_tool_not_a_table(tmp_path: Path, explicit: bool) -> None:
    (tmp_path / "pyproject.toml").write_text("tool = 5\n", "utf-8")
    flags = ["--config", str(tmp_path / "pyproject.toml")] if explicit else []
    result = run_cli("diff", str(TRACES), str(TRACES), *flags, cwd=tmp_path, timeout=TIMEOUT)
    assert_one_error(result, "pyproject.toml")


# --------------------------------------------------------------------------- record
def test_record_port_out_of_range() -> None:
    result = run_cli(
        "record", "--target", "http://127.0.0.1:9", "--listen", "127.0.0.1:99999", timeout=30
    )
    assert_one_error(result, "99999")


def test_record_port_in_use() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_cli(
            "record",
            "--target",
            "http://127.0.0.1:9",
            "--listen",
            f"127.0.0.1:{port}",
            timeout=30,
        )
    assert_one_error(result, str(port))


def test_record_out_is_a_file(tmp_path: Path) -> None:
    existing = tmp_path / "traces.jsonl"
    existing.write_text("keep me\n", "utf-8")
    result = run_cli(
        "record",
        "--target",
        "http://127.0.0.1:9",
        "--listen",
        "127.0.0.1:0",
        "--out",
        str(existing),
        timeout=30,
    )
    assert_one_error(result, "traces.jsonl")
    assert existing.read_text("utf-8") == "keep me\n"


def test_record_negative_max_body_is_a_usage_error() -> None:
    result = run_cli(
        "record",
        "--target",
        "http://127.0.0.1:9",
        "--listen",
        "127.0.0.1:0",
        "--max-body",
        "-1",
        timeout=30,
    )
    assert result.code == 2 and "Traceback" not in result.stderr, result.stderr


# --------------------------------------------------------------------------- trace lines
def _exchange(**request_or_response: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "format": "driftdiff.exchange/1",
        "id": "x",
        "source": "sdk",
        "service": "s",
        "request": {"method": "GET", "path": "/a", "query": {}, "headers": {}},
        "response": {
            "status": 200,
            "headers": {},
            "body": {"a": 1},
            "content_type": "application/json",
        },
    }
    for key, value in request_or_response.items():
        part, _, field = key.partition("__")
        raw[part][field] = value
    return raw


@pytest.mark.parametrize(
    "line",
    [
        pytest.param(_exchange(request__headers={"accept": 5}), id="header-value-int"),
        pytest.param(_exchange(request__headers={"accept": "json"}), id="header-value-str"),
        pytest.param(_exchange(request__query={"limit": "5"}), id="query-value-str"),
        pytest.param(_exchange(response__content_type=5), id="content-type-int"),
        pytest.param(_exchange(response__content_type=["a"]), id="content-type-list"),
        pytest.param(_exchange(request__query="a=1"), id="query-a-string"),
        pytest.param(_exchange(response__status="200"), id="status-a-string"),
        pytest.param(_exchange(response__status=True), id="status-a-bool"),
        pytest.param(_exchange(response__status=10**30), id="status-huge"),
        pytest.param(_exchange(request__method=5), id="method-an-int"),
    ],
)
@pytest.mark.parametrize("command", ["baseline", "generate"])
def test_trace_lines_with_wrong_types(tmp_path: Path, line: dict[str, Any], command: str) -> None:
    traces = tmp_path / "odd.jsonl"
    traces.write_text(json.dumps(line) + "\n", "utf-8")
    if command == "baseline":
        argv = ["baseline", str(traces), "--out", str(tmp_path / "b.json")]
    else:
        argv = ["generate", "pytest", str(traces), "--out", str(tmp_path / "t.py")]
    result = run_cli(*argv, timeout=TIMEOUT)
    assert_one_error(result, "odd.jsonl")
