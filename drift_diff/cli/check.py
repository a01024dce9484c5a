"""``driftdiff check``: the pre-merge gate (replay + infer + diff against the baseline)."""

from __future__ import annotations

import typer

from drift_diff.cli._common import echo_summary, emit_report
from drift_diff.cli._console import progress
from drift_diff.cli._replay_options import ReplayArgs, replay_options
from drift_diff.traffic.urls import local_paths

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    @app.command("check")
    @replay_options
    def check(
        sources: list[str] = typer.Argument(
            ..., help="Trace files or folders of the recording, globs, or URLs (s3://...)."
        ),
        baseline: str = typer.Option(
            ..., "--baseline", help="The committed baseline file (or a URL: s3://..., gs://...)."
        ),
        *,
        args: ReplayArgs,
    ) -> None:
        """Replay the recording against a build and diff its live contract with the baseline."""
        from drift_diff.output import check_output, is_report_output
        from drift_diff.replay.check import run_check
        from drift_diff.report import render

        inputs = [
            *local_paths([baseline, *sources]),
            *([args.config_file] if args.config_file is not None else []),
        ]
        if args.output is not None:
            check_output(args.output, inputs=inputs, force=args.force, owned=is_report_output)
        threshold, config, options = args.setup(inputs)
        with progress("replaying", counted=False):
            outcome = run_check(baseline, [str(s) for s in sources], options, config=config)
        echo_summary(outcome.replay, args.fmt)
        emit_report(
            render(outcome.result, args.fmt, baseline=baseline),
            args.output,
            inputs=inputs,
            force=args.force,
        )
        if threshold is not None and outcome.fails(threshold):
            raise typer.Exit(1)
