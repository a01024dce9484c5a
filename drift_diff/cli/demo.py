"""``driftdiff demo``: the whole story on the bundled example service."""

from __future__ import annotations

from pathlib import Path

import typer

from drift_diff.cli._common import FAIL_ON_HELP, FORMAT_HELP, emit_report, exit_with, fail_threshold
from drift_diff.cli._console import narrate
from drift_diff.model import Severity, fails_at
from drift_diff.report_format import ReportFormat


def register(app: typer.Typer) -> None:
    @app.command("demo")
    def demo(
        report_format: ReportFormat = typer.Option("text", "--format", "-f", help=FORMAT_HELP),
        output: Path | None = typer.Option(
            None, "--output", "-o", help="Write the report here ('-': standard output)."
        ),
        force: bool = typer.Option(
            False, "--force", help="Let --output replace a baseline, trace or OpenAPI file."
        ),
        fail_on_breaking: bool = typer.Option(
            False, "--fail-on-breaking", help="Exit 1 when v2 breaks the contract (it does)."
        ),
        fail_on: Severity | None = typer.Option(
            None, "--fail-on", case_sensitive=False, help=FAIL_ON_HELP
        ),
        write_baseline: Path | None = typer.Option(
            None,
            "--write-baseline",
            metavar="FILE",
            help="Also save the learned v1 baseline (regenerates baselines/shop.json).",
        ),
        write_traces: Path | None = typer.Option(
            None,
            "--write-traces",
            metavar="DIR",
            help="Also save the recorded v1 traces (regenerates examples/traces). The upstream "
            "then runs on the shop's default address, 127.0.0.1:8081.",
        ),
        workdir: Path | None = typer.Option(
            None,
            "--workdir",
            metavar="DIR",
            help="Work (traces, logs) in DIR and keep it, instead of a temporary folder.",
        ),
        examples: Path | None = typer.Option(
            None,
            "--examples",
            metavar="DIR",
            help="The example service (default: the copy shipped with driftdiff).",
        ),
    ) -> None:
        """Record the example shop v1, learn its baseline, replay against v2, print the report.

        Starts the example's upstream and shop v1 on free ports with the SDK recording, drives
        examples/traffic.py, stops v1 (the SDK flushes), learns the baseline, stops the
        upstream, replays the recording against shop v2 (outbound calls answered from the
        recording) and prints what v2 breaks. Every process started is stopped on the way out.
        Exit 0: finding v2's breaking changes is the point of the demo.
        """
        from drift_diff.demo import DemoOptions, run_demo
        from drift_diff.output import check_output, is_report_output
        from drift_diff.processes import interrupt_on_signals

        threshold = fail_threshold(fail_on_breaking, fail_on)
        if output is not None:  # a refused target fails before anything starts
            check_output(output, force=force, owned=is_report_output)

        options = DemoOptions(
            examples_dir=examples,
            workdir=workdir,
            report_format=report_format,
            write_baseline=write_baseline,
            write_traces=write_traces,
        )
        with interrupt_on_signals():
            result = run_demo(options, narrate=narrate)
        emit_report(result.report.removesuffix("\n"), output, inputs=(), force=force)
        counts = result.summary
        narrate(
            f"done: {counts['breaking']} breaking, {counts['warning']} warning, "
            f"{counts['info']} info — shop v2 would break its consumers"
            if counts["breaking"]
            else "done: no breaking change found"
        )
        if fails_at(counts, threshold):
            exit_with(1)
