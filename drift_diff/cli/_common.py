"""Helpers shared by the CLI command modules (output, progress). No business logic here."""

from __future__ import annotations

import sys

import typer

__all__ = ["echo_err", "exit_with"]


def echo_err(message: str) -> None:
    """One line on stderr (summaries, warnings) so stdout stays machine-readable."""
    sys.stderr.write(message.rstrip("\n") + "\n")


def exit_with(code: int) -> None:
    raise typer.Exit(code)
