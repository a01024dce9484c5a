"""``-`` reads an input from standard input: diff, baseline, import har, show and export
openapi, through the CLI."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from drift_diff.stdin_input import _name_for
from tests.support import REPO, run_cli
from tests.unit.test_har import entry, write_har

SHOP = REPO / "baselines" / "shop.json"
TRACES = REPO / "examples" / "traces" / "shop-000.jsonl"


def _broken_shop() -> bytes:
    doc = json.loads(SHOP.read_text("utf-8"))
    del doc["endpoints"]["GET /products/{product_id}"]
    return json.dumps(doc, indent=2).encode()


def test_diff_reads_either_side_from_stdin() -> None:
    same = run_cli("diff", "-", str(SHOP), "--fail-on", "breaking", stdin=SHOP.read_bytes())
    assert same.code == 0, same.stderr
    assert "endpoint-removed" not in same.stdout

    broken = run_cli(
        "diff", str(SHOP), "-", "--fail-on", "breaking", "-f", "json", stdin=_broken_shop()
    )
    assert broken.code == 1, broken.stderr
    rules = {(c["rule"], c["endpoint"]) for c in json.loads(broken.stdout)["changes"]}
    assert rules == {("endpoint-removed", "GET /products/{product_id}")}


def test_diff_reads_an_openapi_yaml_document_from_stdin(tmp_path: Path) -> None:
    doc = tmp_path / "shop.yaml"
    exported = run_cli("export", "openapi", str(SHOP), "-o", str(doc))
    assert exported.code == 0, exported.stderr
    assert doc.read_text("utf-8").startswith("openapi:")  # YAML, not JSON
    res = run_cli("diff", str(SHOP), "-", "-f", "json", stdin=doc.read_bytes())
    assert res.code == 0, res.stderr
    assert json.loads(res.stdout)["summary"]["breaking"] == 0


def test_diff_with_stdin_twice_is_a_usage_error() -> None:
    res = run_cli("diff", "-", "-", stdin=SHOP.read_bytes())
    assert res.code == 2
    assert res.stderr.strip().splitlines() == [
        "driftdiff: error: standard input can be read only once: '-' is given twice"
    ]


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        (b"", "<stdin>: standard input is empty"),
        (b'{"openapi": "3.0.3", "paths": ', "<stdin>"),
    ],
)
def test_bad_stdin_is_one_line_naming_stdin(stdin: bytes, message: str) -> None:
    res = run_cli("diff", str(SHOP), "-", stdin=stdin)
    assert res.code == 2
    assert "Traceback" not in res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"driftdiff: error: {message}"), lines
    assert "driftdiff-stdin-" not in lines[0]  # the temporary file is not named


@pytest.mark.parametrize("compress", [False, True], ids=["jsonl", "jsonl.gz"])
def test_baseline_learns_from_traces_on_stdin(tmp_path: Path, compress: bool) -> None:
    from_file = run_cli("baseline", str(TRACES), "-o", str(tmp_path / "file.json"))
    assert from_file.code == 0, from_file.stderr
    data = TRACES.read_bytes()
    from_stdin = run_cli(
        "baseline",
        "-",
        "-o",
        str(tmp_path / "stdin.json"),
        stdin=gzip.compress(data) if compress else data,
    )
    assert from_stdin.code == 0, from_stdin.stderr
    file_doc = json.loads((tmp_path / "file.json").read_text("utf-8"))
    stdin_doc = json.loads((tmp_path / "stdin.json").read_text("utf-8"))
    assert stdin_doc["endpoints"] == file_doc["endpoints"]
    assert stdin_doc["service"] == file_doc["service"]


def test_baseline_from_stdin_that_is_not_traffic_names_stdin(tmp_path: Path) -> None:
    res = run_cli("baseline", "-", "-o", str(tmp_path / "b.json"), stdin=b"[1, 2, 3]\n")
    assert res.code == 2
    assert res.stderr.strip().startswith("driftdiff: error: <stdin>:line 1: "), res.stderr
    assert not (tmp_path / "b.json").exists()


def test_import_har_from_stdin(tmp_path: Path) -> None:
    har = write_har(tmp_path / "capture.har", [entry(), entry(method="POST", status=201)])
    from_file = run_cli("import", "har", str(har), "--out", str(tmp_path / "a"))
    assert from_file.code == 0, from_file.stderr
    from_stdin = run_cli("import", "har", "-", "--out", str(tmp_path / "b"), stdin=har.read_bytes())
    assert from_stdin.code == 0, from_stdin.stderr
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == ["stdin.jsonl"]

    def exchanges(path: Path) -> list[dict[str, object]]:
        lines = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
        return [{k: v for k, v in x.items() if k != "id"} for x in lines]  # id: from the name

    assert exchanges(tmp_path / "b" / "stdin.jsonl") == exchanges(tmp_path / "a" / "capture.jsonl")


@pytest.mark.parametrize(
    ("head", "name"),
    [
        (b"\x1f\x8b\x08\x00", "stdin.jsonl.gz"),
        (b'{"a": 1}\n{"a": 2}\n', "stdin.jsonl"),
        (b'{"request": {}, "response": {}}', "stdin.jsonl"),
        (b'{"log": {"entries": []}}', "stdin.har"),
        (b'\xef\xbb\xbf{\n  "log": {\n    "version": "1.2"', "stdin.har"),
        (b'{\n  "format": "driftdiff.baseline/1",\n', "stdin.json"),
        (b'{"openapi": "3.1.0", "info": {}}', "stdin.json"),
        (b"openapi: 3.0.3\ninfo:\n", "stdin.yaml"),
    ],
)
def test_stdin_is_named_for_its_content(head: bytes, name: str) -> None:
    assert _name_for(head) == name


def test_show_and_export_read_a_baseline_from_stdin() -> None:
    shown = run_cli("show", "-", stdin=SHOP.read_bytes())
    assert shown.code == 0, shown.stderr
    assert "GET /products/{product_id}" in shown.stdout
    exported = run_cli("export", "openapi", "-", "-o", "-", stdin=SHOP.read_bytes())
    assert exported.code == 0, exported.stderr
    assert "/products/{product_id}" in json.loads(exported.stdout)["paths"]
    wrong = run_cli("show", "-", stdin=b'{"x": 1}')
    assert wrong.code == 2
    assert wrong.stderr.startswith("driftdiff: error: <stdin>: ")
