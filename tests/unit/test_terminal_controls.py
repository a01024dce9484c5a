"""Control characters from an input never reach a terminal raw: one input value is one row.

A recorded path (or field name, or service name) may carry NUL, CR/LF, ESC, C1 controls, the
Unicode line separator and bidi overrides. ``show`` and the text report write them as visible
escapes (``\\r``, ``\\n``, ``\\x00``, ``\\x1b``, ``\\u2028``); markdown keeps a finding one table
row; JSON, SARIF and JUnit keep the data but nothing a viewer would act on raw.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.support import REPO, run_cli

EXAMPLE = REPO / "drift_diff" / "_examples" / "traces" / "shop-000.jsonl"
PATH = "/x\r\nimport os#\x00z\x1b[31mred\u2028\u202eabc\x85q\x9bz\u2066w\t"
SERVICE = "svc\x00\r\nfake: row\x1b[2J"
FIELD = "ok\x00\r\nfake|row\u2029"
#: what must not be in text/table output raw (the text report's own colour aside)
RAW = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
#: what JSON/XML output must not hold raw (C0 is escaped by JSON; tab/LF are layout there)
VIEWER_RAW = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)


def _trace(path: Path, body: object | None = None) -> Path:
    exchange = json.loads(EXAMPLE.read_text().splitlines()[0])
    exchange.pop("route", None)  # the path is the endpoint
    exchange["service"] = SERVICE
    exchange["request"]["path"] = PATH
    exchange["request"]["url"] = "http://127.0.0.1:39313/x"
    if body is not None:
        exchange["response"]["body"] = body
    path.write_text(json.dumps(exchange) + "\n")
    return path


@pytest.fixture
def baselines(tmp_path: Path) -> tuple[Path, Path]:
    base, current = tmp_path / "a.json", tmp_path / "c.json"
    for out, body in ((base, None), (current, {FIELD: 1})):
        trace = _trace(out.with_suffix(".jsonl"), body)
        done = run_cli("baseline", str(trace), "-o", str(out))
        assert done.code == 0, done.stderr
    return base, current


def _no_raw_controls(text: str) -> None:
    assert not RAW.findall(text.replace("\n", "")), sorted(set(RAW.findall(text)) - {"\n"})


def test_show_writes_controls_as_escapes(baselines: tuple[Path, Path]) -> None:
    done = run_cli("show", str(baselines[0]))
    assert done.code == 0, done.stderr
    _no_raw_controls(done.stdout)
    lines = done.stdout.splitlines()
    assert lines[0] == "service: svc\\x00\\r\\nfake: row\\x1b[2J"
    rows = [line for line in lines if line.startswith("GET ")]
    assert len(rows) == 1 and len(lines) == 7, done.stdout  # 3 header lines, blank, table
    assert rows[0].startswith(
        "GET /x\\r\\nimport os#\\x00z\\x1b[31mred\\u2028\\u202eabc\\x85q\\x9bz\\u2066w\\t"
    )


@pytest.mark.parametrize("colour", ["never", "always"])
def test_text_report_writes_controls_as_escapes(baselines: tuple[Path, Path], colour: str) -> None:
    done = run_cli("--color", colour, "diff", *map(str, baselines), "-f", "text")
    assert done.code == 0, done.stderr
    # the report's own colour is the only escape sequence (severity cells), never the input's
    plain = re.sub(r"(?:\x1b\[[0-9;]*m)+(BREAKING|WARNING|INFO)\x1b\[0m", r"\1", done.stdout)
    _no_raw_controls(plain)
    assert "\\x1b[31mred" in plain and "ok\\x00\\r\\nfake|row\\u2029" in plain
    # every line is a table line: a severity row, its wrapped continuation, or the frame
    for line in plain.splitlines():
        assert not line.startswith(("import os", "fake")), plain


def test_markdown_keeps_a_finding_one_row(baselines: tuple[Path, Path]) -> None:
    done = run_cli("diff", *map(str, baselines), "-f", "markdown")
    assert done.code == 0, done.stderr
    assert not VIEWER_RAW.findall(done.stdout)
    for line in done.stdout.splitlines():
        if "import os" in line or "fake" in line:
            assert line.startswith("| ") and line.endswith(" |"), line
            assert line.count(" | ") == 4, line  # five cells: the field's pipe is escaped


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_json_formats_hold_the_data_escaped(baselines: tuple[Path, Path], fmt: str) -> None:
    done = run_cli("diff", *map(str, baselines), "-f", fmt)
    assert done.code == 0, done.stderr
    assert not VIEWER_RAW.findall(done.stdout)
    assert any(PATH in text for text in _strings(json.loads(done.stdout)))  # the same data


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def test_junit_is_parseable_and_holds_nothing_raw(baselines: tuple[Path, Path]) -> None:
    done = run_cli("diff", *map(str, baselines), "-f", "junit")
    assert done.code == 0, done.stderr
    assert not VIEWER_RAW.findall(done.stdout)
    ET.fromstring(done.stdout.split("\n", 1)[1])


def test_github_annotations_are_one_line_each(baselines: tuple[Path, Path]) -> None:
    done = run_cli("diff", *map(str, baselines), "-f", "github")
    assert done.code == 0, done.stderr
    assert not VIEWER_RAW.findall(done.stdout)
    assert all(line.startswith("::") for line in done.stdout.splitlines()), done.stdout


def test_an_error_line_quoting_controls_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "driftdiff.yaml").write_text('"col\\r\\nour\\u0000\\u001b[2J\\u2028": red\n')
    base = REPO / "baselines" / "shop.json"
    done = run_cli("diff", str(base), str(base), cwd=tmp_path)
    assert done.code == 2
    assert len(done.stderr.splitlines()) == 1 and not RAW.findall(done.stderr.rstrip("\n"))
    assert '"col\\r\\nour\\u0000\\u001b[2J\\u2028"' in done.stderr, done.stderr
