"""``driftdiff generate pytest``: write pytest tests from recorded traffic."""

from __future__ import annotations

from pathlib import Path

import typer

from drift_diff.cli._console import narrate
from drift_diff.errors import UsageError
from drift_diff.output import check_output, has_marker, is_stdout, write_output
from drift_diff.traffic.urls import local_paths

generate_app = typer.Typer(help="Generate tests from recorded traffic.", no_args_is_help=True)


@generate_app.command("pytest")
def generate_pytest_cmd(
    sources: list[str] = typer.Argument(
        ..., help="trace files or folders, HAR files, globs, or URLs (s3://bucket/traces/)"
    ),
    out: Path = typer.Option(
        Path("tests/test_driftdiff_contract.py"),
        "--output",
        "-o",
        "--out",
        help="module to write ('-': standard output)",
    ),
    baseline: str | None = typer.Option(
        None, help="use this baseline's schemas (a file or a URL; default: learn from SOURCES)"
    ),
    per_endpoint: int = typer.Option(3, min=1, help="cases kept per endpoint and status"),
    target: str = typer.Option("http://127.0.0.1:8000", help="default DRIFTDIFF_TARGET"),
    force: bool = typer.Option(
        False, help="replace an existing --out module that driftdiff did not generate"
    ),
) -> None:
    """Write a pytest module replaying recorded requests; checks status, media type, schema."""
    from drift_diff.baseline import load_baseline
    from drift_diff.generate import generate_pytest
    from drift_diff.generate.pytest_writer import GENERATED_MARKER
    from drift_diff.infer import infer_baseline
    from drift_diff.infer.learned import learned_part
    from drift_diff.traffic.sources import iter_source_exchanges

    if out.suffix != ".py" and not is_stdout(out):
        raise UsageError(f"--out must name a .py file (or '-'), got {out}")
    inputs = local_paths([*sources, *([baseline] if baseline else [])])
    owned = has_marker(GENERATED_MARKER.encode())
    check_output(out, inputs=inputs, force=force, owned=owned)
    learned = (
        load_baseline(baseline)
        if baseline
        else infer_baseline(iter_source_exchanges(sources, learn=learned_part))
    )
    code, stats = generate_pytest(
        iter_source_exchanges(sources), learned, per_endpoint=per_endpoint, default_target=target
    )
    write_output(out, code, inputs=inputs, force=force, owned=owned)
    narrate(
        f"wrote {stats.cases} cases for {len(stats.endpoints)} endpoints to {out} "
        f"(from {stats.exchanges} exchanges"
        + (f"; {stats.unmatched} matched no endpoint of the baseline" if stats.unmatched else "")
        + ")"
    )


def register(app: typer.Typer) -> None:
    app.add_typer(generate_app, name="generate")
