"""Where a ``$ref`` may lead: the document itself, and (only when asked) files beside it.

OpenAPI documents are untrusted input. A ``$ref`` is followed only when it is

- local (``#/components/...``): always;
- a relative file reference (``common.yaml#/Pet``) and ``allow_file_refs`` is set: only to a
  regular file whose real path (symlinks resolved) is under the document's own folder.

Anything else (``file:///etc/passwd``, ``http://127.0.0.1/x``, ``../../secret.yaml``, a symlink
out of the folder, an absolute path) is an ``OpenAPIError`` naming the reference, raised
*before* anything is opened. Error lines name the reference, never the content of what it
points to.

``RefSource`` canonicalises references to ``"<file relative to the folder>#<pointer>"`` (the
main document is ``""``), looks them up, and gives openapi-spec-validator retrieval handlers
that obey the same rules, so the validator cannot fetch a file or URL either (it resolves
against a base URI of its own, which a 3.1 ``$id`` can change: the handlers are the real
guard there).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from drift_diff.errors import DriftDiffError, OpenAPIError, quoted

__all__ = ["LOCAL_ONLY_HINT", "RefRefused", "RefSource", "iter_refs"]

LOCAL_ONLY_HINT = (
    "only local '#/...' references are followed; bundle the document, or pass "
    "--allow-file-refs to follow relative file references under its folder"
)
_MAX_REF_SHOWN = 120


class RefRefused(OpenAPIError):
    """A ``$ref`` that loading refused to follow (kept apart so the validator's wrapping of
    retrieval errors cannot turn it into a message quoting anything else)."""


def _shown(ref: str) -> str:
    """A reference as an error line quotes it: JSON, redacted (a URL's credentials), then cut."""
    return quoted(ref, limit=_MAX_REF_SHOWN)


def iter_refs(node: Any, path: str = "#") -> Iterator[tuple[str, str]]:
    """Every ``$ref`` string in ``node`` with the JSON pointer of the object holding it."""
    stack: list[tuple[Any, str]] = [(node, path)]
    while stack:
        value, where = stack.pop()
        if isinstance(value, dict):
            ref = value.get("$ref")
            if isinstance(ref, str):
                yield ref, where
            for key, sub in value.items():
                if isinstance(sub, (dict, list)):
                    stack.append((sub, f"{where}/{str(key).replace('~', '~0').replace('/', '~1')}"))
        elif isinstance(value, list):
            stack.extend((sub, f"{where}/{i}") for i, sub in enumerate(value))


def _pointer(node: Any, fragment: str) -> Any:
    """The node at JSON pointer ``fragment`` (``""`` or ``"/a/b"``), or ``KeyError``."""
    if not fragment:
        return node
    if not fragment.startswith("/"):
        raise KeyError(fragment)
    for raw in fragment[1:].split("/"):
        key = unquote(raw).replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            raise KeyError(fragment)
    return node


class RefSource:
    """The documents ``$ref`` may reach, with the rules above."""

    def __init__(
        self,
        doc: Any,
        source: str,
        *,
        folder: Path | None = None,
        allow_file_refs: bool = False,
    ) -> None:
        self.source = source
        self.allow_file_refs = allow_file_refs and folder is not None
        self.root = folder.resolve() if folder is not None else None
        self._docs: dict[str, Any] = {"": doc}

    # --- canonical names -------------------------------------------------------------------
    def canonical(self, ref: str, context: str = "", where: str = "") -> str:
        """``ref`` met in file ``context`` as ``"<file>#<pointer>"``; refused refs raise."""
        at = f" at {where}" if where else ""
        target, _, fragment = ref.partition("#")
        if not target:
            return f"{context}#{fragment}"
        if urlsplit(target).scheme or target.startswith(("/", "\\")) or "\\" in target:
            raise RefRefused(f"{self.source}: $ref {_shown(ref)}{at} refused: {LOCAL_ONLY_HINT}")
        if not self.allow_file_refs or self.root is None:
            raise RefRefused(f"{self.source}: $ref {_shown(ref)}{at} refused: {LOCAL_ONLY_HINT}")
        base = (self.root / context).parent if context else self.root
        real = (base / unquote(target)).resolve()
        try:
            rel = real.relative_to(self.root)
        except ValueError:
            raise RefRefused(
                f"{self.source}: $ref {_shown(ref)}{at} refused: it leads outside the "
                "document's folder (file references stay under it, symlinks included)"
            ) from None
        if not real.is_file():
            raise RefRefused(f"{self.source}: $ref {_shown(ref)}{at} is not a file in the folder")
        return f"{rel.as_posix()}#{fragment}"

    def document(self, name: str) -> Any:
        """The parsed document ``name`` (relative to the folder; ``""`` is the main one)."""
        if name not in self._docs:
            from drift_diff.openapi.importer import load_document

            assert self.root is not None  # canonical() only names files when a folder is set
            self._docs[name] = load_document(self.root / name)
        return self._docs[name]

    def lookup(self, canonical: str) -> Any:
        name, _, fragment = canonical.partition("#")
        try:
            return _pointer(self.document(name), fragment)
        except KeyError:
            shown = canonical if name else f"#{fragment}"
            raise OpenAPIError(f"{self.source}: $ref {_shown(shown)} points to nothing") from None

    # --- the validator ---------------------------------------------------------------------
    def check_all(self) -> None:
        """Refuse every reference of the main document that may not be followed."""
        for ref, where in iter_refs(self._docs[""]):
            self.canonical(ref, "", where)

    def base_uri(self) -> str:
        if self.root is None:
            return "driftdiff:document"
        return (self.root / "__document__").as_uri()

    def handlers(self) -> _Handlers:
        return _Handlers(self)


class _Handlers(dict[str, Any]):
    """jsonschema-path retrieval handlers: every scheme is ours (its fallback is ``urlopen``)."""

    def __init__(self, refs: RefSource) -> None:
        super().__init__()
        self._refs = refs

    def __contains__(self, scheme: object) -> bool:
        return True

    def __missing__(self, scheme: str) -> Any:
        return self._retrieve

    def _retrieve(self, uri: str) -> Any:
        parts = urlsplit(uri)
        if parts.scheme == "file" and self._refs.root is not None and self._refs.allow_file_refs:
            real = Path(unquote(parts.path)).resolve()
            try:
                rel = real.relative_to(self._refs.root)
            except ValueError:
                rel = None
            if rel is not None and real.is_file():
                try:
                    return self._refs.document(rel.as_posix())
                except DriftDiffError as exc:
                    raise RefRefused(str(exc)) from None
        raise RefRefused(
            f"{self._refs.source}: the validator was refused $ref target {_shown(uri)}: "
            f"{LOCAL_ONLY_HINT}"
        )
