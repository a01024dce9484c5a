"""``driftdiff version``."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    @app.command("version")
    def version() -> None:
        """Print the driftdiff version."""
        from drift_diff import __version__

        typer.echo(f"driftdiff {__version__}")
