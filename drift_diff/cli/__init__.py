"""The ``driftdiff`` command line: a thin shell over the library.

Each command lives in its own module of this package and exposes ``register(app)``; modules are
discovered here, so adding a command never touches this file. Commands parse options, call one
library function, render, and let ``DriftDiffError`` reach ``main`` which turns it into one line
on stderr and exit code 2. No traceback ever reaches the user
(set ``DRIFTDIFF_DEBUG=1`` to see one).
"""

from __future__ import annotations

import functools
import importlib
import io
import os
import pkgutil
import sys
import traceback

import typer

from drift_diff.cli._console import quiet_library_logs, stderr_line
from drift_diff.cli._global_options import add_global_options, global_options
from drift_diff.errors import failure_message, is_internal

__all__ = ["app", "main"]

app = typer.Typer(
    name="driftdiff",
    help="Traffic-driven contract testing: capture traffic, learn a baseline, replay, diff.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _register_commands() -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(app)
    add_global_options(app)


def _print_version(value: bool) -> None:
    if value:
        from drift_diff import __version__

        typer.echo(f"driftdiff {__version__}")
        raise typer.Exit()


@app.callback()
@functools.partial(global_options, reset=True)
def _root(
    version: bool = typer.Option(
        False,
        "--version",
        is_eager=True,
        expose_value=False,
        callback=_print_version,
        help="Print the driftdiff version and exit.",
    ),
) -> None:
    """Traffic-driven contract testing: capture traffic, learn a baseline, replay, diff.

    --color, -q and -v go before or after the command: driftdiff check ... -q --color never
    """


_register_commands()


#: The exit code of a command stopped by SIGINT/SIGTERM/SIGHUP (typer's for an interrupt).
INTERRUPTED = 130


def _interrupted(exc: BaseException) -> bool:
    """An interrupt that reached here inside an exception group: a signal handled by
    ``processes.interrupt_on_signals`` raises ``KeyboardInterrupt`` wherever the process is,
    and inside an anyio task group (httpx opening a connection: happy eyeballs) that arrives
    as a ``BaseExceptionGroup`` holding it, which typer's own interrupt handling misses."""
    if isinstance(exc, KeyboardInterrupt):
        return True
    inner = getattr(exc, "exceptions", None)
    return isinstance(inner, tuple) and any(
        isinstance(e, BaseException) and _interrupted(e) for e in inner
    )


def _fail(message: str) -> int:
    sys.stderr.write(f"driftdiff: error: {message}\n")
    return 2


def _click_exceptions() -> tuple[tuple[type[Exception], ...], tuple[type[Exception], ...]]:
    """What the command line's parser raises for a usage error, and for an abort. Typer 0.29
    and later vendor their own Click, whose exceptions derive from ``typer.TyperException``
    (and Click itself need not be installed); older typers raise Click's, Click being one of
    their dependencies then. ``typer.Abort`` is the abort in both."""
    usage = getattr(typer, "TyperException", None)
    if isinstance(usage, type) and issubclass(usage, Exception):
        return (usage,), (typer.Abort,)
    import click  # (typer < 0.29)

    return (click.ClickException,), (click.exceptions.Abort,)


_USAGE_ERRORS, _ABORTS = _click_exceptions()


def _usage_error(exc: Exception) -> int:
    """Click's own report of a usage error (usage, hint, ``Error: ...``; exit 2), each line
    redacted: Click quotes what was typed (an extra argument, an option's bad value), which can
    be a URL with its credentials, and this lands in CI logs."""
    text = io.StringIO()
    show = getattr(exc, "show", None)
    if callable(show):
        show(file=text)
    else:  # (a ``TyperException`` that is not Click's)
        text.write(f"Error: {exc}\n")
    for line in text.getvalue().splitlines():
        stderr_line(line)
    code = getattr(exc, "exit_code", 2)
    return code if type(code) is int else 2


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point; returns (and, without ``argv``, exits with) the exit code.

    Click parses the command line (``--help``, ``typer.Exit`` give their exit code, a command
    that returns gives 0); its usage errors (exit 2) are printed redacted; everything else that
    escapes a command is turned into one line here.
    """
    quiet_library_logs()
    try:
        result = app(args=argv, prog_name="driftdiff", standalone_mode=False)
        code = result if type(result) is int else 0  # (the exit code of a ``typer.Exit``)
    except _USAGE_ERRORS as exc:
        code = _usage_error(exc)
    except _ABORTS:
        code = _fail("aborted")
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    except KeyboardInterrupt:
        code = _fail("interrupted")
    except BrokenPipeError:
        code = 0
    except Exception as exc:  # the last guard: one line, never a traceback
        if _interrupted(exc):
            code = INTERRUPTED
        else:
            if is_internal(exc) and os.environ.get("DRIFTDIFF_DEBUG"):
                traceback.print_exc()
            code = _fail(failure_message(exc))
    except BaseException as exc:
        if not _interrupted(exc):
            raise
        code = INTERRUPTED
    if argv is None:
        sys.exit(code)
    return code
