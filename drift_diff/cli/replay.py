"""``driftdiff replay``: send recorded requests to a build, outbound calls served from mocks."""

from __future__ import annotations

import typer

from drift_diff.cli._common import echo_summary, emit_report
from drift_diff.cli._console import progress
from drift_diff.cli._replay_options import ReplayArgs, replay_options
from drift_diff.traffic.urls import local_paths

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    @app.command("replay")
    @replay_options
    def replay(
        sources: list[str] = typer.Argument(
            ..., help="Trace files or folders of the recording, globs, or URLs (s3://...)."
        ),
        *,
        args: ReplayArgs,
    ) -> None:
        """Replay recorded traffic against a build; outbound calls are served from the recording."""
        from drift_diff.output import check_output, is_report_output
        from drift_diff.replay.check import load_recording, replay_result, with_config_paths
        from drift_diff.replay.runner import run_replay
        from drift_diff.report import render

        config_file = args.config_file
        inputs = [*local_paths(sources), *([config_file] if config_file is not None else [])]
        if args.output is not None:
            check_output(args.output, inputs=inputs, force=args.force, owned=is_report_output)
        threshold, config, options = args.setup(inputs)
        recorded, _stats = load_recording([str(s) for s in sources])
        with progress("replaying", counted=False):
            run = run_replay(recorded, with_config_paths(options, config))
        echo_summary(run, args.fmt)
        result = replay_result(run, config)
        emit_report(render(result, args.fmt), args.output, inputs=inputs, force=args.force)
        if threshold is not None and result.fails(threshold):
            raise typer.Exit(1)
