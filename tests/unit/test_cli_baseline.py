"""``driftdiff baseline`` / ``baseline merge`` / ``show`` through a real subprocess."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drift_diff.traffic.traces import write_exchanges
from tests.support import run_cli
from tests.unit.infer_support import exchange


def traces(folder: Path, name: str, n: int, start: int = 0) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rows = [exchange("GET", f"/users/{i}", body={"id": i}) for i in range(start, start + n)]
    rows += [exchange("POST", "/users", status=201, request_body={"name": "b"}, body={"id": 1})]
    path = folder / name
    write_exchanges(path, rows)
    return path


def test_build_is_deterministic_and_summarised(tmp_path: Path) -> None:
    src = traces(tmp_path / "t", "a.jsonl", 20)
    with open(src, "ab") as fh:
        fh.write(b'{"format": "driftdiff.exch')  # a crash leftover
    first = run_cli("baseline", str(tmp_path / "t"), "--out", str(tmp_path / "one.json"))
    second = run_cli("baseline", str(src), "-o", str(tmp_path / "two.json"))
    assert first.code == second.code == 0, first.stderr
    assert (tmp_path / "one.json").read_bytes() == (tmp_path / "two.json").read_bytes()
    assert first.stderr.strip() == (
        "21 exchanges from 1 file(s), skipped 1 partial line(s) -> 2 endpoints -> "
        f"{tmp_path / 'one.json'}"
    )


def test_default_output_is_baselines_service_json(tmp_path: Path) -> None:
    traces(tmp_path / "t", "a.jsonl", 3)
    result = run_cli("baseline", "t", cwd=tmp_path)
    assert result.code == 0, result.stderr
    assert json.loads((tmp_path / "baselines" / "shop.json").read_text())["service"] == "shop"


def test_merge_equals_building_from_all(tmp_path: Path) -> None:
    a = traces(tmp_path / "a", "a.jsonl", 10)
    b = traces(tmp_path / "b", "b.jsonl", 10, start=10)
    for src, out in ((a, "A.json"), (b, "B.json")):
        assert run_cli("baseline", str(src), "--out", str(tmp_path / out)).code == 0
    merged = run_cli(
        "baseline",
        "merge",
        str(tmp_path / "A.json"),
        str(tmp_path / "B.json"),
        "--out",
        str(tmp_path / "M.json"),
    )
    assert merged.code == 0, merged.stderr
    assert "merged 2 baselines" in merged.stderr
    both = run_cli("baseline", str(a), str(b), "--out", str(tmp_path / "AB.json"))
    assert both.code == 0
    assert (tmp_path / "M.json").read_bytes() == (tmp_path / "AB.json").read_bytes()


def test_help_explains_both_forms() -> None:
    result = run_cli("baseline", "--help")
    assert result.code == 0
    assert "driftdiff baseline SOURCE..." in result.stdout
    assert "driftdiff baseline merge A B... --out C" in result.stdout


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ("empty-folder", "folder holds no traces"),
        ("bad-file", "not valid JSON"),
        ("unknown-version", "not supported"),
        ("missing", "no such file or folder"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, setup: str, expected: str) -> None:
    target = tmp_path / setup
    if setup == "empty-folder":
        target.mkdir()
    elif setup == "bad-file":
        target = tmp_path / "bad.jsonl"
        target.write_text("{oops}\n")
    elif setup == "unknown-version":
        target = tmp_path / "v9.jsonl"
        raw = exchange("GET", "/x")
        raw["format"] = "driftdiff.exchange/9"
        target.write_text(json.dumps(raw) + "\n")
    result = run_cli("baseline", str(target), "--out", str(tmp_path / "out.json"))
    assert result.code == 2
    assert expected in result.stderr and str(target) in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out.json").exists()


def test_merge_refuses_a_bad_baseline(tmp_path: Path) -> None:
    bad = tmp_path / "b.json"
    bad.write_text(json.dumps({"format": "driftdiff.baseline/7", "service": "x", "endpoints": {}}))
    result = run_cli("baseline", "merge", str(bad), "--out", str(tmp_path / "m.json"))
    assert result.code == 2 and "not supported" in result.stderr
    assert "Traceback" not in result.stderr


def test_show_prints_a_table(tmp_path: Path) -> None:
    src = traces(tmp_path / "t", "a.jsonl", 5)
    assert run_cli("baseline", str(src), "--out", str(tmp_path / "b.json")).code == 0
    result = run_cli("show", str(tmp_path / "b.json"))
    assert result.code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "service: shop"
    assert lines[1] == "learned from: 6 exchanges (sdk 6)"
    table = "\n".join(lines)
    assert "GET /users/{user_id}" in table and "200 (5)" in table
    assert "POST /users" in table and "201 (1)" in table and "application/json" in table


@pytest.mark.conformance
def test_baseline_and_show_of_the_chrome_har(tmp_path: Path, conformance_dir: Path) -> None:
    har = conformance_dir / "har" / "chrome-requestgenerator-665.har"
    built = run_cli("baseline", str(har), "--out", str(tmp_path / "b.json"))
    assert built.code == 0, built.stderr
    assert "-> 23 endpoints" in built.stderr
    shown = run_cli("show", str(tmp_path / "b.json"))
    assert shown.code == 0
    assert "service: requestgenerator.com" in shown.stdout
    assert "GET /api/status/{status_id}/query-params" in shown.stdout
    assert "4xx×30" in shown.stdout
