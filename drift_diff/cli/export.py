"""``driftdiff export openapi BASELINE``: a baseline as an OpenAPI 3.1 document."""

from __future__ import annotations

from pathlib import Path

import typer

from drift_diff.baseline import load_baseline
from drift_diff.cli._common import echo_err
from drift_diff.openapi import dumps_openapi, export_openapi


def register(app: typer.Typer) -> None:
    export_app = typer.Typer(help="Export a baseline to another format.", no_args_is_help=True)

    @export_app.command("openapi")
    def openapi(
        baseline: Path = typer.Argument(..., help="baseline file"),
        out: Path | None = typer.Option(
            None, "--out", "-o", help="FILE (.json, or .yaml/.yml for YAML)"
        ),
    ) -> None:
        """Write BASELINE as an OpenAPI 3.1 document (JSON, or YAML by the --out extension)."""
        text = dumps_openapi(export_openapi(load_baseline(baseline)), out)
        if out is None:
            typer.echo(text, nl=False)
        else:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(text, encoding="utf-8")
            echo_err(f"driftdiff: OpenAPI 3.1 written to {out}")

    app.add_typer(export_app, name="export")
