"""GitHub workflow commands: ``::error title=...::message`` per finding.

Escaping follows GitHub's rules: in the message ``%``, ``\\r``, ``\\n`` are percent-encoded; in
property values ``:`` and ``,`` as well. Terminal escape sequences (CSI, OSC) and the other
control characters are removed first: the runner prints annotations to the job log, where an
escape sequence from a recorded field name could rewrite what the reader sees.
"""

from __future__ import annotations

import re

from drift_diff.model import DiffResult, Severity
from drift_diff.report._common import headline, items
from drift_diff.report.baseline_lines import line_of

__all__ = ["escape_data", "escape_property", "render", "strip_controls"]

_COMMAND = {Severity.BREAKING: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


#: ANSI/VT escape sequences: CSI (ESC [ or the 8-bit CSI), OSC (ESC ] ... BEL or ST), ESC + one
_ESCAPES = re.compile(
    "(?:\x1b\\[|\x9b)[0-?]*[ -/]*[@-~]?"
    "|(?:\x1b\\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\\\|\x9c)?"
    "|\x1b[ -~]?"
)
#: control characters other than tab, CR and LF (CR and LF are percent-encoded), and the bidi
#: marks, embeddings, overrides and isolates (they reorder the text around them)
_CONTROLS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def strip_controls(text: str) -> str:
    """``text`` without terminal escape sequences and control characters (tab, CR, LF kept);
    the Unicode line and paragraph separators, which log viewers break lines at, become spaces."""
    return _CONTROLS.sub("", _ESCAPES.sub("", text)).replace("\u2028", " ").replace("\u2029", " ")


def escape_data(text: str) -> str:
    return strip_controls(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(
    result: DiffResult, *, file: str | None = None, key_lines: dict[str, int] | None = None
) -> str:
    """One annotation per finding; with ``file`` (the baseline, relative to the repository) each
    is anchored there, at the line ``key_lines`` gives for its endpoint (see
    ``drift_diff.report.baseline_lines``), so it shows on the pull request's diff."""
    lines = []
    for c in items(result):
        title = escape_property(f"{c.rule}: {c.endpoint}")
        where = ""
        if file:
            line = line_of(c.endpoint, key_lines or {})
            where = f"file={escape_property(file)}," + (f"line={line}," if line else "")
        msg = f"{c.message}" + (f" ({c.evidence})" if c.evidence else "") + f" [{c.fingerprint}]"
        lines.append(f"::{_COMMAND[c.severity]} {where}title={title}::{escape_data(msg)}")
    for note in result.expired_ignores:
        lines.append(f"::warning title={escape_property('driftdiff config')}::{escape_data(note)}")
    lines.append(f"::notice title=driftdiff::{escape_data(headline(result))}")
    return "\n".join(lines) + "\n"
