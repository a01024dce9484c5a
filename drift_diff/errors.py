"""The one exception tree of driftdiff.

Findings (``Change`` objects with a ``Severity``) are data, never exceptions. Exceptions are
tool errors: something driftdiff could not do. The CLI turns every ``DriftDiffError`` into one
line on stderr and exit code 2.

    DriftDiffError
    ├── UsageError            bad options or arguments
    ├── InputError            a file that cannot be read as what it claims (names file + position)
    │   └── FormatVersionError    a known format with an unknown major version
    ├── OutputError           an output that must not or cannot be written (names the file)
    ├── ConfigError           an invalid driftdiff.yaml / [tool.driftdiff]
    ├── OpenAPIError          an OpenAPI document the validator refuses, or one we cannot normalise
    └── ReplayError           the replay target is unreachable, never ready, or the run failed
"""

from __future__ import annotations

import errno
from typing import Any

__all__ = [
    "ConfigError",
    "DriftDiffError",
    "FormatVersionError",
    "InputError",
    "OpenAPIError",
    "OutputError",
    "ReplayError",
    "UsageError",
    "failure_message",
    "is_internal",
    "quoted",
]

#: errors of a disk that cannot take more data
_DISK_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


class DriftDiffError(Exception):
    """Base of every error driftdiff raises on purpose."""

    def __str__(self) -> str:
        return " ".join(str(a) for a in self.args) if self.args else self.__class__.__name__


class UsageError(DriftDiffError):
    """The command was called wrongly (missing argument, contradictory options)."""


class InputError(DriftDiffError):
    """An input file is malformed. The message names the file and, when known, the position."""

    def __init__(self, path: object, message: str, *, position: str | None = None) -> None:
        self.path = str(path)
        self.position = position
        self.detail = message
        where = f"{self.path}:{position}" if position else self.path
        super().__init__(f"{where}: {message}")

    def __reduce__(self) -> tuple[Any, ...]:
        # rebuilt from its parts: a worker process (or a Dask worker) raises it to the client
        return (_input_error, (type(self), self.path, self.detail, self.position))


def _input_error(
    cls: type[InputError], path: str, message: str, position: str | None
) -> InputError:
    return cls(path, message, position=position)


class FormatVersionError(InputError):
    """A driftdiff file whose ``format`` major version this release does not know."""


class OutputError(DriftDiffError):
    """An output file that would replace something it must not, or that cannot be written."""

    def __init__(self, path: object, message: str) -> None:
        self.path = str(path)
        super().__init__(f"{self.path}: {message}")


class ConfigError(DriftDiffError):
    """The configuration file is invalid."""


class OpenAPIError(DriftDiffError):
    """An OpenAPI document is invalid or uses a construct that cannot be normalised."""


class ReplayError(DriftDiffError):
    """Replay could not run: target down, never ready, or the started service died at start-up."""


def is_internal(exc: Exception) -> bool:
    """True when ``exc`` is a bug rather than something the input or the machine caused."""
    if isinstance(exc, (DriftDiffError, RecursionError, MemoryError)):
        return False
    return not (isinstance(exc, OSError) and exc.errno in _DISK_FULL)


def failure_message(exc: Exception) -> str:
    """The one line that reports ``exc`` escaping a command (the CLI and the gate say it the
    same way; never a traceback), redacted like every artifact: it quotes what the user gave
    (``https://user:password@host/x.har``) and what a library said, and it lands in CI logs."""
    from drift_diff.redaction import redact_line  # (the redactor is only needed on failure)

    return redact_line(_failure_text(exc))


def quoted(value: Any, *, key: object = None, limit: int | None = None) -> str:
    """An input value as an error line may quote it: JSON, redacted, then cut (see
    ``drift_diff.redaction.quote_value``; imported only when an error is being said)."""
    from drift_diff.redaction import QUOTE_LIMIT, quote_value

    return quote_value(value, key=key, limit=QUOTE_LIMIT if limit is None else limit)


def _failure_text(exc: Exception) -> str:
    if isinstance(exc, DriftDiffError):
        return str(exc)
    if isinstance(exc, RecursionError):
        return "input nested too deeply to process"
    if isinstance(exc, MemoryError):
        return "out of memory"
    if isinstance(exc, OSError) and exc.errno in _DISK_FULL:
        # a writer outside drift_diff.output (the SDK's trace writer): still one clear line
        return f"{exc.filename or 'output'}: cannot write: {exc.strerror}"
    return f"internal error: {type(exc).__name__}: {exc} (set DRIFTDIFF_DEBUG=1 for details)"
