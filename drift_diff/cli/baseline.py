"""``driftdiff baseline SOURCE...`` (learn) and ``driftdiff baseline merge A B... --out C``.

Both forms live under one name: ``baseline`` is a group whose default command is ``build``, so
the first argument is a subcommand only when it names one (``merge``, ``build``).
"""

from __future__ import annotations

import re
from pathlib import Path

import typer
from typer.core import TyperGroup

from drift_diff.cli._common import (
    EXCLUDE_HELP,
    NO_DEFAULT_EXCLUDES_HELP,
    check_excludes,
    excluder_for,
    load_config_option,
)
from drift_diff.cli._console import narrate
from drift_diff.cli._console import progress as progress_bar
from drift_diff.errors import InputError, UsageError
from drift_diff.output import check_output, is_baseline_output
from drift_diff.stdin_input import reading_stdin
from drift_diff.traffic.urls import local_paths

DEFAULT_COMMAND = "build"


class DefaultCommandGroup(TyperGroup):
    """A group that runs ``build`` when the first argument is not one of its commands."""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:  # type: ignore[override]
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = [DEFAULT_COMMAND, *args]
        return super().parse_args(ctx, args)


baseline_app = typer.Typer(
    cls=DefaultCommandGroup,
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    help="""Learn a baseline from traffic, or merge baselines.

\b
  driftdiff baseline SOURCE... [--out FILE] [--service NAME]
      learn from trace files/folders (*.jsonl, *.jsonl.gz) and HAR files;
      writes baselines/<service>.json unless --out is given
  driftdiff baseline merge A B... --out C
      merge baselines learned separately (equal to learning from all the traffic)
""",
)


@baseline_app.command(DEFAULT_COMMAND)
def build(
    sources: list[str] = typer.Argument(
        ...,
        metavar="SOURCE...",
        help="Trace files or folders (*.jsonl, *.jsonl.gz), HAR files, globs, or URLs "
        "(s3://bucket/traces/*.jsonl.gz; needs the driftdiff[s3] extra); '-': standard input.",
    ),
    out: Path | None = typer.Option(
        None,
        "--output",
        "-o",
        "--out",
        help="Baseline file to write (default: baselines/<service>.json).",
    ),
    service: str | None = typer.Option(
        None, "--service", help="Service name (default: the one recorded in the traffic)."
    ),
    workers: int = typer.Option(
        0, "--workers", min=0, help="Processes for large inputs (0: one per CPU)."
    ),
    engine: str = typer.Option(
        "local",
        "--engine",
        metavar="local|dask",
        help="Where inference runs: local processes, or dask (needs driftdiff[dask]).",
    ),
    scheduler: str | None = typer.Option(
        None,
        "--scheduler",
        help="Dask scheduler address tcp://HOST:PORT (default: a local cluster of --workers).",
    ),
    force: bool = typer.Option(
        False, "--force", help="Replace an existing --out file that is not a baseline."
    ),
    config_file: Path | None = typer.Option(
        None,
        "--config",
        help="driftdiff.yaml (its `paths:` templates override inference; `exclude:`).",
    ),
    exclude: list[str] = typer.Option([], "--exclude", help=EXCLUDE_HELP),
    no_default_excludes: bool = typer.Option(
        False, "--no-default-excludes", help=NO_DEFAULT_EXCLUDES_HELP
    ),
) -> None:
    """Learn a baseline (endpoints, parameters, body schemas per status) from traffic."""
    from drift_diff.baseline import save_baseline
    from drift_diff.infer.parallel import infer_sources
    from drift_diff.traffic.sources import SourceStats

    if scheduler and engine != "dask":
        raise UsageError("--scheduler is for --engine dask")
    patterns = check_excludes(exclude)
    local_inputs = local_paths(sources)
    if out is not None:
        check_output(out, inputs=local_inputs, force=force, owned=is_baseline_output)
    config = load_config_option(config_file)
    excluder = excluder_for(config, patterns, no_default_excludes)
    templates = config.templates() if config is not None else []
    stats = SourceStats()
    with (
        reading_stdin(sources) as files,
        progress_bar("learning from exchanges") as progress,
    ):
        baseline = infer_sources(
            files,
            service=service,
            workers=workers or None,
            stats=stats,
            progress=progress,
            templates=templates,
            engine=engine,
            scheduler=scheduler,
        )
        baseline.endpoints = {
            key: record
            for key, record in baseline.endpoints.items()
            if not excluder.excludes(*key.split(" ", 1))
        }
        if not baseline.endpoints:
            raise InputError(", ".join(files), f"no API exchange found ({stats.summary()})")
    target = out if out is not None else Path("baselines") / f"{_file_name(baseline.service)}.json"
    save_baseline(baseline, target, inputs=local_inputs, force=force)
    narrate(f"{stats.summary()} -> {len(baseline.endpoints)} endpoints -> {target}")


def _file_name(service: str) -> str:
    return re.sub(r"[^\w.-]+", "_", service).strip("._") or "service"


@baseline_app.command("merge")
def merge(
    baselines: list[Path] = typer.Argument(..., metavar="BASELINE...", help="Baseline files."),
    out: Path = typer.Option(..., "--output", "-o", "--out", help="Merged baseline file to write."),
    service: str | None = typer.Option(None, "--service", help="Service name of the result."),
    force: bool = typer.Option(
        False, "--force", help="Replace an existing --out file that is not a baseline."
    ),
) -> None:
    """Merge baselines learned from different traffic into one."""
    from drift_diff.baseline import load_baseline, save_baseline
    from drift_diff.infer import merge_baselines

    check_output(out, inputs=baselines, force=force, owned=is_baseline_output)
    merged = merge_baselines([load_baseline(p) for p in baselines], service=service)
    save_baseline(merged, out, inputs=baselines, force=force)
    narrate(
        f"merged {len(baselines)} baselines ({merged.sources.get('exchanges', 0):,} exchanges) "
        f"-> {len(merged.endpoints)} endpoints -> {out}"
    )


def register(app: typer.Typer) -> None:
    app.add_typer(baseline_app, name="baseline")
