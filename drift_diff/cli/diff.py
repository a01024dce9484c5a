"""``driftdiff diff BASE CURRENT``: compare two contracts and gate on breaking changes."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import typer

from drift_diff.cli._common import (
    CONFIG_HELP,
    FAIL_ON_HELP,
    FORMAT_HELP,
    echo_err,
    exit_with,
    fail_threshold,
    load_config_option,
)
from drift_diff.cli._console import colour_severities, narrate, use_colour
from drift_diff.model import Severity
from drift_diff.output import check_output, is_report_output, is_stdout, write_output
from drift_diff.report_format import ReportFormat
from drift_diff.stdin_input import reading_stdin
from drift_diff.traffic.urls import local_paths


def register(app: typer.Typer) -> None:
    @app.command("diff")
    def diff(
        base: str = typer.Argument(
            ...,
            help="base: baseline, OpenAPI document, HAR, or trace files/folder "
            "('-': standard input; a URL such as s3://bucket/baselines/shop.json)",
        ),
        current: str = typer.Argument(
            ..., help="current: same kinds as BASE ('-': standard input; a URL)"
        ),
        fmt: ReportFormat = typer.Option("text", "--format", "-f", help=FORMAT_HELP),
        output: Path | None = typer.Option(
            None, "--output", "-o", help="write the report to FILE ('-': standard output)"
        ),
        force: bool = typer.Option(
            False, "--force", help="let -o replace a baseline, trace or OpenAPI file"
        ),
        fail_on_breaking: bool = typer.Option(
            False, "--fail-on-breaking", help="exit 1 on a breaking change"
        ),
        fail_on: Severity | None = typer.Option(
            None, "--fail-on", case_sensitive=False, help=FAIL_ON_HELP
        ),
        config: Path | None = typer.Option(
            None,
            "--config",
            help=CONFIG_HELP,
        ),
        lenient: bool = typer.Option(
            False,
            "--lenient-openapi",
            help="diff OpenAPI documents the validator refuses (best effort)",
        ),
        allow_file_refs: bool = typer.Option(
            False,
            "--allow-file-refs",
            help="follow an OpenAPI document's relative file $refs (only under its own folder; "
            "by default only local '#/...' refs)",
        ),
        deprecation_days: int | None = typer.Option(
            None,
            "--deprecation-days",
            min=0,
            max=36500,
            help="days of notice a deprecated endpoint's sunset date must give "
            "(config: deprecation_days; default 0)",
        ),
    ) -> None:
        """Compare BASE with CURRENT and report contract changes."""
        from drift_diff.config import Config
        from drift_diff.contracts import diff_sides, load_input
        from drift_diff.report import headline, render

        threshold = fail_threshold(fail_on_breaking, fail_on)
        inputs = [*local_paths([base, current]), *([config] if config is not None else [])]
        if output is not None:
            check_output(output, inputs=inputs, force=force, owned=is_report_output)
        cfg = load_config_option(config)
        if deprecation_days is not None:
            cfg = replace(cfg or Config(), deprecation_days=deprecation_days)
        with reading_stdin([base, current]) as (base_file, current_file):
            result = diff_sides(
                load_input(
                    base_file, validate_openapi=not lenient, allow_file_refs=allow_file_refs
                ),
                load_input(
                    current_file, validate_openapi=not lenient, allow_file_refs=allow_file_refs
                ),
                config=cfg,
            )
        text = render(result, fmt, baseline=base)
        if output is not None:
            write_output(output, text, inputs=inputs, force=force, owned=is_report_output)
            if not is_stdout(output):
                narrate(f"driftdiff: {headline(result)}; report written to {output}")
        else:
            typer.echo(colour_severities(text, sys.stdout), nl=False, color=use_colour(sys.stdout))
        for note in result.expired_ignores:
            echo_err(f"driftdiff: note: {note}")
        if threshold is not None and result.fails(threshold):
            exit_with(1)
