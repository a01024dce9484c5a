"""``--color``, ``-q/--quiet`` and ``-v/--verbose``: declared once, accepted on every command.

``driftdiff -q diff A B`` and ``driftdiff diff A B -q`` mean the same. ``global_options`` adds
the three options to a command's signature (where typer reads its options, as
``replay_options`` does) and stores what was given into ``SETTINGS`` before the command runs;
the command itself never sees them. The root callback is wrapped with ``reset=True``: it starts
every run from the defaults (in-process runs never inherit an earlier one), then a command's own
copy only adds what was given after it. ``-q`` wins over ``-v`` wherever each is given.
``add_global_options(app)`` wraps every command registered on ``app`` and its sub-apps.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

import typer

from drift_diff.cli._console import SETTINGS, ColorMode

__all__ = ["add_global_options", "global_options"]

#: name, type, declaration (names unlikely to clash with a command's own parameters)
_OPTIONS: tuple[tuple[str, Any, Any], ...] = (
    (
        "global_color",
        ColorMode | None,
        typer.Option(
            None,
            "--color",
            show_default=False,
            help="Colour the text report and progress: auto (a terminal, unless NO_COLOR is "
            "set; the default), always or never.",
        ),
    ),
    (
        "global_quiet",
        bool,
        typer.Option(
            False, "--quiet", "-q", help="No narration on stderr (errors and warnings stay)."
        ),
    ),
    (
        "global_verbose",
        bool,
        typer.Option(
            False, "--verbose", "-v", help="More detail on stderr (the config file in use)."
        ),
    ),
)

_DECLARED = {decl for _, _, option in _OPTIONS for decl in option.param_decls}


def _apply(color: ColorMode | None, quiet: bool, verbose: bool, *, reset: bool) -> None:
    if reset:
        SETTINGS.color = "auto"
        SETTINGS.verbosity = 0
    if color is not None:
        SETTINGS.color = color
    if quiet:
        SETTINGS.verbosity = -1
    elif verbose and SETTINGS.verbosity >= 0:
        SETTINGS.verbosity = 1


def _declares_its_own(command: Callable[..., Any]) -> bool:
    for param in inspect.signature(command).parameters.values():
        decls = getattr(param.default, "param_decls", None) or ()
        if param.name in {name for name, _, _ in _OPTIONS} or _DECLARED & set(decls):
            return True
    return False


def global_options(command: Callable[..., Any], *, reset: bool = False) -> Callable[..., Any]:
    """``command`` with the global options added after its own, stored into ``SETTINGS``."""
    if _declares_its_own(command):
        return command
    signature = inspect.signature(command)
    shared = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=option, annotation=kind)
        for name, kind, option in _OPTIONS
    ]

    @functools.wraps(command)
    def run(**given: Any) -> Any:
        _apply(*(given.pop(name) for name, _, _ in _OPTIONS), reset=reset)
        return command(**given)

    # as in ``replay_options``: typer reads parameters from the signature, types from the
    # annotations (the command's own strings resolve in its module through ``__wrapped__``)
    run.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[*signature.parameters.values(), *shared]
    )
    run.__annotations__ = {
        **getattr(command, "__annotations__", {}),
        **{name: kind for name, kind, _ in _OPTIONS},
    }
    return run


def add_global_options(app: typer.Typer) -> None:
    """Wrap every command registered on ``app`` and on its sub-apps, once."""
    for info in app.registered_commands:
        if info.callback is not None and not getattr(info.callback, "_global_options", False):
            info.callback = global_options(info.callback)
            info.callback._global_options = True  # type: ignore[attr-defined]
    for group in app.registered_groups:
        if group.typer_instance is not None:
            add_global_options(group.typer_instance)
