"""``driftdiff replay``: send recorded requests to a build, outbound calls served from mocks."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import typer

from drift_diff.errors import UsageError
from drift_diff.model import Severity

__all__ = [
    "echo_summary",
    "fail_threshold",
    "load_config_option",
    "parse_headers",
    "register",
    "render_result",
    "replay_options",
]


def parse_headers(values: list[str] | None) -> dict[str, str]:
    """``["Authorization: Bearer x"]`` → ``{"Authorization": "Bearer x"}``."""
    out: dict[str, str] = {}
    for value in values or []:
        name, sep, rest = value.partition(":")
        if not sep or not name.strip():
            raise UsageError(f"--header must look like 'Name: value', got {value!r}")
        out[name.strip()] = rest.strip()
    return out


def fail_threshold(fail_on_breaking: bool, fail_on: str | None) -> Severity | None:
    if fail_on:
        try:
            return Severity(fail_on.lower())
        except ValueError:
            raise UsageError(
                f"--fail-on must be breaking, warning or info, got {fail_on!r}"
            ) from None
    return Severity.BREAKING if fail_on_breaking else None


def replay_options(
    target: str,
    start: str | None,
    ready: str,
    ready_timeout: float,
    out: Path | None,
    concurrency: int,
    timeout: float,
    header: list[str] | None,
    parallel_mutations: bool,
) -> Any:
    from drift_diff.replay.runner import ReplayOptions

    return ReplayOptions(
        target=target,
        start=start,
        ready_path=ready,
        ready_timeout=ready_timeout,
        out_dir=out,
        concurrency=concurrency,
        timeout=timeout,
        headers=parse_headers(header),
        ordered_mutations=not parallel_mutations,
    )


def render_result(result: Any, fmt: str) -> str:
    """Render a ``DiffResult`` with the report package, or a plain fallback."""
    try:
        render = getattr(importlib.import_module("drift_diff.report"), "render", None)
    except ImportError:
        render = None
    if render is not None:
        return str(render(result, fmt))
    if fmt == "json":
        return json.dumps(result.to_dict(), indent=2, sort_keys=True, default=str)
    if fmt != "text":
        raise UsageError(f"unknown --format {fmt!r} (this build renders text and json)")
    from drift_diff.replay.summary import render_changes_text

    summary = result.summary
    head = f"{summary['breaking']} breaking, {summary['warning']} warning, {summary['info']} info"
    return head + "\n" + render_changes_text(result.changes)


def echo_summary(run: Any, fmt: str) -> None:
    from drift_diff.replay.summary import summary_line, summary_table

    to_err = fmt != "text"
    typer.echo(summary_table(run), err=to_err)
    typer.echo(summary_line(run), err=to_err)
    if run.out_file is not None:
        typer.echo(f"live exchanges written to {run.out_file}", err=True)


def register(app: typer.Typer) -> None:
    @app.command("replay")
    def replay(
        sources: list[Path] = typer.Argument(..., help="Trace files or folders of the recording."),
        target: str = typer.Option(..., "--target", help="Base URL of the build under test."),
        start: str | None = typer.Option(
            None,
            "--start",
            help="Command that starts the service "
            "(run in its own process group, stopped at the end).",
        ),
        ready: str = typer.Option("/", "--ready", help="Path polled until the target answers."),
        ready_timeout: float = typer.Option(30.0, "--ready-timeout", help="Seconds to wait."),
        out: Path | None = typer.Option(
            None, "--out", help="Folder for replay.jsonl (live exchanges) and service.log."
        ),
        concurrency: int = typer.Option(8, "--concurrency", help="Requests in flight at once."),
        timeout: float = typer.Option(10.0, "--timeout", help="Per-request timeout (seconds)."),
        header: list[str] | None = typer.Option(
            None, "--header", help="'Name: value' replacing the recorded header (repeatable)."
        ),
        parallel_mutations: bool = typer.Option(
            False,
            "--parallel-mutations",
            help="Do not keep POST/PUT/PATCH/DELETE in recorded order.",
        ),
        fail_on_breaking: bool = typer.Option(
            False, "--fail-on-breaking", help="Exit 1 on a breaking finding or failure."
        ),
        fail_on: str | None = typer.Option(None, "--fail-on", help="breaking | warning | info"),
        fmt: str = typer.Option("text", "--format", help="Report format (text, json, …)."),
        config_file: Path | None = typer.Option(None, "--config", help="driftdiff.yaml"),
    ) -> None:
        """Replay recorded traffic against a build; outbound calls are served from the recording."""
        from drift_diff.replay.check import load_recording, replay_result, with_config_paths
        from drift_diff.replay.runner import run_replay

        threshold = fail_threshold(fail_on_breaking, fail_on)
        config = load_config_option(config_file)
        options = replay_options(
            target,
            start,
            ready,
            ready_timeout,
            out,
            concurrency,
            timeout,
            header,
            parallel_mutations,
        )
        recorded, _stats = load_recording([str(s) for s in sources])
        run = run_replay(recorded, with_config_paths(options, config))
        echo_summary(run, fmt)
        result = replay_result(run, config)
        typer.echo(render_result(result, fmt))
        if threshold is not None and result.fails(threshold):
            raise typer.Exit(1)


def load_config_option(path: Path | None) -> Any:
    from drift_diff.config import find_config, load_config

    return load_config(path) if path is not None else find_config(".")
