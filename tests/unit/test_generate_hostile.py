"""``driftdiff generate pytest`` from hostile traffic: the module collects and runs nothing.

Every string a recording carries (service name, path, query and header values, body keys, the
schema keys learned from them) reaches the generated module only as an escaped literal. Each
payload below tries to close a docstring or string literal and create a marker file when pytest
imports the module; the test runs real pytest collection on the output in a subprocess.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.support import run_cli


def _payloads(marker: Path) -> list[str]:
    code = f"__import__('pathlib').Path({str(marker)!r}).write_text('pwned')"
    return [
        f'x"""\n{code}\n"""',
        f"x'''\n{code}\n'''",
        f'x"""\r{code}\r"""',
        f'x"""\u2028{code}\u2028"""',
        f"x\\\n{code}\n#",
        f"x\\'\n{code}\n#",
        "{}{0}{cases}{{}}",
        "nul\x00byte",
        "\x1b[31mred\x0c\x0b\u2029\u0085",
        f"é\\N{{LATIN SMALL LETTER E}}\\\x00\n{code}\n",
    ]


def _exchange(service: str, i: int, evil: str) -> dict[str, Any]:
    return {
        "format": "driftdiff.exchange/1",
        "service": service,
        "request": {
            "method": "POST",
            "path": f"/things/{evil}",
            "query": {evil: [evil]},
            "headers": {"accept": [evil], "content-type": ["application/json"], evil: [evil]},
            "content_type": "application/json",
            "body": {evil: evil, "n": i},
        },
        "response": {
            "status": 200,
            "content_type": "application/json",
            "headers": {"content-type": ["application/json"]},
            "body": {evil: [evil], "ok": True},
        },
    }


def test_generated_module_from_hostile_names_collects_and_runs_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    payloads = _payloads(marker)
    traces = tmp_path / "traces.jsonl"
    lines = [
        json.dumps(_exchange(service, i, evil))
        for i, (service, evil) in enumerate(zip(payloads, reversed(payloads), strict=True))
    ]
    traces.write_text("\n".join(lines) + "\n", "utf-8")
    out = tmp_path / "gen" / "test_contract.py"
    result = run_cli(
        "generate", "pytest", str(traces), "--out", str(out), "--target", payloads[0], timeout=60
    )
    assert result.code == 0, result.stderr
    source = out.read_text("utf-8")
    assert source.isascii()
    ast.parse(source)
    collected = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-pno:cacheprovider", out.name],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=out.parent,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert not marker.exists(), source[:2000]
    assert collected.returncode == 0, collected.stdout + collected.stderr
    cases = int(result.stderr.split("wrote ", 1)[1].split(" cases", 1)[0])
    assert cases >= 5 and f"{cases} tests collected" in collected.stdout, collected.stdout
    # the module's data evaluates back to what was recorded
    namespace: dict[str, Any] = {}
    exec(compile(source.split("\n\n@pytest.fixture")[0], str(out), "exec"), namespace)
    assert not marker.exists()
    assert {case["method"] for case in namespace["CASES"]} == {"POST"}
    assert {case["path"] for case in namespace["CASES"]} <= {f"/things/{e}" for e in payloads}
    assert namespace["SERVICE"] in payloads
    assert namespace["TARGET"] == os.environ.get("DRIFTDIFF_TARGET", payloads[0])


def test_literal_round_trips_values_repr_cannot_write() -> None:
    from drift_diff.generate.pytest_writer import literal

    value = {"a": [float("nan"), float("inf"), 1.5, '"""'], "b": {"c": None}}
    text = literal(value)
    got = eval(text, {"json": json})
    assert got["a"][1] == float("inf") and got["a"][0] != got["a"][0]
    assert got["a"][2:] == [1.5, '"""'] and got["b"] == {"c": None}
    assert literal({"k": "\u2028"}) == "{'k': '\\u2028'}"
