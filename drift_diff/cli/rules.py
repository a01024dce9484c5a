"""``driftdiff rules``: the rule catalogue."""

from __future__ import annotations

import json
from typing import Literal

import typer

from drift_diff.diff.registry import catalogue_rows, rules_markdown


def register(app: typer.Typer) -> None:
    @app.command("rules")
    def rules(
        fmt: Literal["text", "json", "markdown"] = typer.Option("text", "--format", "-f"),
    ) -> None:
        """List the rules a diff applies: id, severity, direction, area, description."""
        if fmt == "markdown":
            typer.echo(rules_markdown(), nl=False)
        elif fmt == "json":
            typer.echo(json.dumps(catalogue_rows(), indent=2))
        else:
            from tabulate import tabulate

            rows = [
                [r["id"], r["severity"], r["direction"], r["area"], r["description"]]
                for r in catalogue_rows()
            ]
            typer.echo(
                tabulate(
                    rows,
                    headers=["id", "severity", "direction", "area", "description"],
                    maxcolwidths=[None, None, None, None, 70],
                )
            )
