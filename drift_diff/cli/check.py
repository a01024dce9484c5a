"""``driftdiff check``: the pre-merge gate (replay + infer + diff against the baseline)."""

from __future__ import annotations

from pathlib import Path

import typer

from drift_diff.cli._common import (
    FAIL_ON_HELP,
    FORMAT_HELP,
    echo_summary,
    emit_report,
    replay_setup,
)
from drift_diff.cli._console import progress
from drift_diff.model import Severity
from drift_diff.report import ReportFormat, render
from drift_diff.traffic.urls import local_paths

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    @app.command("check")
    def check(
        sources: list[str] = typer.Argument(
            ..., help="Trace files or folders of the recording, globs, or URLs (s3://...)."
        ),
        baseline: str = typer.Option(
            ..., "--baseline", help="The committed baseline file (or a URL: s3://..., gs://...)."
        ),
        target: str = typer.Option(..., "--target", help="Base URL of the build under test."),
        start: str | None = typer.Option(None, "--start", help="Command that starts the service."),
        ready: str = typer.Option("/", "--ready", help="Path polled until the target answers."),
        ready_timeout: float = typer.Option(30.0, "--ready-timeout", help="Seconds to wait."),
        out: Path | None = typer.Option(
            None,
            "--out",
            help="Folder for replay.jsonl (live exchanges) and service.log; not the report "
            "(see -o).",
        ),
        concurrency: int = typer.Option(8, "--concurrency", help="Requests in flight at once."),
        timeout: float = typer.Option(10.0, "--timeout", help="Per-request timeout (seconds)."),
        header: list[str] | None = typer.Option(None, "--header", help="'Name: value' override."),
        credential: list[str] | None = typer.Option(
            None,
            "--credential",
            help="header:NAME=ENV_VAR, cookie:NAME=ENV_VAR or query:NAME=ENV_VAR: a fresh "
            "secret from the environment where the recording held a redacted one (repeatable).",
        ),
        parallel_mutations: bool = typer.Option(
            False, "--parallel-mutations", help="Do not keep mutating requests in order."
        ),
        fail_on_breaking: bool = typer.Option(
            False, "--fail-on-breaking", help="Exit 1 on a breaking change or failure."
        ),
        fail_on: Severity | None = typer.Option(
            None, "--fail-on", case_sensitive=False, help=FAIL_ON_HELP
        ),
        fmt: ReportFormat = typer.Option("text", "--format", "-f", help=FORMAT_HELP),
        config_file: Path | None = typer.Option(None, "--config", help="driftdiff.yaml"),
        output: Path | None = typer.Option(
            None, "--output", "-o", help="Write the report here ('-': standard output)."
        ),
        force: bool = typer.Option(
            False, "--force", help="Let --output replace a baseline, trace or OpenAPI file."
        ),
        sandbox: str = typer.Option(
            "none",
            "--sandbox",
            help="none | netns: run --start's service in its own network namespace (Linux).",
        ),
    ) -> None:
        """Replay the recording against a build and diff its live contract with the baseline."""
        from drift_diff.output import check_output, is_report_output
        from drift_diff.replay.check import run_check

        inputs = [
            *local_paths([baseline, *sources]),
            *([config_file] if config_file is not None else []),
        ]
        if output is not None:
            check_output(output, inputs=inputs, force=force, owned=is_report_output)
        threshold, config, options = replay_setup(
            target,
            start,
            ready,
            ready_timeout,
            out,
            concurrency,
            timeout,
            header,
            parallel_mutations,
            fail_on_breaking=fail_on_breaking,
            fail_on=fail_on,
            config_file=config_file,
            credential=credential,
            inputs=inputs,
        )
        options.sandbox = sandbox
        with progress("replaying", counted=False):
            outcome = run_check(baseline, [str(s) for s in sources], options, config=config)
        echo_summary(outcome.replay, fmt)
        emit_report(render(outcome.result, fmt), output, inputs=inputs, force=force)
        if threshold is not None and outcome.fails(threshold):
            raise typer.Exit(1)
