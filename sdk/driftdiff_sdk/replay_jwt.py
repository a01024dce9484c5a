"""JWT verification in replay mode: the recorded token's claims are accepted as they are.

**Replay mode only, inside replayed requests only.** A recording never holds a usable token:
redaction replaces each JWT's signature and keeps its claims (``sub``, ``exp``, ``scope``...;
other claim values become format-preserving placeholders, see ``driftdiff_sdk._masks``). A
service that verifies the token would answer 401 to every replayed request. So in SDK replay
mode (``DRIFTDIFF_MODE=replay``), while a request tagged with a recorded exchange id is being
served, these decoders skip the **signature** and the **time** checks (``exp``, ``nbf``,
``iat``) and return the token's claims; every other check the application asked for (audience,
issuer, required claims) still runs:

* PyJWT: ``jwt.decode`` / ``jwt.decode_complete`` and ``PyJWT`` instances (patched on the
  class, so ``from jwt import decode`` is covered too);
* python-jose: ``jose.jwt.decode`` (called as a module attribute, ``from jose import jwt``);
* joserfc: ``joserfc.jwt.decode`` (signed tokens; an encrypted one still needs its key) and the
  ``exp``/``nbf``/``iat`` checks of ``JWTClaimsRegistry``.

Outside a replayed request (start-up code, record mode, mode ``off``) nothing is patched or
skipped: :func:`install` is called only by replay activation, and the patched functions check
for a replayed request on every call. This is safe only because a replay-mode service answers
no real user: never set ``DRIFTDIFF_MODE=replay`` on a service that real traffic reaches.
Keys fetched from a JWKS endpoint (``PyJWKClient``) are not needed to decode, but a fetch the
application makes anyway is an outbound call answered from the recording like any other.
Stdlib only at import: each library is patched only when it is already imported.
"""

from __future__ import annotations

import importlib
import inspect
import json
import logging
import sys
import threading
from collections.abc import Callable
from typing import Any

from driftdiff_sdk.context import current_exchange

__all__ = ["install", "patched", "uninstall"]

log = logging.getLogger("driftdiff_sdk")

#: The checks replay skips: the signature (no recording holds the real one) and time.
_SKIPPED = {
    "verify_signature": False,
    "verify_exp": False,
    "verify_nbf": False,
    "verify_iat": False,
}
_lock = threading.Lock()
_originals: dict[str, tuple[Any, str, Any]] = {}  # library → (owner, attribute, original)


def _in_replayed_request() -> bool:
    ctx = current_exchange()
    return ctx is not None and ctx.replay


def _replay_options(options: Any, *, signature_on_defaults: dict[str, bool]) -> dict[str, Any]:
    """The caller's options, with the signature and time checks off and the other checks as
    they are when the signature is verified (libraries relax them when it is not)."""
    merged = dict(signature_on_defaults)
    if isinstance(options, dict):
        merged.update(options)
    merged.update(_SKIPPED)
    return merged


def _patch_pyjwt(module: Any) -> None:
    owner = module.api_jwt.PyJWT
    original = owner.decode_complete
    signature = inspect.signature(original)
    # what PyJWT checks by default when it verifies the signature
    on = {"verify_aud": True, "verify_iss": True, "verify_sub": True, "verify_jti": True}

    def decode_complete(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not _in_replayed_request():
            return original(self, *args, **kwargs)
        bound = signature.bind(self, *args, **kwargs)
        options = bound.arguments.get("options")
        bound.arguments["options"] = _replay_options(options, signature_on_defaults=on)
        return original(*bound.args, **bound.kwargs)

    decode_complete.__wrapped__ = original  # type: ignore[attr-defined]
    owner.decode_complete = decode_complete
    _originals["PyJWT"] = (owner, "decode_complete", original)


def _patch_jose(module: Any) -> None:
    owner = module.jwt
    original = owner.decode
    signature = inspect.signature(original)
    on = {"verify_at_hash": False}  # the hash of an access token the recording does not hold

    def decode(*args: Any, **kwargs: Any) -> Any:
        if not _in_replayed_request():
            return original(*args, **kwargs)
        bound = signature.bind(*args, **kwargs)
        options = bound.arguments.get("options")
        bound.arguments["options"] = _replay_options(options, signature_on_defaults=on)
        bound.arguments["options"]["verify_at_hash"] = False
        return original(*bound.args, **bound.kwargs)

    decode.__wrapped__ = original  # type: ignore[attr-defined]
    owner.decode = decode
    _originals["python-jose"] = (owner, "decode", original)


def _patch_joserfc(module: Any) -> None:
    for part in ("jwe", "jws", "errors"):  # the library is imported: so may its parts be
        importlib.import_module(f"joserfc.{part}")
    owner = module.jwt
    original = owner.decode
    signature = inspect.signature(original)

    def decode(*args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(*args, **kwargs)
        if not _in_replayed_request() or isinstance(
            bound.arguments.get("registry"), module.jwe.JWERegistry
        ):
            return original(*args, **kwargs)  # encrypted tokens: nothing to read without a key
        value = bound.arguments["value"]
        compact = module.jws.extract_compact(value.encode() if isinstance(value, str) else value)
        claims = json.loads(compact.payload, cls=bound.arguments.get("decoder_cls"))
        if not isinstance(claims, dict):
            raise module.errors.InvalidPayloadError()
        return owner.Token(compact.headers(), claims)

    decode.__wrapped__ = original  # type: ignore[attr-defined]
    owner.decode = decode
    _originals["joserfc"] = (owner, "decode", original)
    # claims are validated apart from decoding: skip the time checks inside replayed requests
    registry = owner.JWTClaimsRegistry
    for name in ("validate_exp", "validate_nbf", "validate_iat"):
        _skip_inside_replay(registry, name, f"joserfc.{name}")


def _skip_inside_replay(owner: Any, name: str, key: str) -> None:
    original = getattr(owner, name)

    def check(self: Any, *args: Any, **kwargs: Any) -> Any:
        if _in_replayed_request():
            return None
        return original(self, *args, **kwargs)

    check.__wrapped__ = original  # type: ignore[attr-defined]
    setattr(owner, name, check)
    _originals[key] = (owner, name, original)


#: library name → (module to look for in ``sys.modules``, patcher)
_LIBRARIES: dict[str, tuple[str, Callable[[Any], None]]] = {
    "PyJWT": ("jwt.api_jwt", _patch_pyjwt),
    "python-jose": ("jose.jwt", _patch_jose),
    "joserfc": ("joserfc.jwt", _patch_joserfc),
}


def install() -> None:
    """Patch every supported JWT library already imported (idempotent; never raises).

    Called at replay activation and again before each replayed request, so a library imported
    after start-up is covered from its first replayed request on.
    """
    with _lock:
        for name, (module_name, patch) in _LIBRARIES.items():
            if name in _originals or module_name not in sys.modules:
                continue
            try:
                patch(sys.modules[module_name.partition(".")[0]])
            except Exception:  # an unknown version: verification stays as it is
                log.warning("driftdiff replay: could not patch %s; tokens are verified", name)
                continue
            log.warning(
                "driftdiff replay mode: %s skips JWT signature and expiry checks inside "
                "replayed requests (never run replay mode where real users reach the service)",
                name,
            )


def patched() -> list[str]:
    """The libraries whose decoders are patched now."""
    return sorted(_originals)


def uninstall() -> None:
    """Restore every patched decoder (tests)."""
    with _lock:
        for owner, attribute, original in _originals.values():
            setattr(owner, attribute, original)
        _originals.clear()
