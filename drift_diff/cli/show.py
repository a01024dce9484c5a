"""``driftdiff show BASELINE``: a table of endpoints, statuses, media types and sample counts.

Every name in the table comes from the baseline (recorded paths, media types, the service), so
each goes through ``drift_diff.controls.escape_controls``: a CR, LF, NUL or ESC in a recorded
path is shown as ``\\r``, ``\\n``, ``\\x00``, ``\\x1b``, and one endpoint stays one row."""

from __future__ import annotations

from typing import Any

import typer

from drift_diff.cli._console import shares, terminal_columns
from drift_diff.controls import escape_controls as cell
from drift_diff.model import Baseline, split_endpoint_key

#: Beyond this many statuses on one endpoint, they are summarised by class (2xx, 4xx, ...).
_MAX_LISTED_STATUSES = 4
_METHOD_ORDER = {m: i for i, m in enumerate(("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"))}


def _statuses(responses: dict[str, Any]) -> str:
    counts = {cell(status): int(r.get("samples", 0)) for status, r in responses.items()}
    if len(counts) <= _MAX_LISTED_STATUSES:
        return ", ".join(f"{s} ({n:,})" for s, n in sorted(counts.items()))
    classes: dict[str, int] = {}
    for status in counts:
        key = f"{status[0]}xx" if status[:1].isdigit() else status
        classes[key] = classes.get(key, 0) + 1
    return " ".join(f"{k}×{v}" for k, v in sorted(classes.items()))


def _media_types(content: dict[str, Any] | None) -> str:
    return ", ".join(sorted(cell(media) for media in content or {})) or "-"


def _order(row: list[str]) -> tuple[str, int, str]:
    method, template = row[0].split(" ", 1)
    return (template, _METHOD_ORDER.get(method, 99), method)


def _rows(baseline: Baseline) -> list[list[str]]:
    rows = []
    for key, entry in baseline.endpoints.items():
        method, template = split_endpoint_key(key)
        responses = entry.get("responses") or {}
        response_types: dict[str, Any] = {}
        for response in responses.values():
            response_types.update(response.get("content") or {})
        request = entry.get("request") or {}
        rows.append(
            [
                cell(f"{method} {template}"),
                f"{int(entry.get('samples', 0)):,}",
                _statuses(responses),
                _media_types(request.get("content")),
                _media_types(response_types),
            ]
        )
    rows.sort(key=_order)
    return rows


_HEADERS = ["endpoint", "samples", "statuses", "request", "response"]


def _widths(rows: list[list[str]]) -> list[int | None]:
    """Endpoints and sample counts never wrap (endpoints are copied into config); statuses and
    media types share what the terminal (or ``COLUMNS``) leaves, wrapping between words only."""
    fixed = sum(_width(rows, i) + 2 for i in (0, 1)) + 4
    widths: list[int | None] = [None, None]
    for i, width in enumerate(shares(terminal_columns() - fixed, (40, 30, 30), 1), start=2):
        widths.append(max(width, *(len(word) for r in rows for word in r[i].split()), 12))
    return widths


def _width(rows: list[list[str]], i: int) -> int:
    """Width of column ``i`` unwrapped (tabulate pads a header by 2)."""
    return max(len(_HEADERS[i]) + 2, *(len(r[i]) for r in rows))


def _header(baseline: Baseline) -> str:
    sources = dict(baseline.sources)
    total = sources.pop("exchanges", None)
    kinds = ", ".join(f"{cell(k)} {v:,}" for k, v in sorted(sources.items()))
    learned = f"{total:,} exchanges" if isinstance(total, int) else "no exchange count"
    if kinds:
        learned += f" ({kinds})"
    return (
        f"service: {cell(baseline.service)}\nlearned from: {learned}\n"
        f"endpoints: {len(baseline.endpoints)}\n"
    )


def register(app: typer.Typer) -> None:
    @app.command("show")
    def show(
        baseline: str = typer.Argument(
            ...,
            metavar="BASELINE",
            help="A baseline file (or a URL: s3://..., gs://...; '-': standard input).",
        ),
    ) -> None:
        """Print a baseline as a table: endpoints, samples, statuses, body media types.

        Statuses read ``200 (12), 404 (3)`` (samples in brackets), or by class (``4xx×30``:
        thirty distinct 4xx statuses) when an endpoint has many.
        """
        from drift_diff.baseline import load_baseline
        from drift_diff.stdin_input import reading_stdin

        with reading_stdin([baseline]) as (path,):
            loaded = load_baseline(path)
        rows = _rows(loaded)
        from tabulate import tabulate

        table = tabulate(
            rows,
            headers=_HEADERS,
            tablefmt="simple",
            disable_numparse=True,
            maxcolwidths=_widths(rows),
        )
        typer.echo(_header(loaded) + "\n" + table)
