"""The one redactor for what driftdiff itself writes: findings, reports, replay output files,
generated tests.

Capture sources (SDK, HAR import, the recording proxy) redact exchanges before anything is
written, with ``driftdiff_sdk.redact.Redactor``. Replay produces *live* values that no capture
source has seen (a fresh ``access_token`` in a response, an outbound URL with ``user:pass@``
in a mock miss), so everything derived from a replay goes through the same ``Redactor`` here,
with the same rules (``driftdiff_sdk.detectors``), before it is printed or written:

* ``redact_exchanges`` — the live exchanges of ``check``/``replay --out``;
* ``redact_change``/``redact_result`` — a finding's message, location and before/after values:
  values at a location named like a secret (``response.body.access_token``,
  ``response.headers.set-cookie``) are replaced whatever their shape, and the message's quotes
  of them with them; everything else is scanned for secret shapes;
* ``redact_text_file`` — a text file (the service log of a replay), line by line.

Configuration is the SDK's environment (``DRIFTDIFF_REDACT_HEADERS``/``_KEYS``/``_KEY``).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from driftdiff_sdk.redact import RedactionConfig, Redactor

from drift_diff.model import Change
from drift_diff.records import ExchangeRecord, as_exchange

if TYPE_CHECKING:
    from drift_diff.model import DiffResult

__all__ = [
    "artifact_redactor",
    "quote_value",
    "redact_change",
    "redact_exchanges",
    "redact_line",
    "redact_result",
    "redact_text_file",
    "shown_name",
]

_LOCATION_PARTS = re.compile(r"[.\[\]/]+")


@cache
def artifact_redactor() -> Redactor:
    """The redactor for artifacts (one per process: placeholders stay consistent in a run)."""
    return Redactor(RedactionConfig.from_env())


def redact_line(text: str) -> str:
    """A line driftdiff prints about its inputs (an error, a library's log line), redacted:
    credentials in a URL, tokens, e-mail addresses... and then kept one line: CR, LF, ESC and
    the other characters of ``drift_diff.controls.UNSAFE`` an input may carry are written as
    visible escapes (``\\r``, ``\\x1b``), so a quoted value cannot fake a line of its own in
    a CI log. Should redaction itself fail, a fixed line that quotes nothing (never the line
    unredacted, never a traceback)."""
    from drift_diff.controls import escape_controls

    try:
        return escape_controls(artifact_redactor().redact_text(text))
    except Exception:
        return "(a line that could not be redacted is not shown)"


#: what ``quote_value`` shows of a value at most (the rest is cut, after redaction)
QUOTE_LIMIT = 60
#: a string longer than this is never quoted, only measured
_QUOTE_SCAN = 4096
#: a name followed by a value: ``password: x``, ``DB_PASSWORD="x"``, ``password x`` (netrc)
_NAMED_VALUE = re.compile(
    r"(?<![A-Za-z0-9_\-])([A-Za-z0-9_\-]+)[\"']?(?:\s*[:=]\s*|\s+)(?=[\"']?[^\s\"'])"
)
HIDDEN = "(not shown: it may hold a secret)"


def _names_a_secret(r: Redactor, text: str) -> bool:
    """Whether ``text`` holds a value after a secret's name (``password: x``,
    ``DB_PASSWORD="x"``, a netrc line). The text rules find ``"key": value`` and ``key=value``
    only; an error line quotes no such text at all. A name alone (a field called
    ``password``, a file ``secret.yaml``) stays."""
    return any(
        r.is_secret_key(name) or r.is_secret_param(name) for name in _NAMED_VALUE.findall(text)
    )


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 1, 1)] + "…"


def quote_value(value: Any, *, key: object = None, limit: int = QUOTE_LIMIT) -> str:
    """An input value as an error line may quote it: a scalar as JSON, redacted (masked whole
    when ``key``, the name it sits under, names a secret; scanned for secret shapes
    otherwise), then control characters escaped, and only then cut to ``limit`` characters,
    so a cut never leaves half a secret that no longer looks like one. Not quoted at all: an
    object or an array (named by its type: ``an object``), a string that reads like a secret
    with its name (``HIDDEN``), a string too long to scan."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, (list, tuple)):
        return "an array"
    from drift_diff.controls import escape_controls

    try:
        r = artifact_redactor()
        if isinstance(value, str):
            if len(value) > _QUOTE_SCAN:
                return f"a string of {len(value):,} characters"
            if _names_a_secret(r, value):
                return HIDDEN
        if key is not None and (r.is_secret_key(key) or r.is_secret_param(key)):
            value = r.mask_json(value)
        text = r.redact_text(json.dumps(value, ensure_ascii=False, default=str))
    except Exception:
        return "(a value that could not be redacted)"
    return _cut(escape_controls(text), limit)


def shown_name(name: object, *, limit: int = 80) -> str:
    """A name from an input (a key, a segment of a path into a document) as an error line
    shows it, unquoted: redacted, control characters escaped, then cut; ``HIDDEN`` when it
    reads like a secret with its name."""
    text = str(name)
    try:
        if len(text) > _QUOTE_SCAN or _names_a_secret(artifact_redactor(), text):
            return HIDDEN
    except Exception:
        return HIDDEN
    return _cut(redact_line(text), limit)


def redact_exchanges(
    exchanges: Iterable[Mapping[str, Any]], redactor: Redactor | None = None
) -> Iterator[ExchangeRecord]:
    r = redactor or artifact_redactor()
    for exchange in exchanges:
        yield as_exchange(r.redact_exchange(dict(exchange)))


def _secret_location(r: Redactor, location: str) -> bool:
    parts = [p for p in _LOCATION_PARTS.split(location) if p]
    if not parts:
        return False
    last = parts[-1]
    return (
        r.is_secret_param(last)
        if "query" in parts
        else (r.is_secret_key(last) or r.is_secret_header(last))
    )


def redact_change(change: Change, redactor: Redactor | None = None) -> Change:
    """``change`` with no secret in its text or values (the same object when nothing changes)."""
    r = redactor or artifact_redactor()
    message = change.message
    if _secret_location(r, change.location):
        before, after = r.mask_json(change.before), r.mask_json(change.after)
        for old, new in ((change.before, before), (change.after, after)):
            if old is None or isinstance(old, bool) or old == new:
                continue
            message = message.replace(repr(old), repr(new))
            if len(str(old)) >= 4:
                message = message.replace(str(old), str(new))
    else:
        before, after = r.redact_json(change.before), r.redact_json(change.after)
    new_fields = {
        "message": r.redact_text(message),
        "location": r.redact_text(change.location),
        "endpoint": r.redact_text(change.endpoint),
        "evidence": r.redact_text(change.evidence),
        "before": before,
        "after": after,
    }
    if all(getattr(change, k) == v for k, v in new_fields.items()):
        return change
    return replace(change, **new_fields)


def redact_result(result: DiffResult, redactor: Redactor | None = None) -> DiffResult:
    """A ``DiffResult`` whose findings (kept and ignored) and notes hold no secret."""
    r = redactor or artifact_redactor()
    return replace(
        result,
        changes=[redact_change(c, r) for c in result.changes],
        ignored=[replace(i, change=redact_change(i.change, r)) for i in result.ignored],
        expired_ignores=[r.redact_text(n) for n in result.expired_ignores],
    )


def redact_text_file(path: Path, redactor: Redactor | None = None) -> None:
    """Rewrite a text file with every line redacted (atomically; a missing file is left so)."""
    r = redactor or artifact_redactor()
    if not path.is_file():
        return
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with (
            os.fdopen(fd, "w", encoding="utf-8", errors="surrogateescape") as out,
            path.open(encoding="utf-8", errors="surrogateescape") as src,
        ):
            for line in src:
                out.write(r.redact_text(line))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
