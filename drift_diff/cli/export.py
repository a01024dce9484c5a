"""``driftdiff export openapi BASELINE``: a baseline as an OpenAPI 3.1 document."""

from __future__ import annotations

from pathlib import Path

import typer

from drift_diff.cli._console import narrate
from drift_diff.output import check_output, has_marker, is_stdout, write_output
from drift_diff.stdin_input import reading_stdin
from drift_diff.traffic.urls import local_paths


def register(app: typer.Typer) -> None:
    export_app = typer.Typer(help="Export a baseline to another format.", no_args_is_help=True)

    @export_app.command("openapi")
    def openapi(
        baseline: str = typer.Argument(
            ...,
            help="baseline file (or a URL: s3://bucket/baselines/shop.json, gs://, az://;"
            " '-': standard input)",
        ),
        out: Path | None = typer.Option(
            None,
            "--output",
            "-o",
            "--out",
            help="FILE (.json, or .yaml/.yml for YAML; '-': standard output)",
        ),
        force: bool = typer.Option(
            False, "--force", help="replace an existing --out file this command did not write"
        ),
        server: list[str] = typer.Option(
            [],
            "--server",
            help="URL the API is served at, for 'servers' (repeatable; default: '/')",
        ),
    ) -> None:
        """Write BASELINE as an OpenAPI 3.1 document (JSON, or YAML by the --out extension)."""
        from drift_diff.baseline import load_baseline
        from drift_diff.openapi import dumps_openapi, export_openapi
        from drift_diff.openapi.exporter import EXPORT_MARKER

        owned = has_marker(EXPORT_MARKER.encode())
        if out is not None:
            check_output(out, inputs=local_paths([baseline]), force=force, owned=owned)
        with reading_stdin([baseline]) as (path,):
            loaded = load_baseline(path)
        text = dumps_openapi(export_openapi(loaded, servers=server), out)
        if out is None:
            typer.echo(text, nl=False)
        else:
            write_output(out, text, inputs=local_paths([baseline]), force=force, owned=owned)
            if not is_stdout(out):
                narrate(f"driftdiff: OpenAPI 3.1 written to {out}")

    app.add_typer(export_app, name="export")
