"""``driftdiff diff`` as a subprocess: exit codes, formats, --output, config, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drift_diff.baseline import save_baseline
from tests.support import run_cli
from tests.unit._diff_cases import S, baseline, endpoint, obj, resp


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path]:
    base = endpoint(responses=resp(obj({"id": S, "name": S})))
    cur = endpoint(responses=resp(obj({"id": S, "extra": S}, {"extra": 5})))
    b, c = tmp_path / "base.json", tmp_path / "current.json"
    save_baseline(baseline(base), b)
    save_baseline(baseline(cur), c)
    return b, c


def test_exit_codes(pair: tuple[Path, Path]) -> None:
    b, c = pair
    assert run_cli("diff", str(b), str(c)).code == 0
    res = run_cli("diff", str(b), str(c), "--fail-on-breaking")
    assert res.code == 1 and "response-required-property-removed" in res.stdout
    same = run_cli("diff", str(b), str(b), "--fail-on-breaking", "--fail-on", "info")
    assert same.code == 0 and "No changes." in same.stdout


def test_fail_on_warning(tmp_path: Path) -> None:
    base = endpoint(responses=resp(obj({"id": S, "x": S}, {"x": 50})))
    cur = endpoint(responses=resp(obj({"id": S})))
    b, c = tmp_path / "b.json", tmp_path / "c.json"
    save_baseline(baseline(base), b)
    save_baseline(baseline(cur), c)
    assert run_cli("diff", str(b), str(c), "--fail-on-breaking").code == 0
    assert run_cli("diff", str(b), str(c), "--fail-on", "warning").code == 1


def test_formats_and_output(pair: tuple[Path, Path], tmp_path: Path) -> None:
    b, c = pair
    out = tmp_path / "r" / "report.json"
    res = run_cli("diff", str(b), str(c), "--format", "json", "--output", str(out))
    assert res.code == 0 and res.stdout == "" and "report written to" in res.stderr
    assert json.loads(out.read_text())["summary"]["breaking"] == 1
    for fmt, needle in (
        ("markdown", "## driftdiff"),
        ("junit", "<testsuites"),
        ("github", "::error"),
        ("sarif", '"2.1.0"'),
        ("text", "Summary:"),
    ):
        res = run_cli("diff", str(b), str(c), "-f", fmt)
        assert res.code == 0 and needle in res.stdout, fmt
    bad = run_cli("diff", str(b), str(c), "--format", "pdf")
    assert bad.code == 2 and "Invalid value for '--format'" in bad.stderr


def test_config_ignore_expiry_and_override(pair: tuple[Path, Path], tmp_path: Path) -> None:
    b, c = pair
    cfg = tmp_path / "driftdiff.yaml"
    cfg.write_text(
        "ignore:\n  - rule: response-required-property-removed\n"
        "    location: response.200.body.name\n"
        "    reason: renamed on purpose\n"
    )
    assert run_cli("diff", str(b), str(c), "--fail-on-breaking", "--config", str(cfg)).code == 0
    # discovered from the working directory too
    assert run_cli("diff", str(b), str(c), "--fail-on-breaking", cwd=tmp_path).code == 0
    cfg.write_text(
        "ignore:\n  - rule: response-required-property-removed\n    reason: temporary\n"
        "    expires: 2001-01-01\n"
    )
    res = run_cli("diff", str(b), str(c), "--fail-on-breaking", "--config", str(cfg))
    assert res.code == 1 and "expired on 2001-01-01" in res.stderr
    cfg.write_text("severity:\n  response-required-property-removed: info\n")
    assert run_cli("diff", str(b), str(c), "--fail-on-breaking", "--config", str(cfg)).code == 0
    cfg.write_text("ignore:\n  - rule: x\n")
    res = run_cli("diff", str(b), str(c), "--config", str(cfg))
    assert res.code == 2 and "reason" in res.stderr and len(res.stderr.strip().splitlines()) == 1


def test_bad_inputs_are_one_line(pair: tuple[Path, Path], tmp_path: Path) -> None:
    b, _ = pair
    bad_version = tmp_path / "v9.json"
    bad_version.write_text(
        json.dumps({"format": "driftdiff.baseline/9", "service": "s", "endpoints": {}})
    )
    cycle = tmp_path / "cycle.yaml"
    cycle.write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /n:\n    get:\n"
        "      responses:\n"
        "        '200':\n          description: ok\n          content:\n"
        "            application/json:\n"
        "              schema: {$ref: '#/components/schemas/Node'}\ncomponents:\n  schemas:\n"
        "    Node: {type: object, properties: {next: {$ref: '#/components/schemas/Node'}}}\n"
    )
    invalid = tmp_path / "invalid.yaml"
    invalid.write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /x:\n    get: {}\n"
    )
    malformed = tmp_path / "m.json"
    malformed.write_text('{"openapi": "3.0.0", ')
    junk = tmp_path / "junk.yaml"
    junk.write_text("hello: world\n")
    cases = [
        (bad_version, "not supported"),
        (
            invalid,
            "invalid OpenAPI document at #/paths/~1x/get: 'responses' is a required property; "
            "pass --lenient-openapi",
        ),
        (malformed, "not valid JSON"),
        (junk, "not a driftdiff baseline"),
        (tmp_path / "nope.json", "no such file"),
    ]
    for path, needle in cases:
        res = run_cli("diff", str(b), str(path))
        assert res.code == 2, (path, res.stderr)
        assert needle in res.stderr and "Traceback" not in res.stderr
        assert len(res.stderr.strip().splitlines()) == 1, res.stderr
    res = run_cli("diff", str(cycle), str(cycle), "--fail-on-breaking")
    assert res.code == 0 and "No changes." in res.stdout
    assert run_cli("diff", str(b), str(invalid), "--lenient-openapi").code == 0


def test_traces_and_har_sides(tmp_path: Path) -> None:

    def line(i: int, body: dict[str, object]) -> str:
        return json.dumps(
            {
                "format": "driftdiff.exchange/1",
                "id": f"e{i}",
                "service": "s",
                "source": "sdk",
                "recorded_at": "2024-01-01T00:00:00Z",
                "duration_ms": 1,
                "request": {
                    "method": "GET",
                    "url": f"http://h/pets/{i}",
                    "path": f"/pets/{i}",
                    "query": {},
                    "headers": {},
                },
                "response": {
                    "status": 200,
                    "headers": {"content-type": ["application/json"]},
                    "content_type": "application/json",
                    "body": body,
                },
                "outbound": [],
            }
        )

    a, c = tmp_path / "a.jsonl", tmp_path / "c.jsonl"
    a.write_text("\n".join(line(i, {"id": i, "name": "x"}) for i in range(30)) + "\n")
    c.write_text("\n".join(line(i, {"id": i}) for i in range(30)) + "\n")
    res = run_cli("diff", str(a), str(c), "--fail-on-breaking")
    assert res.code == 1, res.stderr
    assert (
        "response-required-property-removed" in res.stdout
        and "present in 30 of 30 responses" in res.stdout
    )


def test_sarif_and_github_from_the_cli_point_into_the_baseline_file(tmp_path: Path) -> None:
    """``diff -f sarif|github`` on a local baseline locate each finding at its endpoint's line
    in that file, named from the repository root, as the Action does: code scanning shows no
    result without a physical location, and an annotation without a file is not on the diff."""
    from tests.support import REPO

    shop = REPO / "baselines" / "shop.json"
    data = json.loads(shop.read_text("utf-8"))
    del data["endpoints"]["GET /products"]
    current = tmp_path / "current.json"
    current.write_text(json.dumps(data), "utf-8")
    line = 1 + shop.read_text("utf-8").splitlines().index('    "GET /products": {')
    sarif = run_cli("diff", str(shop), str(current), "-f", "sarif")
    assert sarif.code == 0, sarif.stderr
    (result,) = json.loads(sarif.stdout)["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "baselines/shop.json"},
        "region": {"startLine": line},
    }
    github = run_cli("diff", str(shop), str(current), "-f", "github")
    assert f"::error file=baselines/shop.json,line={line},title=endpoint-removed" in github.stdout
    # standard input is no file to point at: logical locations only
    piped = run_cli("diff", "-", str(current), "-f", "sarif", stdin=shop.read_bytes())
    (result,) = json.loads(piped.stdout)["runs"][0]["results"]
    assert "physicalLocation" not in result["locations"][0]
