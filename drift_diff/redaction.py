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
    "redact_change",
    "redact_exchanges",
    "redact_line",
    "redact_result",
    "redact_text_file",
]

_LOCATION_PARTS = re.compile(r"[.\[\]/]+")


@cache
def artifact_redactor() -> Redactor:
    """The redactor for artifacts (one per process: placeholders stay consistent in a run)."""
    return Redactor(RedactionConfig.from_env())


def redact_line(text: str) -> str:
    """A line driftdiff prints about its inputs (an error, a library's log line), redacted:
    credentials in a URL, tokens, e-mail addresses... Should redaction itself fail, a fixed
    line that quotes nothing (never the line unredacted, never a traceback)."""
    try:
        return artifact_redactor().redact_text(text)
    except Exception:
        return "(a line that could not be redacted is not shown)"


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
