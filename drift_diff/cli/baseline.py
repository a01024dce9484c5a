"""``driftdiff baseline SOURCE...`` (learn), ``driftdiff baseline merge A B... --out C`` and
``driftdiff baseline update BASELINE SOURCE...`` (an intended contract change).

Both forms live under one name: ``baseline`` is a group whose default command is ``build``, so
the first argument is a subcommand only when it names one (``merge``, ``build``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from typer.core import TyperGroup

from drift_diff.cli._common import (
    CONFIG_DEFAULT,
    EXCLUDE_HELP,
    NO_DEFAULT_EXCLUDES_HELP,
    check_excludes,
    excluder_for,
    load_config_option,
)
from drift_diff.cli._console import narrate
from drift_diff.cli._console import progress as progress_bar
from drift_diff.errors import InputError, UsageError
from drift_diff.model import Baseline, Change, Severity
from drift_diff.output import check_output, is_baseline_output
from drift_diff.stdin_input import reading_stdin
from drift_diff.traffic.urls import is_remote, local_paths

if TYPE_CHECKING:
    from driftdiff_sdk.scope import Excluder

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
  driftdiff baseline update BASELINE SOURCE... [--merge] [--drop ENDPOINT]
      an intended contract change: the endpoints SOURCE exercised become what it
      shows, the others stay; the file is rewritten so the pull request shows the diff
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
        help="driftdiff.yaml (its `paths:` templates override inference; `exclude:`;"
        f" {CONFIG_DEFAULT}).",
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
        _leave_out(baseline, excluder)
        if not baseline.endpoints:
            raise InputError(", ".join(files), f"no API exchange found ({stats.summary()})")
    target = out if out is not None else Path("baselines") / f"{_file_name(baseline.service)}.json"
    save_baseline(baseline, target, inputs=local_inputs, force=force)
    narrate(f"{stats.summary()} -> {len(baseline.endpoints)} endpoints -> {target}")


def _leave_out(baseline: Baseline, excluder: Excluder) -> None:
    baseline.endpoints = {
        key: record
        for key, record in baseline.endpoints.items()
        if not excluder.excludes(*key.split(" ", 1))
    }


def _file_name(service: str) -> str:
    return re.sub(r"[^\w.-]+", "_", service).strip("._") or "service"


@baseline_app.command("merge")
def merge(
    baselines: list[str] = typer.Argument(
        ..., metavar="BASELINE...", help="Baseline files (or URLs: s3://..., gs://...)."
    ),
    out: Path = typer.Option(..., "--output", "-o", "--out", help="Merged baseline file to write."),
    service: str | None = typer.Option(None, "--service", help="Service name of the result."),
    force: bool = typer.Option(
        False, "--force", help="Replace an existing --out file that is not a baseline."
    ),
) -> None:
    """Merge baselines learned from different traffic into one."""
    from drift_diff.baseline import load_baseline, save_baseline
    from drift_diff.infer import merge_baselines

    inputs = local_paths(baselines)
    check_output(out, inputs=inputs, force=force, owned=is_baseline_output)
    merged = merge_baselines([load_baseline(p) for p in baselines], service=service)
    save_baseline(merged, out, inputs=inputs, force=force)
    narrate(
        f"merged {len(baselines)} baselines ({merged.sources.get('exchanges', 0):,} exchanges) "
        f"-> {len(merged.endpoints)} endpoints -> {out}"
    )


@baseline_app.command("update")
def update(
    baseline: str = typer.Argument(
        ...,
        metavar="BASELINE",
        help="The committed baseline (a file; or REV:path read through git, or a URL such as "
        "s3://bucket/baselines/shop.json: then give -o).",
    ),
    sources: list[str] = typer.Argument(
        ...,
        metavar="SOURCE...",
        help="Traffic of the changed service: trace files or folders, HAR files, globs, URLs.",
    ),
    out: Path | None = typer.Option(
        None, "--output", "-o", "--out", help="Baseline file to write (default: BASELINE)."
    ),
    merge_mode: bool = typer.Option(
        False,
        "--merge",
        help="Add the new traffic to the old evidence instead of replacing the endpoints it "
        "exercised (for a contract that only widened).",
    ),
    drop: list[str] = typer.Option(
        [],
        "--drop",
        help="Remove endpoints retired on purpose: '[METHODS ]PATH' as in --exclude "
        "(repeatable; each must match an endpoint).",
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Say what would change; write nothing."),
    service: str | None = typer.Option(
        None, "--service", help="Service name (default: the baseline's)."
    ),
    workers: int = typer.Option(
        0, "--workers", min=0, help="Processes for large inputs (0: one per CPU)."
    ),
    force: bool = typer.Option(
        False, "--force", help="Replace an existing --out file that is not a baseline."
    ),
    config_file: Path | None = typer.Option(
        None, "--config", help=f"driftdiff.yaml (`paths:` templates, `exclude:`; {CONFIG_DEFAULT})."
    ),
    exclude: list[str] = typer.Option([], "--exclude", help=EXCLUDE_HELP),
    no_default_excludes: bool = typer.Option(
        False, "--no-default-excludes", help=NO_DEFAULT_EXCLUDES_HELP
    ),
) -> None:
    """Update a committed baseline for an intended contract change (see docs/workflow.md).

    Endpoints the new traffic exercised are replaced by what it shows (--merge: merged into);
    the others are kept as they were; --drop removes retired ones. The changes this accepts are
    listed on stderr, and the file is rewritten so the pull request shows them as its diff.
    """
    from drift_diff.baseline import load_baseline, save_baseline
    from drift_diff.diff import diff_baselines
    from drift_diff.gitinput import split_rev_path
    from drift_diff.infer.parallel import infer_sources
    from drift_diff.infer.update import endpoint_templates, update_baseline
    from drift_diff.traffic.sources import SourceStats

    patterns = check_excludes(exclude)
    check_excludes(drop)
    if out is None:
        if split_rev_path(baseline) is not None:
            raise UsageError(f"{baseline} is read from git: name the file to write with -o")
        if is_remote(baseline):
            raise UsageError(
                f"{baseline} is read from a store (read-only): name the file to write with -o"
            )
        out = Path(baseline)
    local_inputs = local_paths(sources)
    if not dry_run:
        check_output(out, inputs=local_inputs, force=force, owned=is_baseline_output)
    previous = load_baseline(baseline)
    config = load_config_option(config_file)
    excluder = excluder_for(config, patterns, no_default_excludes)
    templates = [*(config.templates() if config is not None else []), *endpoint_templates(previous)]
    stats = SourceStats()
    with (
        reading_stdin(sources) as files,
        progress_bar("learning from exchanges") as progress,
    ):
        learned = infer_sources(
            files,
            service=service or previous.service,
            workers=workers or None,
            stats=stats,
            progress=progress,
            templates=templates,
        )
        _leave_out(learned, excluder)
        if not learned.endpoints:
            raise InputError(", ".join(files), f"no API exchange found ({stats.summary()})")
    result = update_baseline(previous, learned, merge=merge_mode, drop=drop, service=service)
    accepted = diff_baselines(previous, result.baseline)
    if not dry_run:
        save_baseline(result.baseline, out, inputs=local_inputs, force=force)
    where = "(dry run: nothing written)" if dry_run else str(out)
    narrate(f"{stats.summary()} -> {result.summary()} -> {where}")
    _narrate_accepted(accepted.changes)


def _narrate_accepted(changes: list[Change], limit: int = 20) -> None:
    """The findings this update accepts, as a reviewer would want them listed."""
    counts = {s: sum(1 for c in changes if c.severity is s) for s in Severity}
    narrate(
        "contract changes accepted: "
        + ", ".join(f"{counts[s]} {s.value}" for s in (Severity.BREAKING, Severity.WARNING))
        + f", {counts[Severity.INFO]} info"
    )
    shown = [c for c in changes if c.severity is not Severity.INFO]
    for change in shown[:limit]:
        narrate(f"  {change.severity.value:<8} {change.rule}  {change.endpoint}  {change.location}")
    if len(shown) > limit:
        narrate(f"  ... and {len(shown) - limit} more (driftdiff diff shows them all)")


def register(app: typer.Typer) -> None:
    app.add_typer(baseline_app, name="baseline")
