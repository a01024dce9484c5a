"""Helpers shared by the CLI command modules (option parsing, output). No business logic here."""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from drift_diff.cli._console import stderr_line
from drift_diff.errors import UsageError
from drift_diff.model import Severity

if TYPE_CHECKING:
    from driftdiff_sdk.scope import Excluder

    from drift_diff.config import Config

__all__ = [
    "CONFIG_DEFAULT",
    "CONFIG_HELP",
    "EXCLUDE_HELP",
    "FAIL_ON_HELP",
    "FORMAT_HELP",
    "NO_DEFAULT_EXCLUDES_HELP",
    "check_excludes",
    "echo_err",
    "echo_summary",
    "emit_report",
    "excluder_for",
    "exit_with",
    "fail_threshold",
    "load_config_option",
    "parse_headers",
    "positive",
]


def echo_err(message: str) -> None:
    """One line on stderr (summaries, warnings) so stdout stays machine-readable; redacted
    (``_console.stderr_line``), whatever the verbosity."""
    stderr_line(message)


def exit_with(code: int) -> None:
    raise typer.Exit(code)


def parse_headers(values: list[str] | None) -> dict[str, str]:
    """``["Authorization: Bearer x"]`` → ``{"Authorization": "Bearer x"}``."""
    out: dict[str, str] = {}
    for index, value in enumerate(values or []):
        name, sep, rest = value.partition(":")
        if not sep or not name.strip():
            # (the value is not quoted: it is most likely a credential missing its colon)
            raise UsageError(
                f"--header must look like 'Name: value' (header #{index + 1} has no "
                f"{'name' if sep else 'colon'})"
            )
        out[name.strip()] = rest.strip()
    return out


def positive(option: str, value: float) -> float:
    """``value`` when it is a finite number above zero, else a ``UsageError`` naming ``option``
    (``nan`` would make every deadline comparison false: a wait that never ends)."""
    if not (math.isfinite(value) and value > 0):
        raise UsageError(f"{option} must be a finite number above 0, got {value}")
    return value


#: help of ``--fail-on`` (typer lists the choices, matched case-insensitively: ``BREAKING`` works)
FAIL_ON_HELP = "Exit 1 on a finding at this severity or above (any case)."
#: help of ``-f/--format`` on the commands that render a report
FORMAT_HELP = "Report format."


def fail_threshold(fail_on_breaking: bool, fail_on: Severity | None) -> Severity | None:
    """The severity that fails the run: the lower of ``--fail-on`` and ``--fail-on-breaking``."""
    floor = Severity.BREAKING if fail_on_breaking else None
    if fail_on is None:
        return floor
    return fail_on if floor is None else min(floor, fail_on)


def echo_summary(run: Any, fmt: str) -> None:
    from drift_diff.redaction import artifact_redactor
    from drift_diff.replay.summary import summary_line, summary_table

    to_err = fmt != "text"
    # the table quotes live errors and mock misses (URLs with credentials): redacted like reports
    typer.echo(artifact_redactor().redact_text(summary_table(run)), err=to_err)
    typer.echo(summary_line(run), err=to_err)
    if run.out_file is not None:
        from drift_diff.cli._console import narrate

        narrate(f"live exchanges written to {run.out_file}")


def emit_report(report: str, output: Path | None, *, inputs: Sequence[Path], force: bool) -> None:
    """The report on stdout, or written to ``-o/--output`` (``-``: stdout) with a note on stderr.

    Call ``check_output`` for ``output`` before the work, so a refused target fails first."""
    from drift_diff.cli._console import colour_severities, narrate, use_colour
    from drift_diff.output import is_report_output, is_stdout, write_output

    if output is None:
        typer.echo(colour_severities(report, sys.stdout), color=use_colour(sys.stdout))
        return
    write_output(output, report + "\n", inputs=inputs, force=force, owned=is_report_output)
    if not is_stdout(output):
        narrate(f"report written to {output}")


#: where --config is looked for when it is not given (``config.search_folders``)
CONFIG_DEFAULT = (
    "default: driftdiff.yaml, else pyproject.toml [tool.driftdiff], in this folder or the"
    " nearest above it up to the repository root"
)
CONFIG_HELP = f"driftdiff.yaml or pyproject.toml ({CONFIG_DEFAULT})."

#: help of ``--exclude`` / ``--no-default-excludes`` (``baseline``, ``baseline update``, ``record``)
EXCLUDE_HELP = (
    "Leave out matching requests: '[METHODS ]PATH' with *, ** and {param} "
    "(repeatable; adds to the config's exclude:; see docs/workflow.md)."
)
NO_DEFAULT_EXCLUDES_HELP = (
    "Keep /health, /healthz, /livez, /readyz, /metrics, /favicon.ico, /static/**."
)


def check_excludes(patterns: Sequence[str]) -> tuple[str, ...]:
    """``--exclude`` patterns, each checked (a ``UsageError`` naming the first bad one)."""
    from drift_diff.config import exclude_pattern_problem
    from drift_diff.errors import quoted

    for pattern in patterns:
        problem = exclude_pattern_problem(pattern)
        if problem:
            raise UsageError(f"--exclude {quoted(pattern)}: {problem}")
    return tuple(patterns)


def excluder_for(config: Config | None, patterns: tuple[str, ...], no_defaults: bool) -> Excluder:
    """The config's ``exclude:`` plus the command line's (checked by ``check_excludes``)."""
    from driftdiff_sdk.scope import Excluder

    if config is None:
        return Excluder(patterns, defaults=not no_defaults)
    return config.excluder(patterns, defaults=not no_defaults)


def load_config_option(path: Path | None) -> Config | None:
    from drift_diff.cli._console import detail
    from drift_diff.config import find_config, load_config

    config = load_config(path) if path is not None else find_config(".")
    detail(f"config: {config.source}" if config is not None else "config: none found")
    return config
