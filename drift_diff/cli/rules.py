"""``driftdiff rules``: the rule catalogue."""

from __future__ import annotations

import json
from typing import Literal

import typer

from drift_diff.cli._console import terminal_columns

_HEADERS = ["id", "severity", "direction", "area", "description"]
#: the description never wraps narrower than this, nor wider (for reading)
_DESCRIPTION = (24, 100)


def register(app: typer.Typer) -> None:
    @app.command("rules")
    def rules(
        fmt: Literal["text", "json", "markdown"] = typer.Option("text", "--format", "-f"),
    ) -> None:
        """List the rules a diff applies: id, severity, direction, area, description."""
        from drift_diff.diff.registry import catalogue_rows, rules_markdown

        if fmt == "markdown":
            typer.echo(rules_markdown(), nl=False)
        elif fmt == "json":
            typer.echo(json.dumps(catalogue_rows(), indent=2))
        else:
            from tabulate import tabulate

            rows = [[r[h] for h in _HEADERS] for r in catalogue_rows()]
            # ids, severities, directions and areas never wrap (ids are copied into config);
            # the description takes what the terminal (or COLUMNS) leaves
            fixed = sum(
                max(len(h) + 2, *(len(r[i]) for r in rows)) + 2 for i, h in enumerate(_HEADERS[:4])
            )
            least, most = _DESCRIPTION
            description = min(most, max(least, terminal_columns() - fixed))
            typer.echo(
                tabulate(rows, headers=_HEADERS, maxcolwidths=[None, None, None, None, description])
            )
