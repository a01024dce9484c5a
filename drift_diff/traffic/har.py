"""HAR 1.2 import: browser, proxy and API-client captures turned into exchange lines.

Any producer works (Chrome, Firefox, Safari, Charles, Fiddler, Insomnia, mitmproxy...): only
fields of the HAR 1.2 spec are required, and the producers' extras (``_resourceType``,
``_webSocketMessages``) are used as hints when present.

**What counts as API traffic.** A HAR of a browser session is mostly page assets; a contract is
learned from the calls a client's code makes. ``classify_entry`` (in ``_har_classify``, where the
rules are listed) skips entries without a response, WebSockets, preflights and page assets
(HTML, CSS, JS, images, fonts, media...) by kind, and keeps script-initiated calls and
API-looking bodies (JSON, XML, text, forms, GraphQL, gRPC, binary, empty).

**Bodies.** HAR stores decoded text (``content.text``, base64 when ``encoding: base64``); a body
some tools left compressed (gzip magic bytes) is decompressed when possible and kept as bytes
when corrupt. Bodies are capped (``body_cap``, marked ``truncated``). HTTP/2 pseudo-headers
(``:authority``...) are dropped: they repeat the URL and method, and are not headers.

**Errors.** A file that is not JSON is an ``InputError`` with line and column; a file without
a ``log.entries`` list is not a HAR. A single malformed entry is skipped and counted as
``invalid`` (the first reason is kept in ``HarStats.first_invalid``): one odd entry should not
cost a 100k-entry capture. A file whose entries are all malformed is an error.

Exchange ids derive from the file name and entry, so importing the same HAR twice gives
byte-identical traces. Secrets are redacted (``Redactor``) before an exchange is yielded.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import orjson
from driftdiff_sdk.redact import RedactionConfig, Redactor

from drift_diff.errors import InputError
from drift_diff.jsonfile import read_bytes
from drift_diff.records import ExchangeRecord, as_exchange
from drift_diff.traffic._har_classify import classify_entry
from drift_diff.traffic._har_entry import BadEntry as _BadEntry
from drift_diff.traffic._har_entry import entry_to_exchange as _entry_to_exchange
from drift_diff.traffic.traces import too_deep_error
from drift_diff.traffic.urls import as_source, source_name

__all__ = [
    "DEFAULT_BODY_CAP",
    "DIGEST_SIZE",
    "HarStats",
    "LoadedHar",
    "check_usable",
    "classify_entry",
    "file_redactor",
    "har_bytes",
    "har_digest",
    "har_exchanges",
    "har_service",
    "load_har",
    "read_har",
]

#: Bodies above this many bytes are cut and marked ``truncated`` (a HAR may hold 50 MB videos).
DEFAULT_BODY_CAP = 8 * 1024 * 1024
#: Bytes of ``har_digest``.
DIGEST_SIZE = 32
#: Entries per redaction memo while importing a HAR (``RedactionConfig.cache_size``).
HAR_CACHE_SIZE = 1 << 17


@dataclass
class HarStats:
    """What an import saw: entries read, API exchanges yielded, skipped entries by reason."""

    entries: int = 0
    api: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    #: the first malformed entry: its index in the file, and what is wrong with it
    invalid_at: int | None = None
    invalid_reason: str = ""

    @property
    def first_invalid(self) -> str | None:
        """``entry 7: response.status is not an integer``, or ``None``."""
        if self.invalid_at is None:
            return None
        return f"entry {self.invalid_at}: {self.invalid_reason}"

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1

    def add(self, other: HarStats, shift: int = 0) -> None:
        """Count ``other`` in too (the first malformed entry: this one's, when it has one);
        ``shift``: what to add to ``other``'s entry indices (it counted a piece from 0)."""
        self.entries += other.entries
        self.api += other.api
        for reason, count in other.skipped.items():
            self.skipped[reason] = self.skipped.get(reason, 0) + count
        if self.invalid_at is None and other.invalid_at is not None:
            self.invalid_at, self.invalid_reason = other.invalid_at + shift, other.invalid_reason

    def summary(self) -> str:
        """``skipped 53 (html 3, js 20, image 30)`` or ``skipped 0``."""
        total = sum(self.skipped.values())
        if not total:
            return "skipped 0"
        ordered = sorted(self.skipped.items(), key=lambda kv: (-kv[1], kv[0]))
        parts = ", ".join(f"{k} {v}" for k, v in ordered)
        return f"skipped {total} ({parts})"


def read_har(
    path: str | os.PathLike[str],
    *,
    service: str | None = None,
    redact: bool | Redactor = True,
    stats: HarStats | None = None,
    body_cap: int = DEFAULT_BODY_CAP,
    learn: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> Iterator[ExchangeRecord]:
    """Yield the API entries of the HAR file ``path`` as exchanges (see the module doc);
    ``learn``: as for ``har_exchanges``."""
    har = load_har(path)
    stats = stats if stats is not None else HarStats()
    redactor = redact if isinstance(redact, Redactor) else None
    if redact is True:
        redactor = file_redactor(har.digest)
    part = HarStats()
    try:
        yield from har_exchanges(
            har,
            0,
            len(har.entries),
            service=har_service(har, service),
            redactor=redactor,
            stats=part,
            body_cap=body_cap,
            learn=learn,
        )
    finally:
        stats.add(part)
    check_usable(har.path, part)


@dataclass
class LoadedHar:
    """A HAR file read whole: its entries, the digest of its bytes, the name ids derive from."""

    path: Path | str
    entries: list[Any]
    digest: bytes
    id_seed: str
    first: int = 0  # the index in the file of ``entries[0]`` (a worker holds a slice)
    size: int = 0  # bytes of the file


def load_har(path: str | os.PathLike[str], read: tuple[bytes, int] | None = None) -> LoadedHar:
    """Read and parse a HAR file (``InputError`` when it is not one); ``read``: what
    ``har_bytes`` gave for it already."""
    p = as_source(path)
    entries, digest, size = _load_entries(p, read)
    return LoadedHar(p, entries, digest, source_name(p), size=size)


def har_service(har: LoadedHar, service: str | None) -> str | None:
    """``service``, or else the host of the file's first API entry (the service every exchange
    of the file is then recorded under, however the entries are split between workers)."""
    if service is not None:
        return service
    scratch = HarStats()
    for index, entry in enumerate(har.entries):
        try:
            exchange = _entry_to_exchange(entry, index, scratch, DEFAULT_BODY_CAP)
        except _BadEntry:
            continue
        if exchange is not None:
            return _service_of(exchange["request"]["url"])
    return None


def har_exchanges(
    har: LoadedHar,
    start: int,
    end: int,
    *,
    service: str | None,
    redactor: Redactor | None,
    stats: HarStats,
    body_cap: int = DEFAULT_BODY_CAP,
    learn: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> Iterator[ExchangeRecord]:
    """The exchanges of entries ``start`` to ``end`` (ids, skips and ``first_invalid`` name
    an entry by its index in the whole file, so parts give what one pass gives).

    ``learn``: the exchanges are only learned from (``infer.learned.learned_part``), so they
    get no ``id`` and no ``body_layout`` (replay's), and each is cut down to ``learn(exchange)``
    before it is redacted: only what can reach a baseline is redacted."""
    entries, id_seed, first = har.entries, har.id_seed, har.first
    layout = learn is None
    for index in range(start, end):
        stats.entries += 1
        try:
            exchange = _entry_to_exchange(entries[index - first], index, stats, body_cap, layout)
        except _BadEntry as exc:
            stats.skip("invalid")
            if stats.invalid_at is None:
                stats.invalid_at, stats.invalid_reason = index, str(exc)
            continue
        if exchange is None:
            continue
        exchange["service"] = service
        if learn is None:
            exchange["id"] = _exchange_id(id_seed, index, exchange)
        else:
            exchange = learn(exchange)
        if redactor is not None:
            exchange = redactor.redact_exchange(exchange)
        stats.api += 1
        yield as_exchange(exchange)


def check_usable(path: Path | str, stats: HarStats) -> None:
    """``InputError`` when every entry of the file was malformed (``stats``: this file's)."""
    if stats.entries and stats.skipped.get("invalid", 0) == stats.entries:
        raise InputError(path, f"no usable entry; first problem: {stats.first_invalid}")


def file_redactor(digest: bytes) -> Redactor:
    """Placeholders keyed by the HAR's own content (unless ``DRIFTDIFF_REDACT_KEY`` is set).

    Re-importing a file then gives byte-identical traces, and the key stays secret as long as
    the HAR does: whoever holds only the traces cannot recompute it (and whoever holds the HAR
    already has the secrets).
    """
    config = RedactionConfig.from_env()
    if not os.environ.get("DRIFTDIFF_REDACT_KEY"):
        config.key = digest
    # a HAR is held in memory whole: memos of this size cost little beside it, and the strings
    # of a large capture repeat further apart than the SDK's default memo size (8,192)
    config.cache_size = HAR_CACHE_SIZE
    return Redactor(config)


def har_bytes(path: Path | str) -> tuple[bytes, int]:
    """The file's JSON text as UTF-8 (a byte order mark dropped, UTF-16 decoded) and its size
    (``InputError`` when it is empty or not UTF-16 as its mark says)."""
    data = read_bytes(path)
    size = len(data)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 exports (some Windows tools)
        try:
            data = data.decode("utf-16").encode("utf-8")
        except UnicodeError:
            raise InputError(path, "invalid UTF-16 text") from None
    if not data.strip():
        raise InputError(path, "empty file, not a HAR (expected a JSON object with log.entries)")
    return data, size


def _load_entries(path: Path | str, read: tuple[bytes, int] | None) -> tuple[list[Any], bytes, int]:
    data, size = read if read is not None else har_bytes(path)
    # hashlib lets go of the GIL on large buffers: the digest runs beside the parse
    with ThreadPoolExecutor(max_workers=1) as pool:
        digest = pool.submit(har_digest, data)
        try:
            doc = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            where = _json_position(data, exc)
            message = (
                "JSON nested too deeply" if too_deep_error(exc) else f"not valid JSON: {exc.msg}"
            )
            raise InputError(path, message, position=where) from None
        log = doc.get("log") if isinstance(doc, dict) else None
        entries = log.get("entries") if isinstance(log, dict) else None
        if not isinstance(entries, list):
            raise InputError(path, "not a HAR file: no 'log.entries' list")
        return entries, digest.result(), size


def har_digest(data: bytes) -> bytes:
    """What redaction's placeholders of this file are keyed by (``file_redactor``): SHA-256,
    which current x86 and ARM CPUs compute in hardware (OpenSSL uses their SHA extensions: 0.23 s
    for a 263 MB HAR on the benchmark machine, where BLAKE2b took 0.57 s of a core that learning
    needs). The placeholders' key is derived from it in turn (``driftdiff_sdk._masks``)."""
    return hashlib.sha256(data).digest()


def _json_position(data: bytes, exc: orjson.JSONDecodeError) -> str:
    if "UTF-8" in exc.msg:  # orjson reports offset 0 for bad UTF-8: find the byte ourselves
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as uexc:
            head = data[: uexc.start]
            line, column = head.count(b"\n") + 1, uexc.start - head.rfind(b"\n")
            return f"line {line}, column {column} (byte {uexc.start})"
    return f"line {exc.lineno}, column {exc.colno}"


def _exchange_id(seed: str, index: int, exchange: dict[str, Any]) -> str:
    req = exchange["request"]
    text = f"{seed}\x00{index}\x00{exchange.get('recorded_at')}\x00{req['method']}\x00{req['url']}"
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _service_of(url: str) -> str | None:
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        return None
    if not host:
        return None
    return f"{host}:{port}" if port and port not in (80, 443) else host
