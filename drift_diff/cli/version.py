"""``driftdiff version``."""

from __future__ import annotations

import typer

from drift_diff import __version__


def register(app: typer.Typer) -> None:
    @app.command("version")
    def version() -> None:
        """Print the driftdiff version."""
        typer.echo(f"driftdiff {__version__}")
