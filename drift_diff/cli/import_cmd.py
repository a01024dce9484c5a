"""``driftdiff import har FILE...``: HAR captures → trace files (one ``<stem>.jsonl`` each)."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

import typer

from drift_diff.cli._console import narrate
from drift_diff.output import check_output, write_errors
from drift_diff.stdin_input import reading_stdin
from drift_diff.traffic.urls import as_source, source_name

import_app = typer.Typer(
    help="Import traffic captured by other tools into trace files.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)


@import_app.command("har")
def import_har(
    files: list[str] = typer.Argument(
        ...,
        metavar="FILE",
        help="HAR files (devtools, proxies, API clients); '-': standard input (stdin.jsonl); "
        "URLs (s3://bucket/captures/x.har, gs://, az://).",
    ),
    out: Path = typer.Option(
        Path(".driftdiff/traces"), "--out", "-o", help="Folder for the trace files."
    ),
    service: str | None = typer.Option(
        None, "--service", help="Service name (default: host of the first API call)."
    ),
    no_redact: bool = typer.Option(
        False, "--no-redact", help="Keep secrets (tokens, cookies, e-mails...) as recorded."
    ),
    force: bool = typer.Option(
        False, "--force", help="Replace trace files that already exist in --out."
    ),
    workers: int = typer.Option(
        0, "--workers", min=0, help="Processes for large HAR files (0: one per CPU)."
    ),
) -> None:
    """Turn the API calls of HAR files into traces; page assets and websockets are skipped.

    Each FILE is read whole before its trace is written atomically, so a file that fails leaves
    no partial output (files imported before it stay). An existing <stem>.jsonl (an earlier
    import or a recording) is kept unless --force is given.
    """
    with reading_stdin(files) as names:
        _import(
            [as_source(n) for n in names],
            out,
            service=service,
            redact=not no_redact,
            force=force,
            workers=workers or os.cpu_count() or 1,
        )


def _stem(har: Path | str) -> str:
    return PurePosixPath(source_name(har)).stem


def _import(
    files: list[Path | str],
    out: Path,
    *,
    service: str | None,
    redact: bool,
    force: bool,
    workers: int,
) -> None:
    from driftdiff_sdk.writer import write_atomic

    from drift_diff.infer.har_parts import har_lines
    from drift_diff.infer.parallel import PARALLEL_MIN_BYTES
    from drift_diff.traffic.har import HarStats

    targets = [out / f"{_stem(har)}.jsonl" for har in files]
    local = [f for f in files if isinstance(f, Path)]
    for target in targets:
        check_output(target, inputs=local, force=force, owned=_never)
    for har, target in zip(files, targets, strict=True):
        stats = HarStats()
        # a large file's entries are converted on several processes, in the same order
        lines = har_lines(
            har,
            service=service,
            redact=redact,
            workers=workers,
            stats=stats,
            min_bytes=PARALLEL_MIN_BYTES,
        )
        check_output(target, inputs=local, force=force, owned=_never)
        with write_errors(target):
            write_atomic(target, lines)
        note = f"; first invalid entry: {stats.first_invalid}" if stats.first_invalid else ""
        noun = "exchange" if stats.api == 1 else "exchanges"
        narrate(f"{source_name(har)}: {stats.api} {noun} -> {target}; {stats.summary()}{note}")


def _never(path: Path) -> bool:
    return False


def register(app: typer.Typer) -> None:
    app.add_typer(import_app, name="import")
