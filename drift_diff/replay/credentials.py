"""Replay credentials: fresh secrets from the environment in place of redacted recorded ones.

Recording redacts ``Authorization``, cookies, API-key headers and token query parameters, so a
replayed request carries placeholders and an authenticated endpoint answers 401. A credential
names one header, cookie or query parameter and the environment variable holding its fresh
value (``header:Authorization=API_AUTH``, ``cookie:session=SESSION``, ``query:api_key=KEY``;
config ``replay.credentials``). On the wire it replaces the recorded value **only where the
recorded request held that name**: a request recorded without credentials is replayed without
them, so an endpoint that answered 401 to an anonymous client is still asked anonymously.

The value never reaches an artifact: the live exchange keeps the recorded (redacted) request,
and ``Secrets.scrub`` replaces the value wherever the service echoes it (response headers and
bodies, the service log) before anything is compared or written — by the placeholder the
recording held in its place, so an echo compares equal to the recorded echo.
"""

from __future__ import annotations

import base64
import contextlib
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal, cast
from urllib.parse import quote_plus, unquote_plus

from drift_diff.errors import UsageError

__all__ = ["KINDS", "Credential", "Secrets", "merge_credentials"]

Kind = Literal["header", "cookie", "query"]
KINDS: tuple[Kind, ...] = ("header", "cookie", "query")
#: What a scrubbed secret becomes where no recorded value stands in for it.
MASK = "[replay credential]"


@dataclass(frozen=True, slots=True)
class Credential:
    """One header, cookie or query parameter whose value comes from an environment variable."""

    kind: Kind
    name: str
    env: str

    @classmethod
    def parse(cls, text: str) -> Credential:
        """``header:Authorization=API_AUTH`` (the ``--credential`` option's syntax)."""
        kind, colon, rest = text.partition(":")
        name, eq, env = rest.rpartition("=")
        if not colon or not eq or kind.strip() not in KINDS:
            raise UsageError(
                "--credential must look like header:NAME=ENV_VAR, cookie:NAME=ENV_VAR or "
                f"query:NAME=ENV_VAR, got {text!r}"
            )
        return cls.of(cast(Kind, kind.strip()), name.strip(), env.strip(), text)

    @classmethod
    def of(cls, kind: Kind, name: str, env: str, where: str = "") -> Credential:
        if not name or not env:
            raise UsageError(f"credential {where or kind}: needs a name and a variable")
        return cls(kind, name.lower() if kind == "header" else name, env)

    def describe(self) -> str:
        return f"{self.kind}:{self.name}={self.env}"


def merge_credentials(
    configured: Iterable[Credential], given: Iterable[Credential]
) -> list[Credential]:
    """The config's credentials, with those given on the command line replacing the config's
    of the same kind and name."""
    merged = {(c.kind, c.name): c for c in configured}
    merged.update({(c.kind, c.name): c for c in given})
    return list(merged.values())


@dataclass(frozen=True)
class Secrets:
    """Credentials with their values read from the environment, plus ``--header`` values."""

    values: tuple[tuple[Credential, str], ...] = ()
    extra: tuple[str, ...] = ()  # other secrets sent on the wire (``--header`` values)

    @classmethod
    def load(
        cls,
        credentials: Iterable[Credential],
        environ: Mapping[str, str] | None = None,
        extra: Iterable[str] = (),
    ) -> Secrets:
        """Read each credential's variable; a missing or empty one is a ``UsageError``."""
        env = os.environ if environ is None else environ
        values = []
        for cred in credentials:
            value = env.get(cred.env)
            if not value:
                raise UsageError(
                    f"credential {cred.describe()}: environment variable {cred.env} is not set"
                )
            if any(c in value for c in "\r\n\0"):
                raise UsageError(f"credential {cred.describe()}: value holds a line break")
            if cred.kind == "cookie" and (";" in value or value != value.strip()):
                raise UsageError(
                    f"credential {cred.describe()}: a cookie value holds no ';' or edge spaces"
                )
            values.append((cred, value))
        return cls(tuple(values), tuple(v for v in extra if v))

    # ------------------------------------------------------------------ on the wire
    def apply_headers(self, headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """Headers with credential values in place of the recorded ones (same order)."""
        if not self.values:
            return headers
        out = []
        for name, value in headers:
            low = name.lower()
            for cred, secret in self.values:
                if cred.kind == "header" and cred.name == low:
                    value = secret
                elif cred.kind == "cookie" and low == "cookie":
                    value = _replace_cookie(value, cred.name, secret)
            out.append((name, value))
        return out

    def apply_query(self, query: str) -> str:
        """A raw query string with credential values in place (other parameters untouched)."""
        creds = [(c.name, v) for c, v in self.values if c.kind == "query"]
        if not creds or not query:
            return query
        parts = []
        for part in query.split("&"):
            name, eq, _ = part.partition("=")
            for cred_name, secret in creds:
                if eq and unquote_plus(name) == cred_name:
                    part = f"{name}={quote_plus(secret)}"
            parts.append(part)
        return "&".join(parts)

    # ------------------------------------------------------------------ out of artifacts
    @cached_property
    def _needles(self) -> list[str]:
        """Every form of a secret the service could echo: the value, a scheme's credentials
        (``Bearer <token>``: the token), a Basic credential decoded (``user:password``)."""
        found: set[str] = set()
        for value in [*(v for _, v in self.values), *self.extra]:
            found.add(value)
            scheme, space, creds = value.partition(" ")
            if space and creds.strip():
                found.add(creds.strip())
                if scheme.lower() == "basic":
                    with contextlib.suppress(ValueError, UnicodeDecodeError):
                        found.add(base64.b64decode(creds.strip(), validate=True).decode())
            if quote_plus(value) != value:
                found.add(quote_plus(value))
        return sorted((n for n in found if len(n) >= 4), key=len, reverse=True)

    def recorded_values(self, request: dict[str, Any]) -> dict[str, str]:
        """Each credential value → the (redacted) value the recorded ``request`` held in its
        place: what an echo of the secret in the live answer is put back to, so it compares
        equal to the recording's echo of the same placeholder."""
        out: dict[str, str] = {}
        headers = {str(k).lower(): v for k, v in (request.get("headers") or {}).items()}
        for cred, secret in self.values:
            if cred.kind == "header":
                held = headers.get(cred.name) or []
            elif cred.kind == "cookie":
                held = [
                    value.strip()
                    for line in headers.get("cookie") or []
                    for key, eq, value in (pair.partition("=") for pair in line.split(";"))
                    if eq and key.strip() == cred.name
                ]
            else:
                held = list((request.get("query") or {}).get(cred.name) or [])
            if held and isinstance(held[0], str):
                out[secret] = held[0]
        return out

    def scrub(self, value: Any, recorded: dict[str, str] | None = None) -> Any:
        """``value`` (JSON, text or a header map) with every secret replaced: by the recorded
        value it stood in for (``recorded_values``) when known, else by ``MASK``."""
        needles = self._needles
        return _scrub(value, needles, recorded or {}) if needles else value

    def scrub_bytes(self, data: bytes, recorded: dict[str, str] | None = None) -> bytes:
        for needle in self._needles:
            instead = (recorded or {}).get(needle, MASK)
            data = data.replace(needle.encode("utf-8", "surrogatepass"), instead.encode())
        return data

    def __bool__(self) -> bool:
        return bool(self.values or self.extra)


def _replace_cookie(header: str, name: str, secret: str) -> str:
    pairs = header.split(";")
    for i, pair in enumerate(pairs):
        key, eq, _ = pair.partition("=")
        if eq and key.strip() == name:
            lead = key[: len(key) - len(key.lstrip())]
            pairs[i] = f"{lead}{key.strip()}={secret}"
    return ";".join(pairs)


def _scrub(value: Any, needles: list[str], recorded: dict[str, str]) -> Any:
    if isinstance(value, str):
        for needle in needles:
            if needle in value:
                value = value.replace(needle, recorded.get(needle, MASK))
        return value
    if isinstance(value, dict):
        return {
            _scrub(k, needles, recorded): _scrub(v, needles, recorded) for k, v in value.items()
        }
    if isinstance(value, list):
        return [_scrub(v, needles, recorded) for v in value]
    return value
