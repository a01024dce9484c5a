"""``driftdiff demo``: the whole story on the bundled example service."""

from __future__ import annotations

from pathlib import Path

import typer

from drift_diff.cli._common import FORMAT_HELP, exit_with
from drift_diff.cli._console import narrate
from drift_diff.report import ReportFormat


def register(app: typer.Typer) -> None:
    @app.command("demo")
    def demo(
        report_format: ReportFormat = typer.Option("text", "--format", "-f", help=FORMAT_HELP),
        fail_on_breaking: bool = typer.Option(
            False, "--fail-on-breaking", help="Exit 1 when v2 breaks the contract (it does)."
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
        from drift_diff.processes import interrupt_on_signals

        options = DemoOptions(
            examples_dir=examples,
            workdir=workdir,
            report_format=report_format,
            write_baseline=write_baseline,
            write_traces=write_traces,
        )
        with interrupt_on_signals():
            result = run_demo(options, narrate=narrate)
        typer.echo(result.report, nl=not result.report.endswith("\n"))
        counts = result.summary
        narrate(
            f"done: {counts['breaking']} breaking, {counts['warning']} warning, "
            f"{counts['info']} info — shop v2 would break its consumers"
            if counts["breaking"]
            else "done: no breaking change found"
        )
        if fail_on_breaking and counts["breaking"]:
            exit_with(1)
