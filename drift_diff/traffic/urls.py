"""Traffic named by URL: ``s3://bucket/traces/2026-12-*/*.jsonl.gz``, ``gs://…``, ``file://…``.

Remote sources go through fsspec, imported only when a URL is given: the core install stays
light and a scheme whose backend is missing is one ``UsageError`` naming the extra to install.
Credentials come from each backend's own environment and config (``AWS_*`` and
``~/.aws`` for s3fs, ``GOOGLE_APPLICATION_CREDENTIALS`` for gcsfs, ...); nothing is passed on
the command line. A glob lists only below its fixed prefix (fsspec's ``glob``); a folder-like
URL is listed recursively for trace and HAR files, like a local folder. Objects are read as
streams (``RemoteFile.open``), never downloaded whole.

``file://`` URLs are local paths: they are read by the ordinary local reader without fsspec.

Baselines and documents (``driftdiff diff s3://bucket/baselines/shop.json …``) are read whole
through ``remote_object`` by ``drift_diff.jsonfile.read_bytes``, under the same input limit as
a local file. Every failure of a store (no bucket, no object, refused credentials, an endpoint
that does not answer) is one ``InputError`` naming the URL (``store_errors``).
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import unquote, urlsplit

from drift_diff.errors import DriftDiffError, InputError, UsageError

__all__ = [
    "RemoteFile",
    "as_source",
    "expand_url",
    "is_remote",
    "is_url",
    "local_path",
    "local_paths",
    "names_many",
    "remote_object",
    "source_name",
    "store_error",
    "store_errors",
]

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")

#: The extra that brings each scheme's fsspec backend.
EXTRAS = {"s3": "s3", "s3a": "s3", "gs": "gcs", "gcs": "gcs", "az": "azure", "abfs": "azure"}

_GLOB_CHARS = re.compile(r"[*?\[]")


def is_url(source: object) -> bool:
    """True for ``scheme://...`` sources (``file://`` included)."""
    return isinstance(source, str) and _SCHEME.match(source) is not None


def local_path(source: str) -> Path | None:
    """The local path a ``file://`` URL names; ``None`` for any other source."""
    if not source.lower().startswith("file://"):
        return None
    return Path(unquote(urlsplit(source).path))


def local_paths(sources: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """The local files and folders among ``sources`` (what an output must never overwrite)."""
    paths = [local_path(s) if isinstance(s, str) and is_url(s) else Path(s) for s in sources]
    return [p for p in paths if p is not None]


def is_remote(source: object) -> bool:
    """True for a URL read through fsspec (any ``scheme://`` but ``file://``)."""
    return isinstance(source, str) and is_url(source) and local_path(source) is None


def as_source(path: str | os.PathLike[str]) -> Path | str:
    """A local input as a ``Path`` (``file://`` URLs too); a store URL stays a string, since a
    ``Path`` would fold its ``//`` (``s3:/bucket/...``)."""
    if isinstance(path, str) and is_url(path):
        return local_path(path) or path
    return Path(path)


def source_name(source: Path | str) -> str:
    """The last part of a local path or a URL (``shop.har``)."""
    return source.name if isinstance(source, Path) else source.rstrip("/").rsplit("/", 1)[-1]


@dataclass(frozen=True)
class RemoteFile:
    """One object in a remote store. It pickles as its URL and size (workers reopen it)."""

    url: str
    size: int

    @property
    def name(self) -> str:
        return self.url.rstrip("/").rsplit("/", 1)[-1]

    def __str__(self) -> str:
        return self.url

    def open(self) -> IO[bytes]:
        """A streaming binary reader of the object (fsspec reads it in blocks)."""
        fs, path = _filesystem(self.url)
        with store_errors(self.url, "no such object"):
            raw = fs.open(path, "rb")
        # fsspec's files read blocks but lack ``readline(limit)``: a standard buffer adds it
        return io.BufferedReader(raw, buffer_size=1 << 20)


def _reason(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    text = lines[0] if lines else ""
    text = text if len(text) <= 200 else text[:199] + "…"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def store_error(url: str, exc: Exception, missing: str = "no such object or prefix") -> Exception:
    """What a store's exception while reading ``url`` is reported as: a ``DriftDiffError`` as
    it is, anything else as one ``InputError`` naming the URL (the backend's own exceptions,
    botocore's or google-auth's, are not ``OSError``s)."""
    if isinstance(exc, DriftDiffError):
        return exc
    if isinstance(exc, FileNotFoundError):
        return InputError(url, missing)
    if _denied(exc):
        return InputError(url, f"access denied ({_reason(exc)}); check the credentials")
    return InputError(url, f"cannot read: {_reason(exc)}")


def _denied(exc: Exception) -> bool:
    """Refused credentials or permissions, however the backend says it: s3fs raises
    ``PermissionError``; gcsfs an ``HttpError`` with ``code`` 401 (after its retries) or an
    ``OSError`` starting ``Forbidden:`` (403); the Azure SDK an error with ``status_code``."""
    if isinstance(exc, PermissionError):
        return True
    code = getattr(exc, "code", None)
    status = getattr(exc, "status_code", None)
    if (type(code) is int and code in (401, 403)) or (type(status) is int and status in (401, 403)):
        return True
    return isinstance(exc, OSError) and str(exc).startswith("Forbidden:")


@contextmanager
def store_errors(url: str, missing: str = "no such object or prefix") -> Iterator[None]:
    """Every failure of the store inside the block as ``store_error(url, ...)``."""
    try:
        yield
    except Exception as exc:
        raise store_error(url, exc, missing) from None


def _scheme(url: str) -> str:
    match = _SCHEME.match(url)
    return match.group(1).lower() if match else ""


def _extra_hint(url: str) -> str:
    extra = EXTRAS.get(_scheme(url))
    return f"pip install 'driftdiff[{extra}]'" if extra else "pip install fsspec and its backend"


def _filesystem(url: str) -> tuple[Any, str]:
    """fsspec's filesystem and in-store path for ``url``; a missing backend is a UsageError."""
    try:
        import fsspec
    except ImportError:
        raise UsageError(
            f"{url}: reading {_scheme(url)}:// sources needs fsspec: {_extra_hint(url)}"
        ) from None
    try:
        fs, path = fsspec.core.url_to_fs(url)
    except ImportError:
        raise UsageError(
            f"{url}: no {_scheme(url)}:// backend installed: {_extra_hint(url)}"
        ) from None
    except ValueError as exc:  # an unknown protocol
        raise InputError(url, f"cannot read this URL ({exc})") from None
    return fs, path


def expand_url(url: str, suffixes: tuple[str, ...], empty_folder: str) -> list[RemoteFile]:
    """The objects a URL names: a glob's matches, a folder's files ending in ``suffixes``
    (recursively), or the one object. Sorted, so the same URL always gives the same order."""
    fs, path = _filesystem(url)
    scheme = _scheme(url)
    with store_errors(url):
        if _GLOB_CHARS.search(path):
            found = fs.glob(path, detail=True)
            entries = {k: v for k, v in found.items() if v.get("type") != "directory"}
            if not entries:
                raise InputError(url, "no object matches this pattern")
        else:
            info = fs.info(path)
            if info.get("type") == "directory":
                listed = fs.find(path, detail=True)
                entries = {k: v for k, v in listed.items() if k.endswith(suffixes)}
                if not entries:
                    raise InputError(url, empty_folder)
            else:
                entries = {path: info}
    return [
        RemoteFile(_unstrip(scheme, key), int(entries[key].get("size") or 0))
        for key in sorted(entries)
    ]


def names_many(url: str) -> bool:
    """True when ``url`` is a glob or a prefix (a folder of objects), not one object."""
    fs, path = _filesystem(url)
    if _GLOB_CHARS.search(path):
        return True
    with store_errors(url, "no such object or prefix"):
        return bool(fs.info(path).get("type") == "directory")


def remote_object(url: str) -> RemoteFile:
    """The one object ``url`` names, with its size (a prefix is an ``InputError``)."""
    fs, path = _filesystem(url)
    with store_errors(url, "no such object"):
        info = fs.info(path)
    if info.get("type") == "directory":
        raise InputError(url, "is a prefix (a folder), not an object")
    return RemoteFile(url, int(info.get("size") or 0))


def _unstrip(scheme: str, path: str) -> str:
    """The full URL of an in-store path fsspec returned (it drops the protocol)."""
    return path if _SCHEME.match(path) else f"{scheme}://{path}"
