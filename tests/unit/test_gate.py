"""The action's gate logic: inputs, the command it runs, counts, and when it fails the job."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drift_diff.errors import DriftDiffError, OutputError, UsageError
from drift_diff.gate import GateInputs, command_for, exit_code, report_for, summary_counts
from tests.support import REPO, run_cli

BASELINE = REPO / "baselines" / "shop.json"


def test_inputs_read_as_github_spells_them() -> None:
    env = {
        "INPUT_BASELINE": "b.json",
        "INPUT_TRACES": "t1 'dir two'",
        "INPUT_START": "uvicorn a:b",
        "INPUT_TARGET": "http://127.0.0.1:8000",
        "INPUT_FAIL-ON": "Warning",
        "INPUT_FORMAT": "",
    }
    inputs = GateInputs.from_env(env)
    assert inputs.traces == ["t1", "dir two"]
    assert inputs.fail_on == "warning"
    assert inputs.format == "text"


def test_check_command() -> None:
    inputs = GateInputs(
        baseline="b.json",
        traces=["t"],
        start="uvicorn app:app",
        target="http://h:1",
        config="dd.yaml",
    )
    assert command_for(inputs, "r.json") == [
        "check",
        "--baseline",
        "b.json",
        "t",
        "--start",
        "uvicorn app:app",
        "--target",
        "http://h:1",
        "--config",
        "dd.yaml",
        "--format",
        "json",
        "--output",
        "r.json",
    ]


def test_diff_command() -> None:
    inputs = GateInputs(baseline="b.json", traces=[], current="c.json")
    assert command_for(inputs, "r.json") == [
        "diff",
        "b.json",
        "c.json",
        "--format",
        "json",
        "--output",
        "r.json",
    ]


@pytest.mark.parametrize(
    "env, needle",
    [
        ({}, "baseline"),
        ({"INPUT_BASELINE": "b", "INPUT_CURRENT": "c", "INPUT_TRACES": "t"}, "not both"),
        ({"INPUT_BASELINE": "b"}, "current"),
        ({"INPUT_BASELINE": "b", "INPUT_TRACES": "t", "INPUT_START": "x"}, "target"),
        ({"INPUT_BASELINE": "b", "INPUT_CURRENT": "c", "INPUT_FORMAT": "pdf"}, "format"),
        ({"INPUT_BASELINE": "b", "INPUT_CURRENT": "c", "INPUT_FAIL_ON": "always"}, "fail-on"),
    ],
)
def test_bad_inputs_are_usage_errors(env: dict[str, str], needle: str) -> None:
    with pytest.raises(UsageError, match=needle):
        GateInputs.from_env(env)


def test_summary_counts_tolerates_missing_fields() -> None:
    assert summary_counts({"summary": {"breaking": 2, "info": 1}}) == {
        "breaking": 2,
        "warning": 0,
        "info": 1,
    }
    assert summary_counts({}) == {"breaking": 0, "warning": 0, "info": 0}


@pytest.mark.parametrize(
    "counts, fail_on, code",
    [
        ({"breaking": 1, "warning": 0}, "breaking", 1),
        ({"breaking": 0, "warning": 3}, "breaking", 0),
        ({"breaking": 0, "warning": 3}, "warning", 1),
        ({"breaking": 5, "warning": 3}, "none", 0),
        ({"breaking": 0, "warning": 0}, "warning", 0),
        ({"breaking": 0, "warning": 0, "info": 2}, "info", 1),
        ({"breaking": 0, "warning": 0, "info": 2}, "warning", 0),
        ({"breaking": 1}, "BREAKING", 1),
    ],
)
def test_exit_code(counts: dict[str, int], fail_on: str, code: int) -> None:
    assert exit_code(counts, fail_on) == code


def _without_an_endpoint(folder: Path) -> Path:
    data = json.loads(BASELINE.read_text("utf-8"))
    del data["endpoints"]["GET /users/{user_id}/orders"]
    path = folder / "current.json"
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", "utf-8")
    return path


def test_report_is_the_diff_commands_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """In-process through the library: the same JSON report ``driftdiff diff`` writes, the
    equivalent command in the log."""
    monkeypatch.chdir(tmp_path)  # no config file found by either
    current = _without_an_endpoint(tmp_path)
    report_path = tmp_path / "report.json"
    report = report_for(GateInputs(str(BASELINE), [], current=str(current)), report_path)
    log = capsys.readouterr().out
    cli = run_cli("diff", str(BASELINE), str(current), "--format", "json", cwd=tmp_path)
    assert cli.code == 0, cli.stderr
    assert report == json.loads(cli.stdout) == json.loads(report_path.read_text("utf-8"))
    assert report["summary"]["breaking"] >= 1
    assert log.startswith(f"$ driftdiff diff {BASELINE} {current} --format json --output ")


def test_a_failure_is_one_line_naming_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "missing.json"
    inputs = GateInputs(str(BASELINE), [], current=str(missing))
    with pytest.raises(DriftDiffError, match=f"^{missing}: no such file or directory$"):
        report_for(inputs, tmp_path / "report.json")
    assert not (tmp_path / "report.json").exists()


def test_the_report_never_overwrites_an_input(tmp_path: Path) -> None:
    current = _without_an_endpoint(tmp_path)
    before = current.read_bytes()
    with pytest.raises(OutputError, match="input"):
        report_for(GateInputs(str(BASELINE), [], current=str(current)), current)
    assert current.read_bytes() == before


def test_the_logged_command_is_redacted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The log's ``$ driftdiff ...`` line quotes the sources as given: credentials stay out."""
    monkeypatch.chdir(tmp_path)
    current = "https://deploy:hunter2secret@127.0.0.1:9/shop.json"
    with pytest.raises(DriftDiffError):
        report_for(GateInputs(str(BASELINE), [], current=current), tmp_path / "r.json")
    log = capsys.readouterr().out
    assert log.startswith("$ driftdiff diff ") and "127.0.0.1:9/shop.json" in log
    assert "hunter2secret" not in log
