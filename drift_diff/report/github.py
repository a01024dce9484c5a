"""GitHub workflow commands: ``::error title=...::message`` per finding.

Escaping follows GitHub's rules: in the message ``%``, ``\\r``, ``\\n`` are percent-encoded; in
property values ``:`` and ``,`` as well.
"""

from __future__ import annotations

from drift_diff.diff import DiffResult
from drift_diff.model import Severity
from drift_diff.report._common import headline

_COMMAND = {Severity.BREAKING: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(result: DiffResult) -> str:
    lines = []
    for c in result.changes:
        title = escape_property(f"{c.rule}: {c.endpoint}")
        msg = f"{c.message}" + (f" ({c.evidence})" if c.evidence else "") + f" [{c.fingerprint}]"
        lines.append(f"::{_COMMAND[c.severity]} title={title}::{escape_data(msg)}")
    for note in result.expired_ignores:
        lines.append(f"::warning title={escape_property('driftdiff config')}::{escape_data(note)}")
    lines.append(f"::notice title=driftdiff::{escape_data(headline(result))}")
    return "\n".join(lines) + "\n"
