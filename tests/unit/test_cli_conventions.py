"""One option vocabulary on every command (issue 16, CLI conventions), through the real CLI.

``--version``, shell completion, ``-f/--format`` validated up front with its choices in
``--help``, ``-o/--output`` where a command writes a file, ``--fail-on`` in any case.
"""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path
from typing import get_args

import pytest

from drift_diff import __version__
from drift_diff.report import FORMATS, ReportFormat
from tests.support import REPO, free_port, run_cli

BASELINE = REPO / "baselines" / "shop.json"
TRACES = REPO / "examples" / "traces"


def test_root_version_flag_prints_the_version() -> None:
    result = run_cli("--version")
    assert result.code == 0, result.stderr
    assert result.stdout.strip() == f"driftdiff {__version__}"


def test_shell_completion_is_offered() -> None:
    result = run_cli("--help")
    assert result.code == 0
    assert "--install-completion" in result.stdout
    assert "--show-completion" in result.stdout


def test_report_format_type_lists_every_renderer() -> None:
    assert get_args(ReportFormat) == FORMATS


@pytest.mark.parametrize("command", ["check", "replay", "diff", "demo"])
def test_help_lists_every_format_choice(command: str) -> None:
    result = run_cli(command, "--help", env={"COLUMNS": "200"})
    assert result.code == 0, result.stderr
    assert "-f, --format" in result.stdout
    assert "|".join(FORMATS) in result.stdout
    assert "…" not in result.stdout


def test_check_refuses_an_unknown_format_before_replaying(tmp_path: Path) -> None:
    marker = tmp_path / "started"
    start = f"{shlex.quote(sys.executable)} -c 'open({str(marker)!r}, \"w\")'"
    result = run_cli(
        "check",
        str(TRACES),
        "--baseline",
        str(BASELINE),
        "--target",
        f"http://127.0.0.1:{free_port()}",
        "--start",
        start,
        "--format",
        "bogus",
    )
    assert result.code == 2
    assert "bogus" in result.stderr
    assert not marker.exists()  # the service was never started


@pytest.mark.parametrize("level", ["BREAKING", "Breaking", "breaking"])
def test_diff_fail_on_any_case(level: str, tmp_path: Path) -> None:
    other = tmp_path / "other.json"
    data = json.loads(BASELINE.read_text())
    data["endpoints"].pop(next(iter(data["endpoints"])))  # a removed endpoint: breaking
    other.write_text(json.dumps(data))
    assert run_cli("diff", str(BASELINE), str(other), "--fail-on", level).code == 1
    assert run_cli("diff", str(BASELINE), str(BASELINE), "--fail-on", level).code == 0


@pytest.mark.parametrize("command", ["check", "replay"])
def test_fail_on_any_case_is_accepted_by_replaying_commands(command: str) -> None:
    result = run_cli(command, "--help")
    assert "info|warning|breaking" in result.stdout


def test_unknown_fail_on_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("diff", str(BASELINE), str(BASELINE), "--fail-on", "fatal")
    assert result.code == 2
    assert "fatal" in result.stderr


@pytest.mark.parametrize(
    "command",
    [
        ("check",),
        ("replay",),
        ("diff",),
        ("baseline", "build"),
        ("baseline", "merge"),
        ("export", "openapi"),
        ("generate", "pytest"),
    ],
)
def test_commands_that_write_a_file_take_o_output(command: tuple[str, ...]) -> None:
    result = run_cli(*command, "--help", env={"COLUMNS": "200"})
    assert result.code == 0, result.stderr
    assert "-o, --output" in result.stdout or "--output, -o" in result.stdout


def test_baseline_and_export_write_through_o(tmp_path: Path) -> None:
    learned = tmp_path / "b.json"
    assert run_cli("baseline", str(TRACES), "-o", str(learned)).code == 0
    assert json.loads(learned.read_text())["endpoints"]
    exported = run_cli("export", "openapi", str(learned), "--output", "-")
    assert exported.code == 0
    assert json.loads(exported.stdout)["openapi"].startswith("3.1")


def test_rules_format_choices_are_validated() -> None:
    result = run_cli("rules", "-f", "yaml")
    assert result.code == 2
    assert "yaml" in result.stderr
