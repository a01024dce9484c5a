"""The pre-merge gate behind ``action.yml``: run a check or a diff, publish it, decide.

The GitHub Action passes its inputs as ``INPUT_*`` environment variables and runs
``python -m drift_diff.gate``, which

1. runs what ``driftdiff check`` (baseline + traces + target, and the command that starts it)
   or ``driftdiff diff`` (baseline + current) runs, in this process through the library
   (``drift_diff.contracts``, ``drift_diff.replay.run_check``), and writes the JSON report;
2. prints the report in the requested format and the ``--format github`` annotations to the log
   (the runner turns ``::error``/``::warning`` lines into annotations);
3. appends the Markdown report to ``$GITHUB_STEP_SUMMARY``;
4. on a pull request, posts the Markdown report as one sticky comment per service (created once,
   then edited in place; see ``drift_diff.pr_comment``) -- an API failure is one warning line
   and never changes the verdict;
5. writes SARIF for code scanning (results located in the baseline file) and ``breaking``,
   ``warning``, ``info``, ``report`` and ``sarif`` to ``$GITHUB_OUTPUT``;
6. exits 1 when ``fail-on`` says so (``breaking``: any breaking change; ``warning``: any breaking
   change or warning; ``none``: never), 2 when driftdiff itself could not run.

With no ``baseline`` input and ``services:`` in the config file, ``gate_services`` gates each
listed service this way and publishes one summary, comment and SARIF file for all of them.

Everything is plain functions over an explicit environment mapping, so tests run the gate
exactly as the runner does without a runner.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from drift_diff.errors import DriftDiffError, UsageError, quoted
from drift_diff.gate_publish import (
    anchored_annotations,
    append_file,
    post_comment,
    render_report,
    write_sarif,
)
from drift_diff.model import FAIL_ON, fail_on_threshold, fails_at
from drift_diff.pr_comment import marker_name

if TYPE_CHECKING:
    from drift_diff.config import Config
    from drift_diff.model import DiffResult

__all__ = [
    "GateInputs",
    "command_for",
    "exit_code",
    "main",
    "report_for",
    "run_gate",
    "summary_counts",
]


@dataclass(frozen=True)
class GateInputs:
    baseline: str
    traces: list[str]
    start: str = ""
    target: str = ""
    current: str = ""
    fail_on: str = "breaking"
    format: str = "text"
    config: str = ""
    service: str = ""
    comment: bool = True

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> GateInputs:
        """Read the inputs (``INPUT_FAIL-ON`` as GitHub spells it, or ``INPUT_FAIL_ON``)."""

        def get(name: str, default: str = "") -> str:
            upper = name.upper()
            for key in (f"INPUT_{upper}", f"INPUT_{upper.replace('-', '_')}"):
                if env.get(key, "").strip():
                    return env[key].strip()
            return default

        inputs = cls(
            baseline=get("baseline"),
            traces=shlex.split(get("traces")),
            start=get("start"),
            target=get("target"),
            current=get("current"),
            fail_on=get("fail-on", "breaking").lower(),
            format=get("format", "text").lower(),
            config=get("config"),
            service=get("service") or Path(get("baseline")).stem,
            comment=get("comment", "true").lower() not in ("false", "0", "no", "off"),
        )
        inputs.validate()
        return inputs

    def validate(self) -> None:
        if not self.baseline:
            raise UsageError(
                "input 'baseline' is required (or list 'services' in the config file, "
                "see docs/ci.md)"
            )
        try:
            fail_on_threshold(self.fail_on)
        except ValueError:
            raise UsageError(
                f"input 'fail-on' must be one of {', '.join(FAIL_ON)}, not {quoted(self.fail_on)}"
            ) from None
        if self.current and (self.traces or self.start or self.target):
            raise UsageError(
                "give either 'current' (a plain diff) or 'traces' with 'start'/'target' "
                "(a replay check), not both"
            )
        if not self.current and not self.traces:
            raise UsageError(
                "give 'current' for a plain diff, or 'traces' (with 'start' or 'target') "
                "for a replay check"
            )
        if self.traces and not self.target:
            raise UsageError(
                "a replay check needs 'target' (the URL the build answers on) and, unless the "
                "build is already running, 'start' (the command that starts it)"
            )
        from drift_diff.report import FORMATS

        if self.format not in FORMATS:
            raise UsageError(
                f"input 'format' must be one of {', '.join(FORMATS)}, not {quoted(self.format)}"
            )


def command_for(inputs: GateInputs, report_path: str | os.PathLike[str]) -> list[str]:
    """The ``driftdiff`` arguments that do what ``report_for`` does (shown in the log, so a run
    can be reproduced from a shell)."""
    if inputs.current:
        argv = ["diff", inputs.baseline, inputs.current]
    else:
        argv = ["check", "--baseline", inputs.baseline, *inputs.traces]
        if inputs.start:
            argv += ["--start", inputs.start]
        if inputs.target:
            argv += ["--target", inputs.target]
    if inputs.config:
        argv += ["--config", inputs.config]
    return [*argv, "--format", "json", "--output", str(report_path)]


def summary_counts(report: Mapping[str, Any]) -> dict[str, int]:
    """``{"breaking": n, "warning": n, "info": n}`` from a JSON report's ``summary``."""
    summary = report.get("summary")
    if not isinstance(summary, Mapping):
        summary = {}
    out: dict[str, int] = {}
    for key in ("breaking", "warning", "info"):
        value = summary.get(key, 0)
        out[key] = value if isinstance(value, int) and not isinstance(value, bool) else 0
    return out


def exit_code(counts: Mapping[str, int], fail_on: str) -> int:
    """1 when the counted findings reach the ``fail-on`` input's threshold, else 0."""
    return 1 if fails_at(counts, fail_on_threshold(fail_on)) else 0


def _config(inputs: GateInputs) -> Config | None:
    """The ``config`` input, else the config file found from the working directory (as the
    command line finds it)."""
    from drift_diff.config import find_config, load_config

    return load_config(Path(inputs.config)) if inputs.config else find_config(".")


def _diff(inputs: GateInputs, config: Config | None) -> DiffResult:
    from drift_diff.contracts import diff_sides, load_input

    return diff_sides(load_input(inputs.baseline), load_input(inputs.current), config=config)


def _check(inputs: GateInputs, config: Config | None) -> DiffResult:
    """Replay the traces against the build, learn its live contract, diff it with the baseline;
    the replay's summary table goes to the log."""
    from drift_diff.redaction import artifact_redactor
    from drift_diff.replay import ReplayOptions, run_check
    from drift_diff.replay.credentials import merge_credentials
    from drift_diff.replay.summary import summary_line, summary_table

    options = ReplayOptions(
        target=inputs.target,
        start=inputs.start or None,
        credentials=merge_credentials(config.replay_credentials if config else (), ()),
    )
    outcome = run_check(inputs.baseline, inputs.traces, options, config=config)
    # the table quotes live errors and mock misses (URLs with credentials): redacted like reports
    sys.stdout.write(artifact_redactor().redact_text(summary_table(outcome.replay)) + "\n")
    sys.stdout.write(summary_line(outcome.replay) + "\n")
    return outcome.result


def report_for(inputs: GateInputs, report_path: Path) -> dict[str, Any]:
    """Run the check or diff ``inputs`` ask for, in this process, through the library; its JSON
    report (also written to ``report_path``). One service; ``gate_services`` calls it once per
    service.

    The log shows the equivalent ``driftdiff`` command first (to reproduce the run locally).
    Any failure is a ``DriftDiffError`` with one line: what the command line would print.
    """
    from drift_diff.errors import failure_message
    from drift_diff.output import check_output, is_report_output, write_output
    from drift_diff.redaction import redact_line
    from drift_diff.report import render
    from drift_diff.traffic.urls import local_paths

    # the sources as given (a presigned URL, credentials in a store URL): redacted
    sys.stdout.write(
        redact_line(f"$ driftdiff {shlex.join(command_for(inputs, report_path))}") + "\n"
    )
    sys.stdout.flush()
    # what the report must never overwrite
    sources = [
        *(Path(p) for p in (inputs.baseline, inputs.current, inputs.config) if p),
        *local_paths(inputs.traces),
    ]
    try:
        check_output(report_path, inputs=sources, owned=is_report_output)
        config = _config(inputs)
        result = _diff(inputs, config) if inputs.current else _check(inputs, config)
        text = render(result, "json")
        write_output(report_path, text, inputs=sources, owned=is_report_output)
    except DriftDiffError:
        raise
    except Exception as exc:  # a bug or a hostile input: one line, as the command line says it
        raise DriftDiffError(failure_message(exc)) from exc
    for note in result.expired_ignores:
        sys.stdout.write(f"driftdiff: note: {note}\n")
    report: dict[str, Any] = json.loads(text)
    return report


def run_gate(env: Mapping[str, str]) -> int:
    """The whole gate (see the module docstring); returns the exit code."""
    from drift_diff.gate_services import run_services, wants_services

    if wants_services(env):
        return run_services(env)
    inputs = GateInputs.from_env(env)
    report_path = Path(env.get("RUNNER_TEMP") or tempfile.gettempdir()) / "driftdiff-report.json"
    report = report_for(inputs, report_path)
    counts = summary_counts(report)

    sarif_path = report_path.with_name("driftdiff.sarif")
    write_sarif(report, inputs, env, sarif_path)
    if inputs.format != "github":  # the annotations below are that format, anchored
        sys.stdout.write(render_report(report, inputs.format))
    sys.stdout.write(anchored_annotations(report, inputs, env))
    title = "driftdiff: " + ", ".join(f"{counts[k]} {k}" for k in ("breaking", "warning", "info"))
    append_file(env.get("GITHUB_STEP_SUMMARY"), render_report(report, "markdown"))
    append_file(
        env.get("GITHUB_OUTPUT"),
        "".join(f"{k}={counts[k]}\n" for k in ("breaking", "warning", "info"))
        + f"report={report_path}\nsarif={sarif_path}\nservice={marker_name(inputs.service)}\n",
    )
    if inputs.comment:
        post_comment(env, inputs.service, render_report(report, "markdown"))
    code = exit_code(counts, inputs.fail_on)
    verdict = "failing the job" if code else "passing"
    sys.stdout.write(f"{title} (fail-on: {inputs.fail_on}) -> {verdict}\n")
    return code


def main(argv: list[str] | None = None) -> int:
    """``python -m drift_diff.gate``: inputs come from ``INPUT_*`` variables, not arguments."""
    if argv:
        sys.stderr.write("usage: INPUT_BASELINE=... INPUT_TRACES=... python -m drift_diff.gate\n")
        return 2
    try:
        return run_gate(os.environ)
    except Exception as exc:  # one line (and one annotation), never a traceback
        from drift_diff.errors import failure_message
        from drift_diff.report.github import escape_data

        message = failure_message(exc)
        sys.stderr.write(f"driftdiff: error: {message}\n")
        sys.stdout.write(f"::error title=driftdiff::{escape_data(message)}\n")
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
