"""How the CLI talks to a terminal: colour, verbosity and progress (set by the root options).

``--color auto|always|never``, ``-q`` and ``-v``, before or after the command, are stored in
``SETTINGS`` (``_global_options``), reset on every run (in-process runs never inherit one).
``auto`` colours a stream only when it is a terminal and ``NO_COLOR`` is unset or empty
(https://no-color.org). ``-q`` silences narration (summaries, "written to" lines), never errors,
warnings or the report; ``-v`` adds detail (which config file is in use). Progress goes to
stderr through rich, only when stderr is a terminal.

The libraries driftdiff calls log through ``logging`` (gcsfs logs a traceback when it gives up
on a request). With no handler, Python's last resort prints such a record, traceback and all,
on stderr; ``LibraryLogs`` on the root logger takes them instead: one line each under ``-v``
(``driftdiff: note: gcsfs: ...``, never a traceback), nothing otherwise. What went wrong
reaches the user as driftdiff's own error line.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal, TextIO

import typer

__all__ = [
    "SETTINGS",
    "ColorMode",
    "colour_severities",
    "detail",
    "narrate",
    "progress",
    "quiet_library_logs",
    "terminal_columns",
    "use_colour",
]

ColorMode = Literal["auto", "always", "never"]


@dataclass
class Settings:
    color: ColorMode = "auto"
    #: -1 quiet, 0 normal, 1 verbose
    verbosity: int = 0


SETTINGS = Settings()


def use_colour(stream: TextIO) -> bool:
    """Whether to colour ``stream``: ``--color``, then ``NO_COLOR``, then whether it is a TTY."""
    if SETTINGS.color != "auto":
        return SETTINGS.color == "always"
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def terminal_columns() -> int:
    """Columns a table may use: the terminal's width, or ``COLUMNS``; 200 when neither is known
    (a CI log); never fewer than 80."""
    return max(shutil.get_terminal_size((200, 24)).columns, 80)


def shares(room: int, weights: tuple[int, ...], least: int) -> list[int]:
    """``room`` columns split by ``weights``, each at least ``least`` wide."""
    return [max(least, room * weight // sum(weights)) for weight in weights]


def narrate(message: str) -> None:
    """A narration line on stderr (summaries, where output went); silent under ``-q``.
    Redacted: it may quote a source as given (a presigned URL's signature)."""
    if SETTINGS.verbosity >= 0:
        stderr_line(message)


def detail(message: str) -> None:
    """A line on stderr only under ``-v`` (redacted like ``narrate``'s)."""
    if SETTINGS.verbosity > 0:
        stderr_line(message)


def stderr_line(message: str) -> None:
    """One line on stderr, redacted (``redaction.redact_line``): it may quote an input."""
    from drift_diff.redaction import redact_line  # (after the command's own imports)

    sys.stderr.write(redact_line(message.rstrip("\n")) + "\n")


class LibraryLogs(logging.Handler):
    """Warnings and errors that libraries log: one line under ``-v``, never a traceback."""

    def emit(self, record: logging.LogRecord) -> None:
        if SETTINGS.verbosity <= 0 or record.levelno < logging.WARNING:
            return
        try:
            text = record.getMessage()
        except Exception:  # a record whose arguments do not format
            text = str(record.msg)
        lines = text.strip().splitlines()
        first = lines[0] if lines else ""
        from drift_diff.redaction import redact_line  # (redacted whole, then cut)

        detail(f"driftdiff: note: {record.name}: {redact_line(first)[:300]}")


def quiet_library_logs() -> None:
    """Put ``LibraryLogs`` on the root logger (once per process)."""
    root = logging.getLogger()
    if not any(isinstance(handler, LibraryLogs) for handler in root.handlers):
        root.addHandler(LibraryLogs())


_SEVERITY_COLOURS = {"BREAKING": "red", "WARNING": "yellow", "INFO": "cyan"}
_SEVERITY_CELL = re.compile(r"^(BREAKING|WARNING|INFO)\b", re.MULTILINE)


def colour_severities(text: str, stream: TextIO) -> str:
    """The text report with its severity column coloured, when ``stream`` takes colour (the
    cell is the first word of a row, so alignment is unchanged)."""
    if not use_colour(stream):
        return text
    return _SEVERITY_CELL.sub(
        lambda m: typer.style(m.group(1), fg=_SEVERITY_COLOURS[m.group(1)], bold=True), text
    )


@contextmanager
def progress(label: str, *, counted: bool = True) -> Iterator[Callable[[int], None] | None]:
    """A live spinner (with a counter when ``counted``) on stderr; nothing when stderr is not a
    terminal or under ``-q``. Yields the callback that advances the counter, or None."""
    if SETTINGS.verbosity < 0 or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    text = "{task.description} {task.completed:,}" if counted else "{task.description}"
    console = Console(stderr=True, no_color=not use_colour(sys.stderr))
    columns = (SpinnerColumn(), TextColumn(text), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(label, total=None)
        yield lambda n: bar.advance(task, n)
