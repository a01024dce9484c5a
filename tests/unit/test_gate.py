"""The action's gate logic: inputs, the command it runs, counts, and when it fails the job."""

from __future__ import annotations

import pytest

from drift_diff.errors import UsageError
from drift_diff.gate import GateInputs, command_for, exit_code, summary_counts


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
